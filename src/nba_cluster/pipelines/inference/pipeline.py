from kedro.pipeline import Node, Pipeline

from .nodes import label_player_seasons

# The pipeline's outputs, in the order the node returns them; the dashboard reads these.
OUTPUTS = ("player_archetypes", "archetype_profiles", "similarity_vectors")


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=label_player_seasons,
                inputs=["champion_model", "player_features"],
                outputs=list(OUTPUTS),
                name="label_player_seasons_node",
            ),
        ]
    )
