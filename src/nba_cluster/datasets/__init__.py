"""Every dataset type the catalog names (``conf/<env>/catalog.yml``), the data contracts they
check, and the catalog entry names code outside the pipelines reads (``names.py``).

The types are imported on first use, so a light process (the scheduler) that only needs
``AtomicDataset`` does not load MLflow or pandera with the registry dataset or the contracts.
"""

import importlib

_HOMES = {
    "AtomicBytesDataset": "files",
    "AtomicDataset": "files",
    "LeaseLocation": "lease_location",
    "ModelInputContract": "contracts",
    "PublicationManifest": "manifest",
    "RawResponseStore": "raw_store",
    "RegisteredModelDataset": "registered_model",
}
__all__ = [
    "AtomicBytesDataset",
    "AtomicDataset",
    "LeaseLocation",
    "ModelInputContract",
    "PublicationManifest",
    "RawResponseStore",
    "RegisteredModelDataset",
]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
