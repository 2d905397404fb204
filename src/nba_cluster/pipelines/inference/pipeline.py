from kedro.pipeline import Node, Pipeline

from nba_cluster.datasets.names import INFERENCE_MANIFEST, INFERENCE_OUTPUTS

from .nodes import label_player_seasons, publish


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=label_player_seasons,
                inputs=["champion_model", "player_features"],
                outputs=list(INFERENCE_OUTPUTS),  # in the order the node returns them
                name="label_player_seasons_node",
            ),
            Node(
                func=publish,
                # after the three outputs are saved: readers never mix two runs' outputs
                inputs=list(INFERENCE_OUTPUTS),
                outputs=INFERENCE_MANIFEST,
                name="publish_inference_node",
            ),
        ]
    )
