"""Reports in S3: ``s3://bucket/key`` targets for ``--output``, prefixes for ``merge``.

Writes upload a finished local file (``upload_file``: multipart for large reports, one PUT
otherwise, so readers never see half a report). A key ending in ``/`` is a folder: the report
gets a name there (``shard-K-of-N.json``, or ``report.json``), so every shard of an array job
can be given the same ``--output``. Clients come from the scan's session: its credentials,
region and ``--endpoint-url`` (an emulator) apply.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.errors import AuditError, UsageError

_S3_URL = re.compile(r"^s3://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(.*))?$")


@dataclass(frozen=True, slots=True)
class S3Location:
    bucket: str
    key: str  # "" or ending in "/" for a prefix

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def named(self, name: str) -> S3Location:
        """A folder location gets ``name`` appended; a full key stays as it is."""
        if self.key == "" or self.key.endswith("/"):
            return S3Location(self.bucket, self.key + name)
        return self


def is_s3_url(text: str | None) -> bool:
    return bool(text) and str(text).startswith("s3://")


def parse_s3_url(text: str) -> S3Location:
    match = _S3_URL.match(text)
    if match is None:
        raise UsageError(f"{text!r} is not an S3 location (s3://bucket/key or s3://bucket/prefix/)")
    return S3Location(match.group(1), match.group(2) or "")


def upload(client: Any, path: Path, location: S3Location, content_type: str) -> None:
    try:
        client.upload_file(
            str(path), location.bucket, location.key, ExtraArgs={"ContentType": content_type}
        )
    except (ClientError, BotoCoreError) as exc:
        raise AuditError(f"cannot write {location.url}: {_message(exc)}") from None


def list_keys(client: Any, location: S3Location, suffix: str = ".json") -> list[str]:
    """Keys under the prefix ending in ``suffix``, sorted; a full key is itself."""
    if location.key and not location.key.endswith("/"):
        return [location.key]
    try:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=location.bucket, Prefix=location.key
        )
        keys = [o["Key"] for p in pages for o in p.get("Contents") or () if "Key" in o]
    except (ClientError, BotoCoreError) as exc:
        raise AuditError(f"cannot list {location.url}: {_message(exc)}") from None
    return sorted(k for k in keys if k.endswith(suffix))


def read_bytes(client: Any, bucket: str, key: str) -> bytes:
    try:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        data: bytes = body.read()
        return data
    except (ClientError, BotoCoreError) as exc:
        raise AuditError(f"cannot read s3://{bucket}/{key}: {_message(exc)}") from None


def _message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', '')}".strip()
    return str(exc)
