"""Where a dataset lives: a local path or an object-store URL (``s3://bucket/key``), always
handled as a string through fsspec. ``PurePosixPath("s3://b/x")`` is ``s3:/b/x``: a path built
with ``pathlib`` turns a bucket into a local ``./s3:`` folder.

s3fs (like boto3) reads the endpoint and keys from the environment: AWS_ENDPOINT_URL_S3,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; the catalog holds no credentials.
"""

from __future__ import annotations

import os

import fsspec
from fsspec import AbstractFileSystem
from kedro.io.core import get_protocol_and_path


def is_local(location: str) -> bool:
    return get_protocol_and_path(location)[0] == "file"


def filesystem(location: str) -> tuple[AbstractFileSystem, str]:
    """The fsspec filesystem holding ``location`` and the path within it."""
    return fsspec.core.url_to_fs(location)


def version_of(location: str) -> tuple | None:
    """What changes whenever the file or object at ``location`` is replaced; None when there
    is none. A local file: size and mtime in nanoseconds. An object: its ETag and LastModified
    (an object store has no mtime; a rewrite with the same bytes keeps the ETag but not the
    LastModified)."""
    fs, path = filesystem(location)
    try:
        if is_local(location):
            stat = os.stat(path)
            return (stat.st_size, stat.st_mtime_ns)
        fs.invalidate_cache(path)  # s3fs answers from its listings otherwise
        info = fs.info(path)
    except FileNotFoundError:
        return None
    return (info.get("ETag"), str(info.get("LastModified")), info["size"])
