"""Every value a request can carry, bounded: a crafted callback body or URL gets a default or
the nearest allowed value, never a 500, the whole table or minutes of CPU; and what an
answer may show (no server paths).

Dash callbacks receive whatever JSON the browser (or anyone) posts, so each callback passes
its inputs through these before using them.
"""

from __future__ import annotations

import re
from typing import Any

MAX_BODY_BYTES = 256 * 1024  # the largest callback body the pages send is a few kB
MAX_QUERY_CHARS = 60  # a type-ahead query: longer than any player's name
MAX_QUERY_WORDS = 4
MAX_LIST_ITEMS = 100  # archetype filters: a model has a dozen archetypes
SIMILAR_COUNT_RANGE = (1, 20)
_INTEGER = re.compile(r"-?[0-9]{1,12}")  # ASCII digits only: "²".isdigit() is True


def integer(value: Any) -> int | None:
    """An integer from JSON or URL text; None for anything else (floats with a fraction,
    booleans, superscripts, 5,000-digit strings...)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e12:
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return None


def clamped(value: Any, low: int, high: int, default: int) -> int:
    number = integer(value)
    return default if number is None else max(low, min(high, number))


def player_id(value: Any) -> int | None:
    number = integer(value)
    return number if number is not None and 0 < number < 10**10 else None


def similar_count(value: Any, default: int = 10) -> int:
    return clamped(value, *SIMILAR_COUNT_RANGE, default)


def text(value: Any, max_chars: int = 20) -> str | None:
    """A short string (a season, a tab, a weighting), or None."""
    return value[:max_chars] if isinstance(value, str) else None


def season_range(value: Any, season_count: int) -> tuple[int, int]:
    """Two slider positions within the seasons, in order; all of them when malformed."""
    last = max(season_count - 1, 0)
    if not isinstance(value, list | tuple) or len(value) != 2:
        return 0, last
    low, high = clamped(value[0], 0, last, 0), clamped(value[1], 0, last, last)
    return min(low, high), max(low, high)


def integer_list(value: Any) -> list[int] | None:
    """A list of integers (unknown ones are dropped later, against the data), or None."""
    if not isinstance(value, list | tuple):
        return None
    numbers = (integer(item) for item in value[:MAX_LIST_ITEMS])
    return [number for number in numbers if number is not None]


def search_query(value: Any) -> str:
    """A type-ahead query cut to a name's length and a few words: each word costs a pass
    over every player's name."""
    if not isinstance(value, str):
        return ""
    return " ".join(value[:MAX_QUERY_CHARS].split()[:MAX_QUERY_WORDS])


def without_paths(text: str) -> str:
    """Local paths cut to their last part: /srv/app/data/x.parquet -> .../x.parquet, also in
    sqlite:// and file:// URIs (a server's own URLs are kept)."""
    text = re.sub(r"\b(sqlite|file):/{2,}(?:[^/\s'\")]+/)*", r"\1:///.../", text)
    return re.sub(r"(?<![\w:/.])/+(?:[^/\s'\")]+/)+([^/\s'\")]+)", r".../\1", text)
