from kedro.pipeline import Pipeline

from nba_cluster.pipelines import feature_engineering, inference, ingestion


def create_pipeline(**kwargs) -> Pipeline:
    """Ingestion, feature engineering and inference as they are, in one run, with no training:
    the champion labels the new data. Run with ``ingestion.last_season=current`` (the
    scheduler's refresh job sets it): completed seasons come from disk, only the season under
    way is fetched again once its copy is older than ``current_season_max_age_hours``."""
    return (
        ingestion.create_pipeline()
        + feature_engineering.create_pipeline()
        + inference.create_pipeline()
    )
