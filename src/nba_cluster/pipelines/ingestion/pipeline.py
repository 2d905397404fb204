from kedro.pipeline import Node, Pipeline

from .nodes import fetch_raw_responses, plan_requests


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=plan_requests,
                inputs=["raw_response_inventory", "params:ingestion"],
                outputs="ingestion_plan",
                name="plan_requests_node",
            ),
            Node(
                func=fetch_raw_responses,
                inputs=["ingestion_plan", "params:ingestion"],
                outputs="raw_responses",
                name="fetch_raw_responses_node",
            ),
        ]
    )
