"""Embedded mode: calls go in through the API and come out transcribed, no service needed."""

from __future__ import annotations

import re

from tests.api.conftest import metadata
from tests.speech import place, silence, speak, stereo
from tests.workers.conftest import Calls

# espeak-ng's Turkish voice is hard on the base model (it hears Thai in it): calls in Turkish
# carry their language as a hint, as the telephony system's queue does, and the sentences use
# words the model does recognise in that voice.
TR = "İyi günler, internet bağlantım çok yavaş. Teşekkür ederim."
TR_WORDS = {"internet", "çok", "teşekkür", "ederim"}
EN = "Hello, I would like to cancel my subscription."
AGENT = "Thank you for calling, how can I help you today?"
CUSTOMER = "My internet connection has been very slow since Monday."


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def upload(calls: Calls, audio: bytes, call_id: str, **meta: object) -> str:
    response = calls.api.upload(audio, metadata(call_id, **meta))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_turkish_and_english_calls_are_transcribed_with_timings(embedded: Calls) -> None:
    turkish = upload(embedded, place([(1.0, speak(TR, lang="tr"))]), "emb-tr", language="tr")
    english = upload(embedded, place([(1.0, speak(EN, lang="en"))]), "emb-en", language=None)
    for rid, lang, expected in (
        (turkish, "tr", TR_WORDS),
        (english, "en", {"hello", "would", "cancel"}),
    ):
        state = embedded.wait(rid, until={"ready", "failed"})
        assert state["status"] == "ready", state
        assert state["progress"] == 1.0
        transcript = embedded.transcript(rid)
        assert transcript["language"] == lang
        assert expected <= words(transcript["text"]), transcript["text"]
        spoken = [w for s in transcript["segments"] for w in s["words"]]
        assert spoken
        assert 0.6 <= spoken[0]["start"] <= 1.6  # speech starts after one second of silence
        starts = [w["start"] for w in spoken]
        assert starts == sorted(starts)
        assert spoken[-1]["end"] <= transcript["duration"] + 0.01


def test_a_two_channel_call_is_attributed_to_its_speakers(embedded: Calls) -> None:
    agent = speak(AGENT, lang="en")
    customer = speak(CUSTOMER, lang="en")
    call = stereo([(0.5, agent)], [(4.5, customer)])
    rid = upload(embedded, call, "emb-stereo", channels="agent-left", language="en")
    assert embedded.wait(rid, until={"ready", "failed"})["status"] == "ready"
    segments = embedded.transcript(rid)["segments"]
    speakers = [s["speaker"] for s in segments]
    assert speakers[0] == "agent"
    assert speakers[-1] == "customer"
    assert speakers == sorted(speakers)  # all agent segments come before the customer's
    agent_words = words(" ".join(s["text"] for s in segments if s["speaker"] == "agent"))
    customer_words = words(" ".join(s["text"] for s in segments if s["speaker"] == "customer"))
    assert {"calling", "help"} <= agent_words
    assert {"internet", "slow"} <= customer_words
    assert not {"internet", "slow"} & agent_words
    starts = [s["start"] for s in segments]
    assert starts == sorted(starts)


def test_silence_gives_an_empty_transcript(embedded: Calls) -> None:
    rid = upload(embedded, silence(4.0), "emb-silence")
    assert embedded.wait(rid, until={"ready", "failed"})["status"] == "ready"
    transcript = embedded.transcript(rid)
    assert transcript["segments"] == []
    assert transcript["text"] == ""
