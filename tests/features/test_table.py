"""The feature table: the one home of each feature, from which the rest is derived."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from nba_cluster.features.table import (
    AXES,
    FEATURES,
    RATE_FEATURES,
    RateInputs,
    axis_columns,
    feature_table_markdown,
    label,
)
from nba_cluster.pipelines.feature_engineering.nodes import _player_features_schema
from tests.support.project import PROJECT_ROOT

MODEL_CARD = PROJECT_ROOT / "docs" / "model.md"


def test_every_feature_has_one_row_a_label_and_a_known_axis():
    assert len(set(RATE_FEATURES)) == len(RATE_FEATURES)
    for feature in FEATURES:
        assert feature.label and label(feature.column + "_Z") == feature.label
        assert feature.axis in (*AXES, "descriptive")
        assert feature.valid_range[0] < feature.valid_range[1]


def test_each_axis_sees_its_rows_and_efficiency_is_never_clustered():
    offense, defense = axis_columns("offense"), axis_columns("defense")
    assert "USG_PCT_Z" in offense  # usage is a role
    assert {"BLK_PER100_Z", "STL_PER100_Z"} <= set(defense)
    assert not set(offense) & set(defense)
    for descriptive in ("TS_PCT_Z", "FG2_PCT_Z", "FG3_PCT_Z", "PTS_PER36_Z"):
        assert descriptive not in offense + defense
    with pytest.raises(ValueError, match="unknown axis"):
        axis_columns("descriptive")


def test_the_contract_takes_every_features_range_from_the_table():
    schema = _player_features_schema(5.0, [0.4, 1.5])
    for feature in FEATURES:
        assert feature.column in schema.columns
        assert feature.column + "_Z" in schema.columns


def test_a_formula_computes_what_it_says():
    player = pd.DataFrame({"FGA": [10.0], "FTA": [5.0], "AST": [4.0], "TOV": [2.0],
                           "FG3A": [4.0], "FGM": [5.0]})  # fmt: skip
    team = pd.DataFrame({"FGM": [25.0], "PLAYS": [60.0], "POSSESSIONS": [50.0]})
    inputs = RateInputs(player, team, shrunk=lambda made, attempted: made / attempted)
    by_column = {f.column: f for f in FEATURES}
    assert by_column["FG3A_SHARE"].compute(inputs).iloc[0] == pytest.approx(0.4)
    assert by_column["AST_SHARE"].compute(inputs).iloc[0] == pytest.approx(4 / 20)
    assert by_column["USG_PCT"].compute(inputs).iloc[0] == pytest.approx((10 + 2.2 + 2) / 60)


def test_the_model_card_shows_the_table_as_the_code_has_it():
    text = MODEL_CARD.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- feature table start -->\n(.*?)\n<!-- feature table end -->", text, re.S
    )
    assert block, "docs/model.md has no feature-table block"
    assert block.group(1) == feature_table_markdown()
