"""Fetch ``leaguedashplayerstats`` responses from stats.nba.com and keep them as received."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
