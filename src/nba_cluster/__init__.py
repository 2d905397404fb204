"""NBA player-archetype discovery."""

__version__ = "0.1.0"
