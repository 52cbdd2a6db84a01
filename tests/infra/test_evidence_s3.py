"""The S3-compatible evidence store, against moto's S3 server started on loopback:
the same content-addressed behaviour as the folder, and the API storing into it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace

import aiohttp
import pytest

from infra.blobstore import BlobMissing, S3BlobStore, blob_name
from tests.support.desk import file_case
from tests.support.evidence import gps_of, jpeg_with_gps
from tests.support.serving import free_port


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    """moto's standalone S3 server on a free loopback port."""
    pytest.importorskip("moto.server")
    port = free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("moto's S3 server did not start") from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def store(url: str, bucket: str) -> S3BlobStore:
    return S3BlobStore(url, bucket, "test", "test")


async def test_blobs_are_named_by_their_hash(s3_url: str) -> None:
    s3 = store(s3_url, "zx-blobs")
    name = await s3.put(b"a receipt")
    assert name == blob_name(b"a receipt")
    assert await s3.put(b"a receipt") == name  # the same bytes: the same object
    assert await s3.get(name) == b"a receipt"
    assert [n async for n, _at in s3.names()] == [name]
    assert await s3.delete(name) is True
    assert await s3.delete(name) is False
    with pytest.raises(BlobMissing):
        await s3.get(name)
    with pytest.raises(ValueError):
        await s3.get("../../etc/passwd")


@pytest.fixture
def settings(settings, s3_url: str, request: pytest.FixtureRequest):
    bucket = "zx-" + request.node.callspec.id.lower()[:20]
    return replace(
        settings,
        evidence_dir=None,
        evidence_s3_url=s3_url,
        evidence_s3_bucket=bucket,
        evidence_s3_access_key="test",
        evidence_s3_secret_key="test",
    )


async def test_the_api_stores_evidence_in_the_bucket(client, services, settings) -> None:
    assert isinstance(services.evidence_store, S3BlobStore)
    filed = await file_case(client)
    form = aiohttp.FormData()
    form.add_field("file", jpeg_with_gps(), filename="x.jpg", content_type="image/jpeg")
    code = {"X-Access-Code": filed["access_code"]}
    resp = await client.post(
        f"/api/v1/cases/{filed['tracking_no']}/evidence", data=form, headers=code
    )
    assert resp.status == 201, await resp.text()
    item = await resp.json()
    names = [n async for n, _at in services.evidence_store.names()]
    assert item["sha256"] in names and len(names) == 2  # the photo and its thumbnail
    got = await client.get(
        f"/api/v1/cases/{filed['tracking_no']}/evidence/{item['id']}", headers=code
    )
    data = await got.read()
    assert blob_name(data) == item["sha256"] and not gps_of(data)
