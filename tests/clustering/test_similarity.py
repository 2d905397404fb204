"""Similar player-seasons, checked against scikit-learn's brute-force nearest neighbours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import NearestNeighbors

from nba_cluster.clustering.similarity import SimilarityIndex, vectors_frame

SEASONS = ["2019-20", "2020-21", "2021-22"]
PLAYERS = 40
DIMENSIONS = 4
OFFENSE_DIMENSIONS = 3  # the first three are the offensive space, the last the defensive one


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """Random positions of 40 players over three seasons (player ids 500..539)."""
    keys = pd.DataFrame(
        [(500 + player, season) for season in SEASONS for player in range(PLAYERS)],
        columns=["PLAYER_ID", "SEASON"],
    )
    vectors = np.random.default_rng(11).normal(size=(len(keys), DIMENSIONS))
    return vectors_frame(
        keys,
        {"offense": vectors[:, :OFFENSE_DIMENSIONS], "defense": vectors[:, OFFENSE_DIMENSIONS:]},
    )


@pytest.fixture(scope="module")
def index(frame) -> SimilarityIndex:
    return SimilarityIndex(frame)


def brute_force(
    frame: pd.DataFrame, player_id: int, season: str, k: int, *, in_season=None, columns=None
):
    """The expected answer with ``all_seasons``: exact k-NN among the other players' rows (of
    one season), on ``columns`` (every dimension by default)."""
    candidates = frame[frame["PLAYER_ID"] != player_id]
    if in_season is not None:
        candidates = candidates[candidates["SEASON"] == in_season]
    columns = columns or [c for c in frame.columns if c not in ("PLAYER_ID", "SEASON")]
    query = frame[(frame["PLAYER_ID"] == player_id) & (frame["SEASON"] == season)][columns]
    search = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(candidates[columns])
    distances, rows = search.kneighbors(query)
    nearest = candidates.iloc[rows[0]]
    return nearest[["PLAYER_ID", "SEASON"]].reset_index(drop=True), distances[0]


def test_vectors_frame_layout(frame):
    assert list(frame.columns) == ["PLAYER_ID", "SEASON", "O0", "O1", "O2", "D0"]
    assert len(frame) == PLAYERS * len(SEASONS)


def test_the_offense_only_space_ignores_the_defensive_dimensions(frame, index):
    nearest = index.most_similar(517, "2020-21", k=10, all_seasons=True, space="offense")
    expected_keys, expected_distances = brute_force(
        frame, 517, "2020-21", k=10, columns=["O0", "O1", "O2"]
    )
    pd.testing.assert_frame_equal(nearest[["PLAYER_ID", "SEASON"]], expected_keys)
    np.testing.assert_allclose(nearest["DISTANCE"], expected_distances)
    combined = index.most_similar(517, "2020-21", k=10, all_seasons=True)
    assert not combined["PLAYER_ID"].equals(nearest["PLAYER_ID"])


def test_nearest_other_players_first(index):
    nearest = index.most_similar(512, "2020-21", k=7)
    assert list(nearest.columns) == ["PLAYER_ID", "SEASON", "DISTANCE"]
    assert len(nearest) == 7
    assert 512 not in set(nearest["PLAYER_ID"])  # not even in his other seasons
    assert nearest["DISTANCE"].is_monotonic_increasing


@pytest.mark.parametrize("player_id, season", [(500, "2019-20"), (517, "2020-21"),
                                               (539, "2021-22"), (526, "2019-20")])  # fmt: skip
def test_agrees_with_brute_force_nearest_neighbours(frame, index, player_id, season):
    nearest = index.most_similar(player_id, season, k=10, all_seasons=True)
    expected_keys, expected_distances = brute_force(frame, player_id, season, k=10)
    pd.testing.assert_frame_equal(nearest[["PLAYER_ID", "SEASON"]], expected_keys)
    np.testing.assert_allclose(nearest["DISTANCE"], expected_distances)


def test_in_season_restricts_the_candidates(frame, index):
    nearest = index.most_similar(505, "2019-20", k=5, in_season="2021-22")
    assert set(nearest["SEASON"]) == {"2021-22"}
    expected_keys, expected_distances = brute_force(frame, 505, "2019-20", k=5, in_season="2021-22")
    pd.testing.assert_frame_equal(nearest[["PLAYER_ID", "SEASON"]], expected_keys)
    np.testing.assert_allclose(nearest["DISTANCE"], expected_distances)


def test_by_default_each_other_player_appears_once_with_his_closest_season(frame, index):
    player_id, season = 517, "2020-21"
    nearest = index.most_similar(player_id, season, k=10)

    assert nearest["PLAYER_ID"].is_unique
    everyone, _ = brute_force(frame, player_id, season, k=len(frame) - len(SEASONS))
    closest_seasons = everyone.drop_duplicates("PLAYER_ID").head(10).reset_index(drop=True)
    pd.testing.assert_frame_equal(nearest[["PLAYER_ID", "SEASON"]], closest_seasons)
    assert nearest["DISTANCE"].is_monotonic_increasing


def test_a_player_close_in_every_season_fills_one_slot_by_default():
    # player 2's three seasons sit right next to the query; players 3..12 a little further
    keys = pd.DataFrame(
        [(1, "2019-20"), (2, "2019-20"), (2, "2020-21"), (2, "2021-22")]
        + [(player, "2020-21") for player in range(3, 13)],
        columns=["PLAYER_ID", "SEASON"],
    )
    vectors = np.array([[0.0], [0.1], [0.2], [0.3]] + [[1.0 + p] for p in range(10)])
    index = SimilarityIndex(vectors_frame(keys, {"offense": vectors, "defense": vectors * 0}))

    diverse = index.most_similar(1, "2019-20", k=10)
    every_season = index.most_similar(1, "2019-20", k=10, all_seasons=True)

    assert list(diverse["PLAYER_ID"]) == [2, *range(3, 12)]
    assert diverse["SEASON"].iloc[0] == "2019-20"  # his closest season
    assert list(every_season["PLAYER_ID"][:3]) == [2, 2, 2]


def test_k_beyond_the_candidates_returns_them_all_in_order(index):
    nearest = index.most_similar(530, "2021-22", k=500, in_season="2021-22")
    assert len(nearest) == PLAYERS - 1
    assert nearest["DISTANCE"].is_monotonic_increasing


def test_unknown_player_season_is_a_key_error(index):
    assert len(index) == PLAYERS * len(SEASONS)
    with pytest.raises(KeyError, match="No player-season"):
        index.most_similar(500, "1999-00")
    with pytest.raises(KeyError, match="No player-season"):
        index.most_similar(9999, "2019-20")
