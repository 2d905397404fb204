from kedro.pipeline import Node, Pipeline

from .nodes import (
    assemble_season_totals,
    check_fouls_drawn,
    combine_season_types,
    compute_rate_features,
    standardize_within_season,
    validate_player_features,
)


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=assemble_season_totals,
                inputs=["raw_responses", "params:ingestion"],
                outputs="season_totals",
                name="assemble_season_totals_node",
            ),
            Node(
                func=combine_season_types,
                inputs=["season_totals", "params:feature_engineering.playoff_weight"],
                outputs="player_season_totals",
                name="combine_season_types_node",
            ),
            Node(
                func=compute_rate_features,
                inputs=[
                    "player_season_totals",
                    "params:feature_engineering.min_minutes",
                    "params:feature_engineering.min_games",
                    "params:feature_engineering.shooting_prior_attempts",
                ],
                outputs="player_rates_unchecked",
                name="compute_rate_features_node",
            ),
            Node(
                func=check_fouls_drawn,
                inputs=[
                    "player_rates_unchecked",
                    "params:feature_engineering.plausible_pfd_per_fta",
                ],
                outputs="player_rates",
                name="check_fouls_drawn_node",
            ),
            Node(
                func=standardize_within_season,
                inputs=["player_rates", "params:feature_engineering.z_clip"],
                outputs="player_features_unchecked",
                name="standardize_within_season_node",
            ),
            Node(
                func=validate_player_features,
                inputs=[
                    "player_features_unchecked",
                    "params:feature_engineering.z_clip",
                    "params:feature_engineering.plausible_pfd_per_fta",
                ],
                outputs="player_features",
                name="validate_player_features_node",
            ),
        ]
    )
