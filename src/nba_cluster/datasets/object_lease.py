"""A job lease held as one object in an S3-compatible store, so that jobs on different hosts
(the scheduler's refresh and training, a ``kedro run`` started by hand) never overlap:

    with ObjectLease("s3://bucket/prefix/08_reporting/job.lease").hold(wait=False) as held:
        if not held:
            ...  # another job runs: skip, and say so

- Taken by a conditional PUT (``If-None-Match: *``): the store refuses it while the object
  exists, so of two hosts asking at once exactly one gets it.
- It expires: the holder rewrites it every ``ttl_seconds / 3`` while it holds it (``If-Match``
  its own ETag); a holder that dies stops renewing, and after ``ttl_seconds`` another may take
  it over, again conditionally (``If-Match`` the expired object's ETag, so one taker wins).
  Expiry is judged on the store's clock only (the object's LastModified against the ``Date``
  of the store's answer): hosts' clocks may disagree.
- Released on exit (``If-Match`` its ETag: never deletes a lease another holder took over).

The same ``hold`` interface as ``nba_cluster.framework.lease`` (its local ``flock`` lease).
boto3 reads the endpoint and keys from the environment (AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY), as s3fs does for the datasets.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import boto3
from botocore.exceptions import ClientError
from kedro.io.core import get_protocol_and_path

logger = logging.getLogger(__name__)

_REFUSED = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}


class ObjectLease:
    """``label`` says what the holder does (e.g. the job), for whoever finds it held. ``lost``
    is set when a renewal found the lease taken over (this holder stalled for longer than
    ``ttl_seconds``): the job should stop."""

    def __init__(
        self,
        location: str,
        *,
        label: str = "",
        ttl_seconds: float = 60.0,
        poll_seconds: float = 2.0,
    ) -> None:
        protocol, path = get_protocol_and_path(location)
        if protocol not in {"s3", "s3a"}:
            raise ValueError(f"{location} is not an s3:// location")
        self.location = location
        self._bucket, _, self._key = path.partition("/")
        self._ttl = ttl_seconds
        self._poll = poll_seconds
        self._holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._label = label
        self._client = boto3.client("s3")
        self._etag: str | None = None
        self.lost = threading.Event()

    def holder(self) -> dict | None:
        """Who holds it and until when by the store's clock; None when nobody does."""
        current = self._current()
        return None if current is None or current["expired"] else current["body"]

    @contextlib.contextmanager
    def hold(self, *, wait: bool = True, timeout_seconds: float | None = None) -> Iterator[bool]:
        """True while held; False at once when another holds it and ``wait`` is False. Waiting
        longer than ``timeout_seconds`` raises ``TimeoutError`` (as ``framework.lease`` does)."""
        deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
        while not self._take():
            if not wait:
                yield False
                return
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"{self.location} stayed held for {timeout_seconds:g} s")
            time.sleep(self._poll)
        stop = threading.Event()
        renewer = threading.Thread(target=self._renew_until, args=(stop,), daemon=True)
        renewer.start()
        try:
            yield True
        finally:
            stop.set()
            renewer.join()
            self._release()

    def _body(self) -> bytes:
        body = {"holder": self._holder, "label": self._label, "ttl_seconds": self._ttl}
        return json.dumps(body).encode()

    def _put(self, **condition: str) -> bool:
        try:
            answer = self._client.put_object(
                Bucket=self._bucket, Key=self._key, Body=self._body(), **condition
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _REFUSED:
                return False
            raise
        self._etag = answer["ETag"]
        return True

    def _take(self) -> bool:
        if self._put(IfNoneMatch="*"):
            return True
        current = self._current()
        if current is None:  # released in between: ask again at once
            return self._put(IfNoneMatch="*")
        if current["expired"]:
            logger.warning("Taking over %s: %s stopped renewing it", self.location, current["body"])
            return self._put(IfMatch=current["etag"])
        return False

    def _current(self) -> dict | None:
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=self._key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise
        try:
            body = json.loads(answer["Body"].read())
        except ValueError:
            body = {}
        now = parsedate_to_datetime(answer["ResponseMetadata"]["HTTPHeaders"]["date"])
        age = (now - answer["LastModified"]).total_seconds()
        ttl = float(body.get("ttl_seconds", self._ttl))
        return {"etag": answer["ETag"], "body": body, "expired": age > ttl}

    def _renew_until(self, stop: threading.Event) -> None:
        while not stop.wait(self._ttl / 3):
            try:
                renewed = self._put(IfMatch=self._etag)
            except Exception:  # the store unreachable for a moment: the next round retries
                logger.exception("Could not renew %s", self.location)
                continue
            if not renewed:
                logger.error("Lost %s: it expired and another holder took it", self.location)
                self.lost.set()
                return

    def _release(self) -> None:
        if self.lost.is_set():
            return
        try:
            self._client.delete_object(Bucket=self._bucket, Key=self._key, IfMatch=self._etag)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in _REFUSED:
                raise
