from kedro.pipeline import Node, Pipeline

from .nodes import build_similarity_vectors, label_player_seasons, summarize_archetypes


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=label_player_seasons,
                inputs=["champion_model", "player_features"],
                outputs="player_archetypes",
                name="label_player_seasons_node",
            ),
            Node(
                func=summarize_archetypes,
                inputs=["champion_model", "player_archetypes"],
                outputs="archetype_profiles",
                name="summarize_archetypes_node",
            ),
            Node(
                func=build_similarity_vectors,
                inputs=["champion_model", "player_features"],
                outputs="similarity_vectors",
                name="build_similarity_vectors_node",
            ),
        ]
    )
