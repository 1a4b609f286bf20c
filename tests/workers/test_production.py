"""The production topology: `vault worker` processes on Redis, the scheduler, PostgreSQL.

Workers are killed with SIGKILL in the middle of a call, Redis is stopped and started again,
and a damaged recording is met: no call is lost, none is transcribed twice, and a bad call
fails with a reason while the worker goes on with the next.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.api.conftest import metadata
from tests.speech import place, speak
from tests.workers.conftest import ROOT, Cluster
from tests.workers.test_embedded import EN, TR, TR_WORDS, upload, words

LONG = [
    "Good morning, thank you for calling customer support.",
    "I am calling because my last invoice shows a charge I do not recognise.",
    "Let me look at your account, this may take a moment.",
    "I can see a roaming fee from your trip last month.",
    "I was told roaming was included in my package when I signed up.",
    "I understand, I will open a request to refund the roaming fee.",
]


def long_call() -> bytes:
    """About forty seconds of speech: long enough to kill a worker in the middle of it."""
    utterances = []
    at = 0.5
    for _ in range(2):
        for sentence in LONG:
            wav = speak(sentence, lang="en")
            utterances.append((at, wav))
            at += len(wav) / 44100 + 0.8  # 16-bit mono at 22050 Hz
    return place(utterances)


def test_calls_go_through_redis_and_a_worker_process(cluster: Cluster) -> None:
    cluster.start_worker("w1")
    rid = upload(cluster, place([(1.0, speak(TR, lang="tr"))]), "prod-tr", language="tr")
    state = cluster.wait(rid, until={"ready", "failed"})
    assert state["status"] == "ready", cluster.log_text()[-3000:]
    transcript = cluster.transcript(rid)
    assert transcript["language"] == "tr"
    assert words(transcript["text"]) >= TR_WORDS


def test_a_worker_killed_mid_call_loses_nothing_and_transcribes_once(cluster: Cluster) -> None:
    worker = cluster.start_worker("w1")
    cluster.start_scheduler()
    rid = upload(cluster, long_call(), "prod-long", language="en")
    state = cluster.wait(rid, until={"transcribing", "ready", "failed"}, seconds=120)
    assert state["status"] == "transcribing", state
    # Progress is reported while the model works: wait until some, not all, is done.
    seen = [state["progress"]]
    deadline = time.monotonic() + 60
    while not 0 < seen[-1] < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
        now = cluster.status(rid)
        assert now["status"] == "transcribing", now
        seen.append(now["progress"])
    assert 0 < seen[-1] < 1, seen
    assert seen == sorted(seen)
    cluster.kill(worker)  # kill -9, the whole process group: no chance to clean up
    cluster.start_worker("w2")
    state = cluster.wait(rid, until={"ready", "failed"}, seconds=300)
    assert state["status"] == "ready", cluster.log_text()[-3000:]
    assert cluster.attempts(rid) >= 2
    rows, objects = cluster.transcript_objects(rid)
    assert rows == 1
    assert len(objects) == 1
    assert {"invoice", "refund"} <= words(cluster.transcript(rid)["text"])


def _redis(*args: str) -> None:
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", *args], check=False, timeout=30)


def test_stopping_redis_for_a_while_loses_no_recording(cluster: Cluster) -> None:
    cluster.start_worker("w1")
    cluster.start_scheduler()
    _redis("shutdown", "nosave")
    try:
        rid = upload(cluster, place([(0.5, speak(EN, lang="en"))]), "prod-redis-down")
        assert cluster.status(rid)["status"] == "stored"
        time.sleep(3)
        assert cluster.status(rid)["status"] == "stored"
    finally:
        subprocess.run([str(ROOT / "scripts" / "services.sh")], check=True, timeout=120)
    state = cluster.wait(rid, until={"ready", "failed"}, seconds=180)
    assert state["status"] == "ready", cluster.log_text()[-3000:]


def test_a_damaged_call_fails_with_a_reason_and_the_worker_goes_on(cluster: Cluster) -> None:
    broken = upload(cluster, place([(0.2, speak(EN, lang="en"))]), "prod-broken")
    path: Path = cluster.api.settings.resolved_blob_dir / "recordings" / broken / "original"
    data = bytearray(path.read_bytes())
    data[200] ^= 0xFF
    path.write_bytes(bytes(data))
    good = upload(cluster, place([(0.2, speak(TR, lang="tr"))]), "prod-good", language="tr")
    cluster.start_worker("w1")
    failed = cluster.wait(broken, until={"ready", "failed"})
    assert failed["status"] == "failed"
    assert "cannot be read" in failed["status_reason"]
    assert cluster.wait(good, until={"ready", "failed"})["status"] == "ready"
    assert cluster.transcript_objects(broken) == (0, [])


def test_no_personal_value_reaches_the_worker_logs(cluster: Cluster) -> None:
    cluster.start_worker("w1")
    meta = metadata("prod-pii", language="en")
    response = cluster.api.upload(place([(0.2, speak(EN, lang="en"))]), meta)
    rid = response.json()["id"]
    assert cluster.wait(rid, until={"ready", "failed"})["status"] == "ready"
    logs = cluster.log_text()
    assert rid in logs
    for value in ("CUST-884120", "Ahmet", "Yılmaz", "0532", "example.com.tr", "cancel", "subscr"):
        assert value not in logs, value
