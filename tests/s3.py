"""An S3 server for tests: moto's standalone server on loopback, reached through ``minio``.

No MinIO binary can be installed here, so the S3 code paths run against moto's
``ThreadedMotoServer`` over real HTTP, through the same client code as production. A conftest
that needs it imports the fixtures::

    from tests.s3 import s3_server, s3_store  # noqa: F401 (pytest fixtures)
"""

from __future__ import annotations

import logging
import socket
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import urllib3
from minio import Minio
from moto.server import ThreadedMotoServer

from vault.config import Settings
from vault.storage.s3 import S3BlobStore, make_http_client

MiB = 1024 * 1024
TEST_PART_SIZE = 5 * MiB  # S3's smallest part: a 12 MiB object is a real three-part upload


@dataclass(frozen=True)
class S3Server:
    """Where the test S3 server listens, and credentials it accepts (moto accepts any)."""

    endpoint: str  # "127.0.0.1:PORT"
    access_key: str = "test-access-key"
    secret_key: str = "test-secret-key"
    region: str = "us-east-1"

    def client(self) -> Minio:
        return Minio(
            self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
            region=self.region,
            http_client=make_http_client(),
        )

    def settings(self, bucket: str, **overrides: object) -> Settings:
        """Settings for the S3 backend on this server."""
        values: dict[str, object] = {
            "blob_backend": "s3",
            "s3_endpoint": self.endpoint,
            "s3_access_key": self.access_key,
            "s3_secret_key": self.secret_key,
            "s3_region": self.region,
            "s3_bucket": bucket,
            "s3_part_size": TEST_PART_SIZE,
        }
        return Settings.model_validate(values | overrides)

    def incomplete_uploads(self, bucket: str) -> list[str]:
        """Keys with a multipart upload started and neither completed nor aborted."""
        response = urllib3.request("GET", f"http://{self.endpoint}/{bucket}?uploads", timeout=5)
        root = ET.fromstring(response.data)
        return [e.text or "" for e in root.iter() if e.tag.endswith("}Key") or e.tag == "Key"]


def start_moto() -> ThreadedMotoServer:
    """A moto S3 server on a free loopback port, started."""
    # Werkzeug logs every request at INFO; object keys are ids, but tests read logs for leaks.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server


def stop_moto(server: ThreadedMotoServer) -> None:
    """Stop the server and close its listening socket, so that its port refuses connections.

    ``ThreadedMotoServer.stop`` only ends the serving loop: the socket would keep accepting
    connections into its backlog (clients would hang instead of being refused) until collected.
    """
    server.stop()
    assert server._server is not None
    server._server.server_close()


def endpoint_of(server: ThreadedMotoServer) -> str:
    host, port = server.get_host_and_port()
    return f"{host}:{port}"


def free_port() -> int:
    """A loopback port with nothing listening on it (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One moto S3 server for the whole test session."""
    server = start_moto()
    yield S3Server(endpoint=endpoint_of(server))
    stop_moto(server)


@pytest.fixture
def s3_store(s3_server: S3Server) -> Iterator[S3BlobStore]:
    """An S3 blob store on a fresh, empty bucket, removed afterwards."""
    client = s3_server.client()
    store = S3BlobStore(client, f"test-{uuid.uuid4().hex}", part_size=TEST_PART_SIZE)
    store.ensure_bucket()
    yield store
    for key in list(store.keys()):
        store.delete(key)
    client.remove_bucket(store.bucket)
