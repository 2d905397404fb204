"""A real S3 API on 127.0.0.1 for tests: moto's server (in a thread of the test process), with
the endpoint and keys in the environment, where s3fs and boto3 read them in production too."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import s3fs
from moto.server import ThreadedMotoServer

TEST_KEYS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def storage_url(s3_endpoint, monkeypatch, tmp_path) -> Iterator[str]:
    """``s3://<a new bucket>/data``, with the working directory in ``tmp_path``, where a path
    mistaken for a local one would create an ``s3:`` folder (checked after the test)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name, value in TEST_KEYS.items():
        monkeypatch.setenv(name, value)
    s3fs.S3FileSystem.clear_instance_cache()  # instances keep the endpoint they were made with
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    monkeypatch.chdir(tmp_path)
    yield f"s3://{bucket}/data"
    assert local_s3_folders(tmp_path) == []
    s3fs.S3FileSystem.clear_instance_cache()


def local_s3_folders(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.name.startswith("s3:")]


def object_keys(url: str) -> list[str]:
    """Every key under ``url`` (s3://bucket/prefix), relative to it, sorted."""
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    prefix = f"{prefix}/" if prefix else ""
    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                        Prefix=prefix)  # fmt: skip
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    return sorted(key.removeprefix(prefix) for key in keys)
