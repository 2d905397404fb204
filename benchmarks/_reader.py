"""The reader's list: famous player-seasons and the role names a basketball analyst accepts
for them, on each axis (``None``: that axis is not judged for him).

Written from what the players did, not from what the model said: scoring champions and MVPs
must read as scorers or creators, pass-first guards as playmakers, shooters as shooters,
post scorers as post scorers, rim protectors and perimeter stoppers as such. The acceptance
items of issue 17 are the first ten rows. A name outside the vocabulary (a generic name)
never fits.
"""

from __future__ import annotations

import pandas as pd

CREATOR, WING, POST = "Shot creator", "Scoring wing", "Post scorer"
PASSER, SECONDARY = "Pass-first playmaker", "Secondary playmaker"
SHOOTER, STRETCH = "Spot-up shooter", "Stretch big"
RUNNER, REBOUNDER = "Rim runner", "Offensive rebounder"
RIM, PERIMETER, DREB = "Rim protector", "Perimeter disruptor", "Defensive rebounder"

# (player, season, offensive names accepted, defensive names accepted)
READER_LIST: list[tuple[str, str, set[str] | None, set[str] | None]] = [
    ("Allen Iverson", "2000-01", {CREATOR, WING}, None),  # MVP, scoring title
    ("Kobe Bryant", "2005-06", {CREATOR, WING}, None),  # 35.4 points a game
    ("Carmelo Anthony", "2012-13", {CREATOR, WING, POST}, None),  # scoring title, at the 4
    ("Kevin Durant", "2013-14", {CREATOR, WING}, None),  # MVP
    ("Dirk Nowitzki", "2006-07", {CREATOR, WING, POST, STRETCH}, None),  # MVP
    ("Steve Nash", "2004-05", {PASSER, CREATOR}, None),  # MVP
    ("Kyle Korver", "2014-15", {SHOOTER}, None),
    ("Shaquille O'Neal", "1999-00", {POST}, {RIM}),  # MVP
    ("Ben Wallace", "2002-03", {RUNNER, REBOUNDER}, {RIM}),  # Defensive Player of the Year
    ("Tony Allen", "2012-13", None, {PERIMETER}),  # All-Defensive first team
    ("Tim Duncan", "2002-03", {POST}, {RIM}),
    ("LeBron James", "2012-13", {CREATOR}, None),
    ("Stephen Curry", "2015-16", {CREATOR}, None),
    ("James Harden", "2018-19", {CREATOR}, None),
    ("Russell Westbrook", "2016-17", {CREATOR}, None),
    ("Michael Jordan", "1996-97", {CREATOR, WING}, None),
    ("Tracy McGrady", "2002-03", {CREATOR, WING}, None),
    ("Paul Pierce", "2000-01", {CREATOR, WING}, None),
    ("Vince Carter", "2000-01", {CREATOR, WING}, None),
    ("DeMar DeRozan", "2016-17", {CREATOR, WING}, None),
    ("Manu Ginobili", "2007-08", {CREATOR, WING, SECONDARY}, None),
    ("Chris Paul", "2007-08", {PASSER, CREATOR}, {PERIMETER}),
    ("Jason Kidd", "2001-02", {PASSER}, {PERIMETER, DREB}),
    ("Rajon Rondo", "2011-12", {PASSER}, {PERIMETER}),
    ("Draymond Green", "2015-16", {PASSER, SECONDARY}, None),
    ("Nikola Jokić", "2021-22", {POST, CREATOR, PASSER, SECONDARY}, None),  # MVP
    ("Ray Allen", "2009-10", {SHOOTER, WING}, None),
    ("Reggie Miller", "1999-00", {SHOOTER, WING}, None),
    ("Klay Thompson", "2018-19", {SHOOTER, WING}, None),
    ("Bruce Bowen", "2004-05", {SHOOTER}, None),
    ("Karl Malone", "1996-97", {POST}, None),  # MVP
    ("Pau Gasol", "2008-09", {POST}, None),
    ("Joel Embiid", "2022-23", {POST, CREATOR}, {RIM}),  # MVP
    ("Giannis Antetokounmpo", "2019-20", {CREATOR, POST}, None),  # MVP, DPOY
    ("Dwight Howard", "2008-09", {RUNNER, POST}, {RIM}),  # DPOY
    ("DeAndre Jordan", "2014-15", {RUNNER}, {RIM, DREB}),
    ("Clint Capela", "2017-18", {RUNNER}, None),
    ("Rudy Gobert", "2023-24", {RUNNER}, {RIM}),  # DPOY
    ("Dikembe Mutombo", "2000-01", {RUNNER, REBOUNDER}, {RIM}),  # DPOY
    ("Dennis Rodman", "1996-97", {REBOUNDER, RUNNER}, {DREB}),  # rebounding title
    ("Kawhi Leonard", "2014-15", None, {PERIMETER}),  # DPOY
    ("Gary Payton", "1997-98", None, {PERIMETER}),
]


def reader_table(labelled: pd.DataFrame) -> pd.DataFrame:
    """One row per listed player-season found in ``labelled`` (player_archetypes): his two
    role names, what the reader accepts, and whether each judged axis fits."""
    rows = []
    for player, season, offense, defense in READER_LIST:
        match = labelled[(labelled["PLAYER_NAME"] == player) & (labelled["SEASON"] == season)]
        if match.empty:
            continue
        found = match.iloc[0]
        fits_offense = offense is None or found["ARCHETYPE_NAME"] in offense
        fits_defense = defense is None or found["DEFENSIVE_ROLE_NAME"] in defense
        rows.append({
            "player_season": f"{player} {season}",
            "display": found["ARCHETYPE_DISPLAY"],
            "accepted": " | ".join(
                f"{axis}: {'/'.join(sorted(names))}"
                for axis, names in (("offense", offense), ("defense", defense)) if names
            ),
            "fits": fits_offense and fits_defense,
        })  # fmt: skip
    return pd.DataFrame(rows)
