"""The storage tests' S3 server: the shared moto fixtures."""

from tests.s3 import s3_server, s3_store  # noqa: F401 (pytest fixtures)
