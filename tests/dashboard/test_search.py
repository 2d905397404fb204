"""Name folding and the type-ahead search."""

from __future__ import annotations

import pytest

from nba_cluster.dashboard.search import normalize_name, search_players
from tests.dashboard import fakes


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Nikola Jokić", "nikola jokic"),
        ("Luka Dončić", "luka doncic"),
        ("Shaquille O'Neal", "shaquille oneal"),
        ("Karl-Anthony Towns", "karl anthony towns"),
        ("J.R. Smith", "jr smith"),
        ("Nikola Đorđević", "nikola djordjevic".replace("dj", "d")),  # Đ does not decompose
        ("Kristaps Porziņģis", "kristaps porzingis"),
        ("  Dennis   Schröder ", "dennis schroder"),
    ],
)
def test_normalize_name_drops_accents_case_and_punctuation(name, key):
    assert normalize_name(name) == key


@pytest.mark.parametrize("query", ["jokic", "Jokić", "JOKIC", "nikola jok", "okic"])
def test_search_is_accent_and_case_insensitive(query):
    snapshot = fakes.snapshot()
    found = search_players(snapshot.players, query)
    assert found["PLAYER_NAME"].tolist() == ["Nikola Jokić"]


def test_search_ranks_name_starts_first_and_ignores_punctuation():
    snapshot = fakes.snapshot()
    # "Bryant Reeves" starts with the query, "Kobe Bryant" only contains it
    assert search_players(snapshot.players, "bryant")["PLAYER_NAME"].tolist() == [
        "Bryant Reeves", "Kobe Bryant"]  # fmt: skip
    assert search_players(snapshot.players, "oneal")["PLAYER_NAME"].tolist() == ["Shaquille O'Neal"]
    assert search_players(snapshot.players, "o'neal")["PLAYER_NAME"].tolist() == [
        "Shaquille O'Neal"
    ]
    assert search_players(snapshot.players, "karl anthony")["PLAYER_ID"].tolist() == [1626157]
    assert search_players(snapshot.players, "bogdanovic")["PLAYER_ID"].tolist() == [203992]
    assert search_players(snapshot.players, "").empty
    assert search_players(snapshot.players, "zzz").empty
    assert len(search_players(snapshot.players, "a", limit=3)) == 3
