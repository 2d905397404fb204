"""Every dataset type the catalog names (``conf/<env>/catalog.yml``), the data contracts they
check, and the one home of the catalog entry names that code outside the pipelines reads."""

from nba_cluster.datasets.contracts import ModelInputContract
from nba_cluster.datasets.files import AtomicBytesDataset, AtomicDataset, RegisteredModelDataset
from nba_cluster.datasets.manifest import PublicationManifest
from nba_cluster.datasets.raw_store import RawResponseStore

__all__ = [
    "AtomicBytesDataset",
    "AtomicDataset",
    "ModelInputContract",
    "PublicationManifest",
    "RawResponseStore",
    "RegisteredModelDataset",
]
