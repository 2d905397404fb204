"""Data contracts of the model input, checked whenever ``player_features`` is loaded (by
training and by inference): Kedro's catalog runs them through its ``validator:`` key.

feature_engineering validates the table it writes; this catches a file changed or damaged
since, or a feature change that lets a NaN through, before scikit-learn does ("Input X
contains NaN." names no column, row or season).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

FEATURE_COLUMNS = r".*_Z$"  # the era-adjusted features the clusterers see
_EXAMPLES = 5  # rows named per failing column
_CHECK_WORDS = {"not_nullable": "missing values (NaN)", "field_uniqueness": "duplicates"}


class ModelInputContractError(ValueError):
    """The model input breaks its contract; the message names columns, rows and seasons."""


class ModelInputContract:
    """One row per player-season, at least ``min_rows`` of them, every feature finite."""

    def __init__(self, min_rows: int = 100) -> None:
        self._min_rows = min_rows
        self._schema = pa.DataFrameSchema(
            {
                "PLAYER_ID": pa.Column(nullable=False),
                "SEASON": pa.Column(str, nullable=False),
                FEATURE_COLUMNS: pa.Column(
                    float,
                    pa.Check(np.isfinite, element_wise=False, error="finite (no infinity)"),
                    nullable=False,
                    regex=True,
                ),
            },
            unique=["PLAYER_ID", "SEASON"],
        )

    def validate(self, table: pd.DataFrame) -> pd.DataFrame:
        if len(table) < self._min_rows:
            seasons = sorted(table["SEASON"].unique()) if "SEASON" in table else []
            raise ModelInputContractError(
                f"has {len(table)} rows, fewer than the {self._min_rows} player-seasons a model "
                f"needs (seasons: {', '.join(map(str, seasons)) or 'none'})"
            )
        if not table.columns.str.fullmatch(FEATURE_COLUMNS).any():
            raise ModelInputContractError("has no feature column (*_Z)")
        try:
            return self._schema.validate(table, lazy=True)
        except pa.errors.SchemaErrors as errors:
            raise ModelInputContractError(_describe(errors.failure_cases, table)) from None


def _describe(failures: pd.DataFrame, table: pd.DataFrame) -> str:
    """One line per failing column and check: how many rows, which seasons, a few players."""
    lines = []
    for (column, check), cases in failures.groupby(["column", "check"], dropna=False, sort=True):
        rows = table.loc[table.index.intersection(cases["index"].dropna())]
        where = ""
        if not rows.empty:
            seasons = sorted(rows["SEASON"].astype(str).unique()) if "SEASON" in rows else []
            named = rows.head(_EXAMPLES)
            players = ", ".join(
                f"{name} {season}"
                for name, season in zip(
                    named.get("PLAYER_NAME", named.get("PLAYER_ID", named.index)),
                    named.get("SEASON", [""] * len(named)),
                    strict=True,
                )
            )
            where = f" in {len(rows)} rows, seasons {', '.join(seasons)} (e.g. {players})"
        values = ", ".join(map(str, cases["failure_case"].dropna().astype(str).unique()[:3]))
        lines.append(
            f"column {column}: {_CHECK_WORDS.get(check, check)}{where}; values: {values or 'NaN'}"
        )
    return "breaks its contract:\n  " + "\n  ".join(lines)
