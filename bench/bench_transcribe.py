"""Benchmark the transcription pipeline against bare faster-whisper measured in the same run.

Spoken calls are made with espeak-ng (a support-call dialogue, English or Turkish) and
transcribed on the CPU with the bundled base model. Prints, each against its baseline:

1. throughput (audio seconds per second) of our pipeline, ``decode`` + ``transcribe``, on a
   mono call with short pauses, against a bare ``WhisperModel.transcribe`` of the same file
   with the same model, threads and beam size: with faster-whisper's default options, and
   with the options we use (word timestamps, VAD, no conditioning on previous text), so
   that the cost of the options and the cost of our code show apart (target >= 0.9x);
2. on a two-channel call with realistic silences (turns alternating between the sides,
   pauses, a hold), what VAD saves (with against without) and what transcribing each side
   costs against transcribing the two sides mixed down to mono; with the words recovered,
   since a faster run that loses words is no saving.

Run: ``.venv/bin/python bench/bench_transcribe.py [--lang en|tr] [--threads N] [--beam-size B]``
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from faster_whisper import WhisperModel

from models.schemas import Channels, Speaker, Transcript
from vault.audio.decode import decode
from vault.config import Settings
from vault.transcription.engine import VAD_OPTIONS, transcribe
from vault.transcription.model import load_model

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for the tests' espeak helper
from tests import speech

LANGUAGES = ("tr", "en")
T = TypeVar("T")

# (speaker, line): a support call, agent and customer taking turns; None is a hold.
DIALOGUE = {
    "en": [
        ("agent", "Good morning, thank you for calling customer support. My name is Alex."),
        ("customer", "Hello, I have a question about my last invoice."),
        ("agent", "Of course. Could you give me your customer number, please?"),
        ("customer", "Yes, it is four five seven, two one nine, eight eight three."),
        ("agent", "Thank you. One moment please, I am looking at your account."),
        ("agent", None),
        ("agent", "I can see the invoice from March. What seems to be the problem?"),
        ("customer", "I was charged twice for the same month, and I would like a refund."),
        ("agent", "I understand. I will open a refund request for the second payment."),
        ("customer", "How long will that take?"),
        ("agent", "It usually takes five to seven working days to reach your card."),
        ("customer", "Alright, thank you very much for your help."),
        ("agent", "You are welcome. Is there anything else I can do for you today?"),
        ("customer", "No, that is all. Goodbye."),
        ("agent", "Goodbye, and have a nice day."),
    ],
    "tr": [
        ("agent", "Günaydın, müşteri hizmetlerine hoş geldiniz. Ben Ayşe."),
        ("customer", "Merhaba, son faturam hakkında bilgi almak istiyorum."),
        ("agent", "Tabii. Müşteri numaranızı alabilir miyim?"),
        ("customer", "Evet, dört beş yedi, iki bir dokuz, sekiz sekiz üç."),
        ("agent", "Teşekkür ederim. Bir dakika lütfen, hesabınıza bakıyorum."),
        ("agent", None),
        ("agent", "Mart ayı faturanızı görüyorum. Sorun nedir?"),
        ("customer", "Aynı ay için iki kez ödeme alındı, iade istiyorum."),
        ("agent", "Anlıyorum. İkinci ödeme için bir iade talebi açıyorum."),
        ("customer", "Bu ne kadar sürer?"),
        ("agent", "Genellikle beş ile yedi iş günü içinde kartınıza yansır."),
        ("customer", "Tamam, yardımınız için çok teşekkür ederim."),
        ("agent", "Rica ederim. Başka yardımcı olabileceğim bir konu var mı?"),
        ("customer", "Hayır, hepsi bu. Hoşça kalın."),
        ("agent", "İyi günler dilerim."),
    ],
}
HOLD_SECONDS = 8.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=sorted(DIALOGUE), default="en", help="dialogue (en)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="CPU threads")
    parser.add_argument("--beam-size", type=int, default=5, help="beam size (5)")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs (3)")
    parser.add_argument("--cache-dir", type=Path, help="model cache (a temporary directory)")
    return parser.parse_args()


def mono_call(lang: str) -> bytes:
    """The dialogue on one channel, turns 0.4 s apart, no hold: mostly speech."""
    utterances, at = [], 0.3
    for _, line in DIALOGUE[lang]:
        if line is not None:
            said = speech.speak(line, lang=lang)
            utterances.append((at, said))
            at += speech.duration(said) + 0.4
    return speech.place(utterances)


def stereo_call(lang: str) -> tuple[bytes, int]:
    """The dialogue across two channels (agent left) with pauses and a hold; and its words."""
    sides: dict[str, list[speech.Utterance]] = {"agent": [], "customer": []}
    pauses = [0.8, 1.5, 0.6, 2.5, 1.0, 0.7, 3.0, 1.2]
    at, words = 0.5, 0
    for turn, (who, line) in enumerate(DIALOGUE[lang]):
        if line is None:
            at += HOLD_SECONDS
            continue
        said = speech.speak(line, lang=lang)
        sides[who].append((at, said))
        at += speech.duration(said) + pauses[turn % len(pauses)]
        words += len(line.split())
    return speech.stereo(sides["agent"], sides["customer"]), words


def interleaved(
    runs: int, works: dict[str, Callable[[], T]]
) -> tuple[dict[str, float], dict[str, T]]:
    """The shortest of `runs` timed runs of each, and each one's last result.

    The runs take turns, so that a slow spell of a shared machine hits every contender alike.
    """
    times: dict[str, list[float]] = {name: [] for name in works}
    results: dict[str, T] = {}
    for _ in range(runs):
        for name, work in works.items():
            start = time.perf_counter()
            results[name] = work()
            times[name].append(time.perf_counter() - start)
    return {name: min(spent) for name, spent in times.items()}, results


def ours(
    model: WhisperModel, path: Path, *, channels: Channels, beam: int, vad: bool = True
) -> Transcript:
    with path.open("rb") as source:
        audio = decode(source)
    return transcribe(
        audio, model=model, channels=channels, languages=LANGUAGES, beam_size=beam, vad=vad
    )


def bare(model: WhisperModel, path: Path, *, beam: int, our_options: bool) -> tuple[str, str]:
    """faster-whisper alone: its language (detected among all it knows) and its text."""
    options: dict[str, object] = {}
    if our_options:
        options = {
            "word_timestamps": True,
            "vad_filter": True,
            "vad_parameters": VAD_OPTIONS,
            "condition_on_previous_text": False,
        }
    segments, info = model.transcribe(str(path), beam_size=beam, **options)
    return info.language, " ".join(segment.text.strip() for segment in segments)


def rate(audio_seconds: float, seconds: float) -> str:
    return f"{audio_seconds / seconds:6.2f} audio s/s ({seconds:6.2f} s)"


def main() -> None:
    args = parse_args()
    if not speech.have_espeak():
        raise SystemExit("espeak-ng is needed to make the test calls")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            whisper_model="base",
            whisper_device="cpu",
            whisper_compute_type="int8",
            whisper_threads=args.threads,
            model_cache_dir=args.cache_dir or Path(tmp) / "models",
        )
        model = load_model(settings)
        work = Path(tmp)
        mono_path, stereo_path = work / "mono.wav", work / "stereo.wav"
        mono_path.write_bytes(mono_call(args.lang))
        stereo_wav, spoken_words = stereo_call(args.lang)
        stereo_path.write_bytes(stereo_wav)
        beam = args.beam_size
        print(
            f"base int8 on CPU, {args.threads} threads, beam {beam}, {args.lang} dialogue, "
            f"best of {args.runs}"
        )
        # Warm up: VAD model, CTranslate2 kernels, page cache.
        ours(model, mono_path, channels=Channels.MONO, beam=1)

        mono_seconds = decode(io.BytesIO(mono_path.read_bytes())).duration
        print(f"\n1. throughput on a {mono_seconds:.1f} s mono call")
        spent, said = interleaved(
            args.runs,
            {
                "bare": lambda: bare(model, mono_path, beam=beam, our_options=False),
                "same": lambda: bare(model, mono_path, beam=beam, our_options=True),
                "ours": lambda: ours(model, mono_path, channels=Channels.MONO, beam=beam),
            },
        )
        print(f"  bare faster-whisper, default options: {rate(mono_seconds, spent['bare'])}")
        print(f"  bare faster-whisper, our options:     {rate(mono_seconds, spent['same'])}")
        print(f"  ours, decode + transcribe:            {rate(mono_seconds, spent['ours'])}")
        print(
            f"  ours / bare with our options: {spent['same'] / spent['ours']:.2f}x (target >= 0.9x)"
        )
        print(f"  ours / bare with default options: {spent['bare'] / spent['ours']:.2f}x")
        result, bare_said = said["ours"], said["same"]
        assert isinstance(result, Transcript)
        assert isinstance(bare_said, tuple)
        bare_language, bare_text = bare_said
        print(
            f"  language: ours {result.language}, {len(result.text.split())} words; "
            f"bare {bare_language}, {len(bare_text.split())} words"
        )
        if bare_language != result.language:
            print("  (bare faster-whisper took the call for another language: not comparable)")

        stereo_seconds = decode(io.BytesIO(stereo_wav)).duration
        print(
            f"\n2. a {stereo_seconds:.1f} s two-channel call, {spoken_words} words spoken "
            f"(time, audio s/s, words recovered)"
        )
        rows = [
            ("per channel, VAD (ours)", Channels.AGENT_LEFT, True),
            ("per channel, no VAD", Channels.AGENT_LEFT, False),
            ("mixed to mono, VAD", Channels.MONO, True),
            ("mixed to mono, no VAD", Channels.MONO, False),
        ]
        timings, transcripts = interleaved(
            args.runs,
            {
                label: partial(ours, model, stereo_path, channels=channels, beam=beam, vad=vad)
                for label, channels, vad in rows
            },
        )
        for label, _, _ in rows:
            transcript = transcripts[label]
            words = len(transcript.text.split())
            speakers = {s.speaker for s in transcript.segments} - {Speaker.MIXED}
            sides = f", speakers: {', '.join(sorted(speakers))}" if speakers else ""
            print(f"  {label:24} {rate(stereo_seconds, timings[label])}, {words:3} words{sides}")
        per_vad, per_all = timings[rows[0][0]], timings[rows[1][0]]
        mix_vad, mix_all = timings[rows[2][0]], timings[rows[3][0]]
        print(f"  VAD saves: per channel {per_all / per_vad:.2f}x, mixed {mix_all / mix_vad:.2f}x")
        print(
            f"  per channel / mixed (time): with VAD {per_vad / mix_vad:.2f}x, "
            f"without {per_all / mix_all:.2f}x"
        )


if __name__ == "__main__":
    main()
