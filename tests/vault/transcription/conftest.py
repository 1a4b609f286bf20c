"""The real bundled base model (assembled once per run by the root conftest), loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest
from faster_whisper import WhisperModel

from vault.config import Settings
from vault.transcription.model import load_model

THREADS = 2


@pytest.fixture(scope="session")
def model_settings(model_cache_dir: Path) -> Settings:
    return Settings(
        whisper_model="base",
        whisper_device="cpu",
        whisper_compute_type="int8",
        whisper_threads=THREADS,
        model_cache_dir=model_cache_dir,
    )


@pytest.fixture(scope="session")
def whisper(model_settings: Settings) -> WhisperModel:
    return load_model(model_settings)
