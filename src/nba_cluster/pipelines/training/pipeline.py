from kedro.pipeline import Node, Pipeline

from .nodes import decide_champion, register_best, search_candidates


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=search_candidates,
                inputs=["player_features", "params:training"],
                outputs="candidate_leaderboard",
                name="search_candidates_node",
            ),
            Node(
                func=register_best,
                inputs=["candidate_leaderboard", "player_features", "params:training"],
                outputs="registered_candidate",
                name="register_best_node",
            ),
            Node(
                func=decide_champion,
                inputs=[
                    "registered_candidate",
                    "candidate_leaderboard",
                    "player_features",
                    "params:training",
                ],
                outputs=["registry_decision", "champion_model"],
                name="decide_champion_node",
            ),
        ]
    )
