"""Finding a player by name the way people type it: accents, case and punctuation optional."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from nba_cluster.dashboard import bounds

# Letters NFKD does not decompose into a base letter plus accents.
_FOLD = str.maketrans(
    {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "\u0131": "i", "þ": "th"}
)


def normalize_name(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form: "Nikola Jokić" -> "nikola jokic",
    "Shaquille O'Neal" -> "shaquille oneal", "Karl-Anthony Towns" -> "karl anthony towns"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    letters = re.sub(r"['\u2019`.]", "", letters)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", letters.translate(_FOLD)).split())


def search_players(players: pd.DataFrame, query: str | None, limit: int = 20) -> pd.DataFrame:
    """Players whose normalised name contains every word of the query, best first: a name
    starting with the query, then a word starting with each query word, then any match;
    ties go to the player with more minutes. ``players`` is :attr:`Snapshot.players`."""
    words = normalize_name(bounds.search_query(query)).split()
    if not words:
        return players.iloc[:0]
    keys = players["NAME_KEY"]
    hits = np.ones(len(players), dtype=bool)
    word_starts = np.ones(len(players), dtype=bool)
    for word in words:
        hits &= keys.str.contains(word, regex=False).to_numpy()
        word_starts &= keys.str.contains(rf"(?:^| ){re.escape(word)}", regex=True).to_numpy()
    found = players[hits].assign(
        _RANK=np.where(
            keys[hits].str.startswith(" ".join(words)), 0, np.where(word_starts[hits], 1, 2)
        )
    )
    found = found.sort_values(["_RANK", "TOTAL_MIN"], ascending=[True, False], kind="stable")
    return found.drop(columns="_RANK").head(limit)
