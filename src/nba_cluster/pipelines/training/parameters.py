"""``training`` parameters (conf/base/parameters_training.yml): a reversed or empty range, an
unknown model family or axis, or a missing axis is refused before anything is fitted. Each
axis's features are not parameters: they are the feature table's rows of that axis."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, PositiveInt, field_validator, model_validator

from nba_cluster.clustering.candidates import Family
from nba_cluster.features.table import AXES
from nba_cluster.pipelines.parameters import StrictParameters, bar_list


class EvaluationParameters(StrictParameters):
    silhouette_sample_size: PositiveInt
    bootstraps: int = Field(ge=0, le=100)
    sample_fraction: float = Field(gt=0, lt=1)


class SelectionWeights(StrictParameters):
    silhouette: float = Field(ge=0)
    stability: float = Field(ge=0)


class SelectionParameters(StrictParameters):
    max_noise_share: float = Field(ge=0, le=1)
    weights: SelectionWeights
    # the champion's candidate is kept while its score is within this margin of the best
    incumbent_margin: float = Field(ge=0)
    # within this margin of the best, the candidate with the fewest clusters is preferred
    parsimony_margin: float = Field(ge=0)


class NamingParameters(StrictParameters):
    trait_threshold: float = Field(gt=0)
    continuity_max_distance: float = Field(ge=0)
    hybrid_min_share: float = Field(ge=0, le=1)


# Every family's own parameters are checked by scikit-learn; the lists must not be empty, or
# the family silently drops out of the search.
SearchSpace = dict[str, dict[str, Annotated[bar_list(Any), Field(min_length=1)]]]


class AxisParameters(StrictParameters):
    """One axis's search: every family still competes on each axis."""

    # the documented range k is chosen in, by stability
    cluster_count_range: Annotated[bar_list(PositiveInt), Field(min_length=2, max_length=2)]
    search_space: Annotated[SearchSpace, Field(min_length=1)]

    @field_validator("cluster_count_range")
    @classmethod
    def _ordered(cls, bounds: list[int]) -> list[int]:
        if bounds[0] > bounds[1]:
            raise ValueError(f"[{bounds[0]}, {bounds[1]}] is reversed: [low, high] expected")
        return bounds

    @model_validator(mode="after")
    def _known_families(self) -> AxisParameters:
        unknown = sorted(set(self.search_space) - set(Family))
        if unknown:
            raise ValueError(f"unknown model families {unknown}; known: {', '.join(Family)}")
        return self


class TrainingParameters(StrictParameters):
    seed: int = Field(ge=0)
    # processes the search spreads its candidates over, the kedro one included: -1 every core
    search_workers: int = Field(ge=-1)
    pca_components: Annotated[bar_list(PositiveInt | None), Field(min_length=1)]
    axes: dict[str, AxisParameters]
    evaluation: EvaluationParameters
    selection: SelectionParameters
    naming: NamingParameters

    @model_validator(mode="after")
    def _consistent(self) -> TrainingParameters:
        if sorted(self.axes) != sorted(AXES):
            raise ValueError(f"axes {sorted(self.axes)}: exactly {', '.join(AXES)} expected")
        if self.search_workers == 0:
            raise ValueError("search_workers 0: 1 (in process), n processes or -1 (every core)")
        return self
