"""The objects under an object-store prefix as one tar stream, for docker/backup.sh and
docker/restore.sh in the storage overlay (docs/storage.md): the backup of a bucket is its
objects, byte for byte, under their keys relative to the prefix.

    python -m nba_cluster.services.bucket_archive export s3://bucket/prefix > objects.tar
    python -m nba_cluster.services.bucket_archive import s3://bucket/prefix < objects.tar

``import`` first deletes every object under the prefix: the prefix then holds exactly the
archive. Keys and the endpoint come from the environment, as for the datasets.
"""

from __future__ import annotations

import argparse
import io
import sys
import tarfile
from typing import BinaryIO

from nba_cluster.datasets.locations import filesystem


def export_objects(url: str, stream: BinaryIO) -> int:
    fs, root = filesystem(url)
    fs.invalidate_cache()
    count = 0
    with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(fs.find(root)):
            body = fs.cat_file(path)
            member = tarfile.TarInfo(path.removeprefix(root).lstrip("/"))
            member.size = len(body)
            archive.addfile(member, io.BytesIO(body))
            count += 1
    return count


def import_objects(url: str, stream: BinaryIO) -> int:
    fs, root = filesystem(url)
    fs.invalidate_cache()
    existing = fs.find(root)
    if existing:
        fs.rm(existing)
    count = 0
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            if not member.isfile() or member.name.startswith("/") or ".." in member.name.split("/"):
                continue
            fs.pipe_file(f"{root}/{member.name}", archive.extractfile(member).read())
            count += 1
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nba_cluster.services.bucket_archive")
    parser.add_argument("action", choices=["export", "import"])
    parser.add_argument("url", help="s3://bucket/prefix")
    args = parser.parse_args(argv)
    if args.action == "export":
        count = export_objects(args.url, sys.stdout.buffer)
    else:
        count = import_objects(args.url, sys.stdin.buffer)
    print(f"bucket_archive: {args.action}ed {count} objects ({args.url})", file=sys.stderr)


if __name__ == "__main__":
    main()
