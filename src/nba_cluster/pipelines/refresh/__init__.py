"""Keep the season under way fresh: fetch it, rebuild the features, label with the champion."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
