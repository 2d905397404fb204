"""A small seeded league with five clear roles, served like stats.nba.com, for tests that must
always run (no recorded data, no network)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from nba_cluster.nba_stats.response import BASE_HEADERS, response_body
from nba_cluster.nba_stats.seasons import SEASON_TYPES

ResponseKey = tuple[str, str]  # (season, season type)


ARCHETYPES = {
    # per-36: FGA 3PA/FGA FTA/FGA OREB DREB AST TOV STL BLK PF; shooting FG2% FG3%
    # (points follow from the shots)
    "Rim-running big": (10, 0.02, 0.45, 4.0, 8.5, 1.5, 1.8, 0.8, 2.2, 4.5, 0.60, 0.25),
    "Stretch big": (14, 0.45, 0.22, 2.0, 7.5, 2.2, 1.6, 0.7, 1.1, 3.6, 0.52, 0.37),
    "Primary creator": (20, 0.35, 0.35, 0.7, 4.0, 8.5, 3.6, 1.3, 0.3, 2.3, 0.50, 0.36),
    "3-and-D wing": (10, 0.62, 0.15, 0.8, 4.2, 2.0, 1.1, 1.6, 0.5, 3.2, 0.50, 0.38),
    "Slashing scorer": (18, 0.15, 0.40, 1.5, 4.5, 3.2, 2.4, 1.1, 0.5, 2.8, 0.52, 0.30),
}


def synthetic_responses(
    seasons: Iterable[str], players_per_archetype: int = 12, seed: int = 7
) -> dict[ResponseKey, bytes]:
    """A small, seeded league with five clear roles, for tests that must always run.

    The same players return each season (ids stable, age +1) with their role's rates plus
    noise; fouls drawn are 0 before 2005-06, as in the real data.
    """
    rng = np.random.default_rng(seed)
    roster = [
        (1000 + index, f"{name.split()[0]} Player{index:03d}", name)
        for index, name in enumerate(
            name for name in ARCHETYPES for _ in range(players_per_archetype)
        )
    ]
    teams = ["ATL", "BOS", "CHI", "DAL", "DEN", "LAL", "MIA", "NYK", "PHX", "SAS"]
    responses = {}
    for season_index, season in enumerate(seasons):
        start_year = int(season[:4])
        for season_type in SEASON_TYPES:
            playoffs = season_type == "Playoffs"
            rows = []
            for player_id, name, archetype in roster:
                if playoffs and player_id % 2:  # half the league makes the playoffs
                    continue
                (fga, share3, fta_rate, oreb, dreb, ast, tov, stl, blk, pf, pct2, pct3) = (
                    ARCHETYPES[archetype]
                )
                noise = rng.normal(1.0, 0.08, size=9).clip(0.6, 1.4)
                games = int(rng.integers(8, 18) if playoffs else rng.integers(40, 82))
                minutes = float(games * rng.uniform(18, 36))
                scale = minutes / 36.0
                fga_total = round(fga * noise[0] * scale)
                fg3a = round(fga_total * min(share3 * noise[1], 0.95))
                fg3m = round(fg3a * pct3)
                fgm = fg3m + round((fga_total - fg3a) * pct2)
                fta = round(fga_total * fta_rate * noise[2])
                ftm = round(fta * 0.75)
                counts = {
                    "OREB": round(oreb * noise[3] * scale),
                    "DREB": round(dreb * noise[4] * scale),
                    "AST": round(ast * noise[5] * scale),
                    "TOV": round(tov * scale),
                    "STL": round(stl * noise[6] * scale),
                    "BLK": round(blk * noise[7] * scale),
                    "PF": round(pf * noise[8] * scale),
                }
                rows.append(
                    {
                        "PLAYER_ID": player_id,
                        "PLAYER_NAME": name,
                        "NICKNAME": name.split()[0],
                        "TEAM_ID": 1610612700 + player_id % len(teams),
                        "TEAM_ABBREVIATION": teams[player_id % len(teams)],
                        "AGE": float(20 + player_id % 12 + season_index),
                        "GP": games,
                        "W": games // 2,
                        "L": games - games // 2,
                        "W_PCT": 0.5,
                        "MIN": minutes,
                        "FGM": fgm,
                        "FGA": fga_total,
                        "FG_PCT": round(fgm / max(fga_total, 1), 3),
                        "FG3M": fg3m,
                        "FG3A": fg3a,
                        "FG3_PCT": round(fg3m / max(fg3a, 1), 3),
                        "FTM": ftm,
                        "FTA": fta,
                        "FT_PCT": round(ftm / max(fta, 1), 3),
                        "OREB": counts["OREB"],
                        "DREB": counts["DREB"],
                        "REB": counts["OREB"] + counts["DREB"],
                        "AST": counts["AST"],
                        "TOV": counts["TOV"],
                        "STL": counts["STL"],
                        "BLK": counts["BLK"],
                        "BLKA": 0,
                        "PF": counts["PF"],
                        "PFD": 0 if start_year < 2005 else round(fta * 0.45),
                        "PTS": 2 * fgm + fg3m + ftm,
                        "PLUS_MINUS": 0,
                        "TEAM_COUNT": 1,
                    }
                )
            table = pd.DataFrame(rows, columns=BASE_HEADERS)
            responses[(season, season_type)] = response_body(season, season_type, table)
    return responses
