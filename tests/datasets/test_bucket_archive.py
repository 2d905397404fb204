"""Backup and restore of a bucket prefix as a tar stream, against moto's S3 server: the objects
come back byte for byte under their keys, and a restore leaves exactly the archive's objects."""

from __future__ import annotations

import io

import fsspec

from nba_cluster.services.bucket_archive import export_objects, import_objects
from tests.support.object_store import object_keys


def test_objects_round_trip_through_an_archive(storage_url):
    fs = fsspec.filesystem("s3")
    objects = {
        "07_model_output/inference_manifest.json": b'{"version": "v1"}',
        "07_model_output/player_archetypes.parquet/v1/player_archetypes.parquet": b"PAR1...",
        "01_raw/leaguedashplayerstats/2003-04_playoffs.json": b"{}",
    }
    for key, body in objects.items():
        fs.pipe_file(f"{storage_url}/{key}", body)
    fs.pipe_file(f"{storage_url}-other/kept.json", b"not under the prefix")

    archive = io.BytesIO()
    assert export_objects(storage_url, archive) == 3

    fs.pipe_file(f"{storage_url}/written-after-the-backup.json", b"{}")
    fs.rm(f"{storage_url}/01_raw", recursive=True)
    archive.seek(0)
    assert import_objects(storage_url, archive) == 3

    fs.invalidate_cache()
    assert object_keys(storage_url) == sorted(objects)
    for key, body in objects.items():
        assert fs.cat_file(f"{storage_url}/{key}") == body
    assert fs.cat_file(f"{storage_url}-other/kept.json") == b"not under the prefix"
