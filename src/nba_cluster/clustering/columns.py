"""The columns the registered model adds to every player-season, per axis: their one home.

Kept apart from ``model.py`` (and free of scikit-learn and MLflow) so the dashboard reads the
labelled table by these names without importing the model's dependencies.
"""

from __future__ import annotations

# One axis's columns, by what they say; ``AXIS_COLUMNS`` gives their names in the output.
ROLE_FIELDS = [
    "ID",
    "NAME",
    "CONFIDENCE",  # membership share of the role
    "RUNNER_UP_ID",
    "RUNNER_UP_NAME",
    "RUNNER_UP_SHARE",
    "HYBRID_NAME",  # "Shot creator / Scoring wing" when the runner-up share is large enough
    "CENTROID_DISTANCE",
    "MAP_X",
    "MAP_Y",
]
# The offensive role keeps the single-axis model's column names (ARCHETYPE_ID, ...): what a
# player-season's archetype is; the defensive role's columns say so.
AXIS_COLUMNS = {
    "offense": {
        field: {"ID": "ARCHETYPE_ID", "NAME": "ARCHETYPE_NAME"}.get(field, field)
        for field in ROLE_FIELDS
    },
    "defense": {
        field: f"DEFENSIVE_ROLE_{field}" if field in ("ID", "NAME") else f"DEFENSIVE_{field}"
        for field in ROLE_FIELDS
    },
}
AXIS_TITLES = {"offense": "Offensive role", "defense": "Defensive role"}
DISPLAY_COLUMN = "ARCHETYPE_DISPLAY"  # "Shot creator · Perimeter disruptor"
DISPLAY_SEPARATOR = " · "
OUTPUT_COLUMNS = [
    *AXIS_COLUMNS["offense"].values(),
    *AXIS_COLUMNS["defense"].values(),
    DISPLAY_COLUMN,
]
