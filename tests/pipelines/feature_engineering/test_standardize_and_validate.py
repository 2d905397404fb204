"""Feature-engineering nodes after the rates: standardizing within each season (the era
adjustment) and the model-input contract, on small generated tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nba_cluster.pipelines.feature_engineering.nodes import (
    DISPLAY_COLUMNS,
    RATE_FEATURES,
    standardize_within_season,
    validate_player_features,
)

PLAUSIBLE_PFD_PER_FTA = [0.4, 1.5]
Z_COLUMNS = [f"{feature}_Z" for feature in RATE_FEATURES]


# --- standardize_within_season ------------------------------------------------------------


def rate_table(season: str, values: np.ndarray, first_id: int = 1) -> pd.DataFrame:
    """``compute_rate_features`` output for one season: one row of RATE_FEATURES per player."""
    players = len(values)
    table = pd.DataFrame(values, columns=RATE_FEATURES)
    display = {
        "PLAYER_ID": range(first_id, first_id + players),
        "PLAYER_NAME": [f"Player {first_id + index}" for index in range(players)],
        "SEASON": season, "TEAM_ABBREVIATION": "BOS", "TEAM_COUNT": np.nan, "AGE": 27.0,
        "GP": 60.0, "PLAYOFF_GP": 0.0, "MIN": 1500.0, "PLAYOFF_MIN": 0.0,
        "PFD_RECORDED": True, "SEASON_PARTIAL": False, "SEASON_THROUGH": None,
    }  # fmt: skip
    table["PFD_PER36"] = 0.85 * table["FTA_PER36"]  # a plausible league record of fouls drawn
    return pd.concat([pd.DataFrame(display), table], axis=1)[DISPLAY_COLUMNS + RATE_FEATURES]


def random_rates(players: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.1, 0.9, size=(players, len(RATE_FEATURES)))


def test_z_scores_are_taken_within_each_season():
    values = random_rates(30, seed=1)
    # A later era with every rate scaled and shifted: its z-scores must be the same.
    features = pd.concat([
        rate_table("1998-99", values),
        rate_table("2020-21", 3 * values + 5, first_id=100),
    ])  # fmt: skip

    table = standardize_within_season(features, z_clip=10.0)

    assert list(table.columns) == DISPLAY_COLUMNS + RATE_FEATURES + Z_COLUMNS
    for _, season in table.groupby("SEASON"):
        assert season[Z_COLUMNS].mean().abs().max() < 1e-9
        assert season[Z_COLUMNS].std().to_numpy() == pytest.approx(1.0)
    old, new = (season[Z_COLUMNS].to_numpy() for _, season in table.groupby("SEASON"))
    assert new == pytest.approx(old)


def test_the_same_rate_is_high_in_one_era_and_low_in_another():
    old_era, new_era = random_rates(20, seed=2), random_rates(20, seed=3)
    share = RATE_FEATURES.index("FG3A_SHARE")
    old_era[:, share] = np.linspace(0.0, 0.2, 20)
    new_era[:, share] = np.linspace(0.3, 0.6, 20)
    old_era[0, share] = new_era[0, share] = 0.25
    features = pd.concat([rate_table("1998-99", old_era), rate_table("2020-21", new_era)])

    table = standardize_within_season(features, z_clip=5.0)

    first_players = table[table["PLAYER_ID"] == 1].set_index("SEASON")["FG3A_SHARE_Z"]
    assert first_players["1998-99"] > 1.0
    assert first_players["2020-21"] < -1.0


def test_extreme_z_scores_are_clipped():
    values = random_rates(20, seed=4)
    blocks = RATE_FEATURES.index("BLK_PER36")
    values[0, blocks] = 100.0  # alone, about 4.2 standard deviations above the rest
    table = standardize_within_season(rate_table("2010-11", values), z_clip=3.0)

    assert table["BLK_PER36_Z"].max() == 3.0
    assert table["BLK_PER36_Z"].min() >= -3.0
    assert table[Z_COLUMNS].abs().max().max() == 3.0


def test_unrecorded_fouls_drawn_score_zero():
    unrecorded = rate_table("2003-04", random_rates(10, seed=5)).assign(
        PFD_PER36=np.nan, PFD_PER100=np.nan, PFD_RECORDED=False
    )
    recorded = rate_table("2006-07", random_rates(10, seed=6), first_id=100)

    table = standardize_within_season(pd.concat([unrecorded, recorded]), z_clip=5.0)

    old = table[table["SEASON"] == "2003-04"]
    assert (old["PFD_PER36_Z"] == 0.0).all()
    assert old["PFD_PER36"].isna().all()  # the rate itself stays missing, not a fake zero
    assert table.loc[table["SEASON"] == "2006-07", "PFD_PER36_Z"].std() == pytest.approx(1.0)


# --- validate_player_features -------------------------------------------------------------


@pytest.fixture
def valid_features() -> pd.DataFrame:
    features = pd.concat([
        rate_table("2003-04", random_rates(10, seed=7)),
        rate_table("2004-05", random_rates(10, seed=8)),
    ])  # fmt: skip
    return standardize_within_season(features, z_clip=5.0)


def validate(features: pd.DataFrame) -> pd.DataFrame:
    return validate_player_features(features, 5.0, PLAUSIBLE_PFD_PER_FTA)


def test_valid_features_pass_unchanged(valid_features):
    checked = validate(valid_features)
    pd.testing.assert_frame_equal(checked, valid_features)


def test_nan_in_a_model_feature_is_rejected(valid_features):
    valid_features.loc[3, "FG3A_SHARE_Z"] = np.nan
    with pytest.raises(ValueError, match="column FG3A_SHARE_Z: not_nullable"):
        validate(valid_features)


def test_inf_is_rejected_naming_the_column(valid_features):
    valid_features.loc[3, "AST_TOV"] = np.inf
    with pytest.raises(ValueError, match=r"inf in \['AST_TOV'\]"):
        validate(valid_features)


def test_a_duplicate_player_season_is_rejected(valid_features):
    twice = pd.concat([valid_features, valid_features.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="uniqueness") as error:
        validate(twice)
    assert "column PLAYER_ID" in str(error.value)
    assert "column SEASON" in str(error.value)


@pytest.mark.parametrize(
    ("column", "value"),
    [("FG3A_SHARE", 1.2), ("TS_PCT", -0.1), ("PTS_PER36", 95.0), ("AGE", 61.0),
     ("BLK_PER36_Z", 5.5)],
)  # fmt: skip
def test_out_of_range_values_are_rejected_naming_the_column(valid_features, column, value):
    valid_features.loc[3, column] = value
    with pytest.raises(ValueError, match=f"column {column}: in_range"):
        validate(valid_features)


def test_fouls_drawn_where_the_season_does_not_record_them_are_rejected(valid_features):
    valid_features.loc[valid_features["SEASON"] == "2003-04", "PFD_RECORDED"] = False
    with pytest.raises(ValueError, match="missing exactly where PFD_RECORDED is False"):
        validate(valid_features)


def test_a_recorded_season_with_implausible_fouls_drawn_is_rejected(valid_features):
    in_season = valid_features["SEASON"] == "2004-05"
    valid_features.loc[in_season, "PFD_PER36"] = 0.05 * valid_features.loc[in_season, "FTA_PER36"]
    with pytest.raises(ValueError, match=r"league PFD/FTA in \[0.4, 1.5\]"):
        validate(valid_features)
