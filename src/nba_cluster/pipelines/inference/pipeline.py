from kedro.pipeline import Node, Pipeline

from .nodes import label_player_seasons, publish

# The pipeline's outputs, in the order the node returns them; the dashboard reads these, at the
# save version the manifest names (written last, so readers never mix two runs' outputs).
OUTPUTS = ("player_archetypes", "archetype_profiles", "similarity_vectors")
MANIFEST = "inference_manifest"


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=label_player_seasons,
                inputs=["champion_model", "player_features"],
                outputs=list(OUTPUTS),
                name="label_player_seasons_node",
            ),
            Node(
                func=publish,
                inputs=list(OUTPUTS),
                outputs=MANIFEST,
                name="publish_inference_node",
            ),
        ]
    )
