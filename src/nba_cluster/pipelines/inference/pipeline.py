from kedro.pipeline import Node, Pipeline

from .nodes import label_player_seasons


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=label_player_seasons,
                inputs=["champion_model", "player_features"],
                outputs=["player_archetypes", "archetype_profiles", "similarity_vectors"],
                name="label_player_seasons_node",
            ),
        ]
    )
