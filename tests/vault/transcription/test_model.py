"""The bundled model is assembled once, verified, reused, never left half-built; loaded once."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from faster_whisper import WhisperModel

from vault.config import Settings
from vault.transcription import model as model_module
from vault.transcription.model import (
    BASE_MODEL_DIR,
    BASE_MODEL_SHA256,
    BadModel,
    SplitModel,
    assemble_base_model,
    load_model,
    model_path,
)

MODEL_FILES = [".verified", "config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
LOCK = f"{BASE_MODEL_DIR}.lock"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _split(tmp_path: Path, *, parts: tuple[bytes, ...], sha256: str | None = None) -> SplitModel:
    """A small split model on disk, hashing to `sha256` (by default, to its parts' bytes)."""
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    paths = []
    for index, data in enumerate(parts, start=1):
        path = source / f"model.bin.part{index}"
        path.write_bytes(data)
        paths.append(path)
    (source / "config.json").write_text("{}")
    (source / "tokenizer.json").write_text("{}")
    return SplitModel(
        parts=tuple(paths),
        files=(source / "config.json", source / "tokenizer.json"),
        sha256=sha256 or hashlib.sha256(b"".join(parts)).hexdigest(),
    )


def test_the_bundled_model_is_assembled_and_verified(model_cache_dir: Path) -> None:
    target = model_cache_dir / BASE_MODEL_DIR
    assert sorted(path.name for path in target.iterdir()) == MODEL_FILES
    assert _sha256(target / "model.bin") == BASE_MODEL_SHA256
    assert sorted(path.name for path in model_cache_dir.iterdir()) == [BASE_MODEL_DIR, LOCK]


def test_a_verified_model_is_reused_without_reading_the_parts(model_cache_dir: Path) -> None:
    before = (model_cache_dir / BASE_MODEL_DIR / "model.bin").stat()
    unreadable = SplitModel(parts=(Path("/nonexistent/part1"),), files=(), sha256=BASE_MODEL_SHA256)
    target = assemble_base_model(model_cache_dir, source=unreadable)
    assert target == model_cache_dir / BASE_MODEL_DIR
    after = (target / "model.bin").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_corrupted_part_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    good = (b"first half of the weights ", b"second half of the weights")
    source = _split(tmp_path, parts=(good[0], b"second half of the weighty"))
    source = SplitModel(source.parts, source.files, hashlib.sha256(b"".join(good)).hexdigest())
    cache = tmp_path / "cache"
    with pytest.raises(BadModel, match=r"damaged: model\.bin's SHA-256 is [0-9a-f]{64}, not"):
        assemble_base_model(cache, source=source)
    assert [path.name for path in cache.iterdir()] == [LOCK]


def test_a_missing_part_is_a_clear_error(tmp_path: Path) -> None:
    source = _split(tmp_path, parts=(b"one", b"two"))
    source.parts[1].unlink()  # type: ignore[attr-defined]
    cache = tmp_path / "cache"
    with pytest.raises(BadModel, match=r"model\.bin\.part2 cannot be read"):
        assemble_base_model(cache, source=source)
    assert [path.name for path in cache.iterdir()] == [LOCK]


def test_a_copy_damaged_after_verification_is_rebuilt(tmp_path: Path) -> None:
    source = _split(tmp_path, parts=(b"one " * 1000, b"two " * 1000))
    cache = tmp_path / "cache"
    target = assemble_base_model(cache, source=source)
    with (target / "model.bin").open("r+b") as model_bin:
        model_bin.truncate(100)  # a disk that filled up, a careless hand
    assert assemble_base_model(cache, source=source) == target
    assert (target / "model.bin").read_bytes() == b"one " * 1000 + b"two " * 1000


def test_an_unverified_directory_is_replaced(tmp_path: Path) -> None:
    source = _split(tmp_path, parts=(b"one", b"two"))
    cache = tmp_path / "cache"
    (cache / BASE_MODEL_DIR).mkdir(parents=True)
    (cache / BASE_MODEL_DIR / "model.bin").write_bytes(b"left over from who knows what")
    target = assemble_base_model(cache, source=source)
    assert (target / "model.bin").read_bytes() == b"onetwo"
    assert sorted(path.name for path in target.iterdir()) == [
        ".verified",
        "config.json",
        "model.bin",
        "tokenizer.json",
    ]


def test_threads_racing_build_one_good_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = (os.urandom(4 << 20), os.urandom(4 << 20))
    source = _split(tmp_path, parts=parts)
    builds = 0
    real_build = model_module._build

    def counting_build(staging: Path, split: SplitModel) -> None:
        nonlocal builds
        builds += 1
        real_build(staging, split)

    monkeypatch.setattr(model_module, "_build", counting_build)
    cache = tmp_path / "cache"
    start = threading.Barrier(6)

    def assemble() -> Path:
        start.wait()
        return assemble_base_model(cache, source=source)

    with ThreadPoolExecutor(6) as pool:
        targets = set(pool.map(lambda _: assemble(), range(6)))
    assert targets == {cache / BASE_MODEL_DIR}
    assert builds == 1
    assert (cache / BASE_MODEL_DIR / "model.bin").read_bytes() == b"".join(parts)
    assert sorted(path.name for path in cache.iterdir()) == [BASE_MODEL_DIR, LOCK]


RACER = """
import sys
from pathlib import Path
from vault.transcription.model import assemble_base_model
sys.stdin.readline()  # start together
target = assemble_base_model(Path(sys.argv[1]))
print(target, (target / "model.bin").stat().st_ino)
"""


def test_worker_processes_starting_together_end_with_one_good_model(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(cache)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for racer in racers:
        assert racer.stdin is not None
        racer.stdin.write("go\n")
        racer.stdin.flush()
    outputs = [racer.communicate(timeout=120)[0] for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0, 0]
    # One process built it; the others waited on the lock and reused it (same file).
    assert len(set(outputs)) == 1
    assert _sha256(cache / BASE_MODEL_DIR / "model.bin") == BASE_MODEL_SHA256
    assert sorted(path.name for path in cache.iterdir()) == [BASE_MODEL_DIR, LOCK]


def test_model_path_assembles_base_and_passes_anything_else_through(
    model_settings: Settings, tmp_path: Path
) -> None:
    assert model_path(model_settings) == str(
        model_settings.resolved_model_cache_dir / "whisper-base"
    )
    assert model_path(Settings(whisper_model="small")) == "small"
    assert model_path(Settings(whisper_model=str(tmp_path))) == str(tmp_path)


def test_the_model_is_loaded_once_per_process(
    model_settings: Settings, whisper: WhisperModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_model(model_settings) is whisper
    monkeypatch.setattr(model_module, "_loaded", dict(model_module._loaded))  # undone after
    monkeypatch.setattr(os, "getpid", os.getppid)  # as if forked
    child = load_model(model_settings)
    assert child is not whisper
    assert load_model(model_settings) is child


def test_settings_reach_faster_whisper(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    made: list[tuple[str, dict[str, Any]]] = []

    def fake_model(path: str, **options: Any) -> object:
        made.append((path, options))
        return object()

    monkeypatch.setattr(model_module, "WhisperModel", fake_model)
    monkeypatch.setattr(model_module, "_loaded", {})
    load_model(Settings(whisper_model=str(tmp_path), whisper_threads=0, whisper_compute_type="f32"))
    load_model(Settings(whisper_model="small", whisper_device="cuda", whisper_threads=3))
    assert made == [
        (
            str(tmp_path),
            {
                "device": "cpu",
                "compute_type": "f32",
                "cpu_threads": os.cpu_count(),
                "local_files_only": True,
            },
        ),
        (
            "small",
            {"device": "cuda", "compute_type": "int8", "cpu_threads": 3, "local_files_only": False},
        ),
    ]
