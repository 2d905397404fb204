"""Project pipelines."""

import pkgutil
import re

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

from nba_cluster import pipelines as pipelines_package
from nba_cluster.framework.failures import GuidedFailure


def register_pipelines() -> dict[str, Pipeline]:
    """Register every pipeline under ``pipelines/``; ``__default__`` runs them all.

    Kedro imports only the pipelines a run asks for: an unknown name fails that import, which
    ends the run listing the valid names instead of a hundred-line traceback."""
    try:
        pipelines = find_pipelines(raise_errors=True)
    except ImportError as error:
        unknown = _unknown_pipeline(error)
        if unknown is None:
            raise
        raise GuidedFailure(
            f"There is no pipeline named '{unknown}'. The pipelines are: "
            f"{', '.join(pipeline_names())} (__default__ runs them all in order).\n"
            "What to do: kedro run --pipelines <name>[,<name>...], "
            "e.g. kedro run --pipelines ingestion,feature_engineering"
        ) from error
    pipelines["__default__"] = sum(pipelines.values())
    return pipelines


def pipeline_names() -> list[str]:
    return sorted(
        module.name for module in pkgutil.iter_modules(pipelines_package.__path__) if module.ispkg
    )


def _unknown_pipeline(error: ImportError) -> str | None:
    """The requested name when the import failed because no such pipeline package exists
    (Kedro names the module it could not import in its message)."""
    prefix = re.escape(f"{pipelines_package.__name__}.")
    found = re.search(rf"'{prefix}([^'.]+)' module", str(error))
    if found is None or found.group(1) in pipeline_names():
        return None
    return found.group(1)
