"""Turn raw Totals responses into ``player_features``: era-adjusted role descriptors."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
