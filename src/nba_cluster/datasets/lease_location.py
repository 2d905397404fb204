"""Where a lease lives, as a catalog entry: every process that trains reads the same place."""

from __future__ import annotations

from typing import Any

from kedro.io import AbstractDataset, DatasetError


class LeaseLocation(AbstractDataset[None, str]):
    """A lease's location (``framework.lease.lease_at`` takes it): a local path, relative to
    the project, or an object-store URL. Read-only: a lease is held, never saved."""

    def __init__(self, location: str, metadata: dict | None = None) -> None:
        self._location = location
        self.metadata = metadata

    def load(self) -> str:
        return self._location

    def save(self, data: None) -> None:
        raise DatasetError(f"{self._location} is where a lease lives; nothing is saved there")

    def _describe(self) -> dict[str, Any]:
        return {"location": self._location}
