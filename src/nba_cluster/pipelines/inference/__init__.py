"""Label every player-season with the registered champion."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
