"""Benchmark redaction against transcription of the same calls, measured in the same run.

Spoken support calls full of personal data (names, phone numbers, e-mails, card numbers with
expiry and CVV, T.C. kimlik numbers, IBANs, addresses, dates of birth) are made with espeak-ng,
in English and Turkish, mono and two-channel, 30 to 90 seconds each. Each is decoded and
transcribed once with the bundled base model (``decode`` + ``transcribe``, as the worker does),
then the transcript is redacted (``vault.redaction.transcript.redact``: layout, every
recognizer, overlaps, tags, timed spans) several times, with the call's metadata as ``known``.
Prints, per call and in total, the median redaction time against the transcription time
(target: redaction under 1% of transcription), and once, what building the ``Redactor``
(lexicons, patterns) costs, which a worker pays once per process.

Run: ``.venv/bin/python bench/bench_redaction.py [--threads N] [--runs R] [--calls NAME ...]``
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.schemas import Channels, Transcript
from vault.audio.decode import decode
from vault.config import Settings
from vault.redaction.engine import Redactor
from vault.redaction.transcript import redact
from vault.redaction.types import Known
from vault.transcription.engine import transcribe
from vault.transcription.model import load_model

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for the tests' espeak helper
from tests import speech

LANGUAGES = ("tr", "en")
HOLD = None  # a turn that is a pause: the agent puts the customer on hold


@dataclass(frozen=True)
class Call:
    name: str
    lang: str
    channels: Channels
    known: Known
    turns: list[tuple[str, str | None]]  # (agent|customer, sentence or HOLD)
    hold_seconds: float = 0.0


CALLS = [
    Call(
        "en-card-payment",
        "en",
        Channels.AGENT_LEFT,
        Known(name="Jane Miller", phone="+44 7700 900123", email="jane.miller@gmail.com"),
        [
            ("agent", "Good morning, you are through to billing. My name is Alex."),
            ("customer", "Hello, this is Jane Miller. I would like to pay my overdue invoice."),
            ("agent", "Of course. Could you read me the card number, please?"),
            (
                "customer",
                "My card number is four five three two, oh one five one, one two eight three, "
                "oh three six six.",
            ),
            ("agent", "Thank you. What is the expiration date?"),
            ("customer", "The expiry date is oh nine twenty-eight."),
            ("agent", "And the security code on the back?"),
            ("customer", "The security code is seven four one."),
            ("agent", "Thank you. Where should we send the receipt?"),
            ("customer", "My email address is jane dot miller, at, gmail dot com."),
            ("agent", "The payment went through. Is there anything else?"),
            ("customer", "No, thank you. Goodbye."),
        ],
    ),
    Call(
        "en-address-change",
        "en",
        Channels.MONO,
        Known(name="Peter Hughes", phone="07700 900456", customer_id="CUST-418822"),
        [
            ("agent", "Thank you for calling, how can I help you today?"),
            ("customer", "Hi, my name is Peter Hughes and I have moved house."),
            ("agent", "Congratulations. Can I take your customer number first?"),
            ("customer", "It is four one eight, eight two two."),
            ("agent", "And for security, your date of birth?"),
            ("customer", "The twelfth of March, nineteen eighty-four."),
            ("agent", "Thank you Peter. What is the new address?"),
            ("customer", "Twenty-two Baker Street, London, N W one, six X E."),
            ("agent", "And is your phone number still the same?"),
            (
                "customer",
                "No, my new mobile number is oh seven seven oh oh, nine oh oh, four five six.",
            ),
            ("agent", "I have updated your details. You will get a letter within a week."),
            ("customer", "Lovely, thanks for your help."),
        ],
    ),
    Call(
        "en-refund-long",
        "en",
        Channels.AGENT_LEFT,
        Known(name="Sarah Collins", email="sarah.collins@outlook.com"),
        [
            ("agent", "Hello, this is Mark from customer support. Who am I speaking to?"),
            ("customer", "Hello Mark, this is Sarah Collins."),
            ("agent", "Hi Sarah. How can I help you today?"),
            ("customer", "I was charged twice for my subscription in May and I want a refund."),
            ("agent", "I am sorry about that. Let me look at your account."),
            ("agent", HOLD),
            ("agent", "I can see two payments of nine ninety-nine. I will refund the second."),
            ("customer", "Can you pay it to my bank account instead of the card?"),
            ("agent", "Yes. Could you give me your IBAN?"),
            (
                "customer",
                "It is G B two nine, N W B K, six zero one six, one three three one, "
                "nine two six eight, one nine.",
            ),
            ("agent", "Thank you. And the email for the confirmation?"),
            ("customer", "Sarah dot collins at outlook dot com."),
            ("agent", "And a phone number in case we need to reach you?"),
            ("customer", "You can call me on oh two oh, seven nine four six, oh one two three."),
            ("agent", "The refund will reach you in five working days."),
            ("customer", "That is great, thank you very much for your help."),
            ("agent", "You are welcome. Is there anything else I can do for you today?"),
            ("customer", "No, that is all. Goodbye."),
        ],
        hold_seconds=6.0,
    ),
    Call(
        "tr-kimlik-adres",
        "tr",
        Channels.MONO,
        Known(name="Ahmet Yılmaz", phone="0532 418 27 90", email="ahmet.yilmaz@example.com.tr"),
        [
            ("agent", "İyi günler, müşteri hizmetlerine hoş geldiniz, ben Ayşe."),
            ("customer", "Merhaba, adım Ahmet Yılmaz, adresimi değiştirmek istiyorum."),
            ("agent", "Tabii. T.C. kimlik numaranızı alabilir miyim?"),
            ("customer", "Kimlik numaram üç sekiz iki, yedi bir dört, beş dokuz altı, bir altı."),
            ("agent", "Teşekkürler Ahmet Bey. Yeni adresiniz nedir?"),
            ("customer", "Caferağa Mahallesi, Moda Caddesi numara on iki, Kadıköy, İstanbul."),
            ("agent", "Telefon numaranız hâlâ aynı mı?"),
            ("customer", "Evet, sıfır beş yüz otuz iki, dört yüz on sekiz, yirmi yedi, doksan."),
            ("agent", "E-posta adresinize bir onay gönderiyorum."),
            ("customer", "Ahmet nokta yılmaz et example nokta com nokta tr."),
            ("agent", "Adresiniz güncellendi. Başka bir isteğiniz var mı?"),
            ("customer", "Hayır, teşekkür ederim, iyi günler."),
        ],
    ),
    Call(
        "tr-kart-odeme",
        "tr",
        Channels.AGENT_LEFT,
        Known(name="Elif Şahin", phone="0541 237 66 12"),
        [
            ("agent", "İyi günler, fatura ödeme hattına hoş geldiniz."),
            ("customer", "Merhaba, ben Elif Şahin, geciken faturamı ödemek istiyorum."),
            ("agent", "Kart numaranızı söyler misiniz?"),
            (
                "customer",
                "Kart numaram dört beş üç iki, sıfır bir beş bir, bir iki sekiz üç, "
                "sıfır üç altı altı.",
            ),
            ("agent", "Son kullanma tarihi nedir?"),
            ("customer", "Dokuzuncu ay, yirmi sekiz."),
            ("agent", "Kartın arkasındaki üç haneli güvenlik kodu?"),
            ("customer", "Yedi dört bir."),
            ("agent", "Ödemeniz alındı. Dekontu hangi numaraya gönderelim?"),
            (
                "customer",
                "Cep numaram sıfır beş yüz kırk bir, iki yüz otuz yedi, altmış altı, on iki.",
            ),
            ("agent", "Gönderildi. İyi günler dilerim."),
        ],
    ),
    Call(
        "tr-iade-uzun",
        "tr",
        Channels.MONO,
        Known(name="Mehmet Demir", customer_id="CUST-730044"),
        [
            ("agent", "Müşteri hizmetleri, ben Can, size nasıl yardımcı olabilirim?"),
            ("customer", "Merhaba, Mehmet Demir, aboneliğimi iptal ettim ama ücret alındı."),
            ("agent", "Geçmiş olsun. Müşteri numaranızı alabilir miyim?"),
            ("customer", "Müşteri numaram yedi yüz otuz, sıfır kırk dört."),
            ("agent", "Doğrulama için doğum tarihinizi söyler misiniz?"),
            ("customer", "On dokuz mayıs bin dokuz yüz seksen yedi."),
            ("agent", "Teşekkürler. Hesabınıza bakıyorum, lütfen hatta kalın."),
            ("agent", HOLD),
            ("agent", "Evet, iptalden sonra bir ödeme alınmış. İadesini yapacağım."),
            ("customer", "İadeyi banka hesabıma yapabilir misiniz?"),
            ("agent", "Tabii, IBAN numaranızı alayım."),
            (
                "customer",
                "TR otuz üç, sıfır sıfır altı bir, sıfır beş on dokuz, yetmiş sekiz altmış "
                "beş, yetmiş sekiz dört bir, yirmi altı, sıfır sıfır.",
            ),
            ("agent", "Teşekkürler. İade üç iş günü içinde hesabınızda olur."),
            ("customer", "Çok teşekkür ederim, kolay gelsin."),
            ("agent", "Rica ederim, iyi günler."),
        ],
        hold_seconds=5.0,
    ),
]
PAUSES = [0.7, 1.2, 0.5, 0.9, 1.5, 0.6]


def make_call(call: Call) -> bytes:
    """The call as a WAV file: the turns one after another, with pauses and holds."""
    sides: dict[str, list[speech.Utterance]] = {"agent": [], "customer": []}
    at = 0.5
    for index, (who, sentence) in enumerate(call.turns):
        if sentence is None:
            at += call.hold_seconds
            continue
        wav = speech.speak(sentence, lang=call.lang)
        sides[who].append((at, wav))
        at += speech.duration(wav) + PAUSES[index % len(PAUSES)]
    if call.channels is Channels.MONO:
        return speech.place(sorted(sides["agent"] + sides["customer"]))
    return speech.stereo(sides["agent"], sides["customer"])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="CPU threads")
    parser.add_argument("--beam-size", type=int, default=5, help="beam size (5)")
    parser.add_argument("--runs", type=int, default=9, help="redaction runs per call (9)")
    parser.add_argument("--cache-dir", type=Path, help="model cache (a temporary directory)")
    parser.add_argument(
        "--calls", nargs="*", choices=[c.name for c in CALLS], help="only these calls"
    )
    return parser.parse_args()


def median_seconds(runs: int, work: Callable[[], object]) -> float:
    """The median time of ``runs`` calls of ``work``."""
    spent = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def main() -> None:
    args = parse_args()
    if not speech.have_espeak():
        raise SystemExit("espeak-ng is needed to make the test calls")
    calls = [c for c in CALLS if not args.calls or c.name in args.calls]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            whisper_model="base",
            whisper_device="cpu",
            whisper_compute_type="int8",
            whisper_threads=args.threads,
            model_cache_dir=args.cache_dir or Path(tmp) / "models",
        )
        model = load_model(settings)
        start = time.perf_counter()
        redactor = Redactor()
        built = time.perf_counter() - start
        print(
            f"base int8 on CPU, {args.threads} threads, beam {args.beam_size}; redaction: "
            f"median of {args.runs} runs after one warm-up"
        )
        print(f"building the Redactor (once per worker process): {built * 1000:.0f} ms\n")
        # Warm the model up (VAD, CTranslate2 kernels) on a short clip.
        warm = speech.place([(0.3, speech.speak("Hello.", lang="en"))])
        transcribe(
            decode(io.BytesIO(warm)), model=model, channels=Channels.MONO, languages=LANGUAGES
        )

        header = (
            f"{'call':18} {'lang':4} {'chan':10} {'audio s':>7} {'transcr. s':>10} "
            f"{'words':>5} {'ents':>4} {'redact ms':>9} {'ratio':>7}"
        )
        print(header)
        print("-" * len(header))
        total_transcribe = total_redact = total_audio = 0.0
        cold: float | None = None
        for call in calls:
            wav = make_call(call)
            start = time.perf_counter()
            audio = decode(io.BytesIO(wav))
            transcript: Transcript = transcribe(
                audio,
                model=model,
                channels=call.channels,
                languages=LANGUAGES,
                language_hint=call.lang,
                beam_size=args.beam_size,
            )
            transcribed = time.perf_counter() - start
            # A warm-up, left out of the median: the first call compiles patterns, fills caches.
            start = time.perf_counter()
            _redacted, timed = redact(transcript, redactor=redactor, known=call.known)
            if cold is None:
                cold = time.perf_counter() - start
            known = call.known
            redaction = median_seconds(
                args.runs,
                lambda: redact(transcript, redactor=redactor, known=known),  # noqa: B023
            )
            total_transcribe += transcribed
            total_redact += redaction
            total_audio += audio.duration
            print(
                f"{call.name:18} {call.lang:4} {call.channels.value:10} {audio.duration:7.1f} "
                f"{transcribed:10.2f} {len(transcript.text.split()):5} {len(timed):4} "
                f"{redaction * 1000:9.2f} {redaction / transcribed:7.3%}"
            )
        print("-" * len(header))
        print(
            f"{'total':18} {'':4} {'':10} {total_audio:7.1f} {total_transcribe:10.2f} "
            f"{'':5} {'':4} {total_redact * 1000:9.2f} {total_redact / total_transcribe:7.3%}"
        )
        if cold is not None:
            print(f"\nthe process's first redaction, cold: {cold * 1000:.0f} ms (not counted)")
        verdict = "met" if total_redact < 0.01 * total_transcribe else "NOT met"
        print(
            f"redaction / transcription: {total_redact / total_transcribe:.3%} "
            f"(target < 1%: {verdict})"
        )


if __name__ == "__main__":
    main()
