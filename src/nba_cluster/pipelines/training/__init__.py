"""Search clusterers, track each in MLflow, register the best as the archetype model."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
