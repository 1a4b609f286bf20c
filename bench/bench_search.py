"""Benchmark search over 100,000 synthetic redacted transcripts, on SQLite and on PostgreSQL.

Builds one corpus (Turkish and English calls of 150 to 400 words, agent and customer turns,
entity tags, a Zipf-shaped vocabulary with a long tail, a few stock phrases), indexes it
through ``vault.search`` in batches, copies the index once 10,000 documents are in (the
baseline), goes on to 100,000, and times every query on both indexes in turn, so that the
machine's ups and downs fall on both alike. For each kind of query it prints p50 and p95 of
``search()`` (parse, SQL, snippets: what the API calls) and of the bare index query (the
backend's match and top-20 by rank, no joins, filters or snippets), and the ratio of p95 at
100,000 to p95 at 10,000 (target <= 2).
Then, on the full index, p95 of ``GET /api/v1/search`` through the real app (a quality
officer's token, the gate, the audit entry with its redacted query, JSON) against p95 of
``search()`` alone and of the bare index query for the same queries, and their ratios
(target <= 1.5).

Kinds: ``rare`` (a word in 5 to 8 of 100,000 calls), ``common`` (one in half to nearly all
calls of its language), ``phrase`` (a stock phrase in about 7% of its language's calls),
``filtered`` (a common word, one agent of 200 and a month), ``entity`` (calls where the customer
gave a card number, in one language: a filter alone, so hits come newest first). ``search()``
ranks only the newest ``--window`` matches (the vault's default unless given), so common
words no longer cost in proportion to the corpus (the bare query still ranks every match);
rare words fill more of the page (and so more snippets) at 100,000.

Run: ``.venv/bin/python bench/bench_search.py [--documents 100000] [--small 10000]
[--backends sqlite,postgresql] [--queries 30] [--window N]``. PostgreSQL comes from
VAULT_TEST_POSTGRES_URL (default: the local server, user postgres); a scratch database is
created and dropped.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from models.schemas import RedactedTranscript, Segment, Speaker
from models.tables import Key, Recording
from vault import migrate
from vault.auth import tokens
from vault.auth.roles import Role
from vault.config import Settings
from vault.db import make_session_factory
from vault.runtime import open_vault
from vault.search import service
from vault.search.backends import backend_for
from vault.search.base import Document
from vault.search.document import document
from vault.search.normalise import language_of
from vault.search.postgres import WEIGHTS
from vault.search.postgres import render as tsquery
from vault.search.query import entity, parse, require
from vault.search.schemas import SearchFilters
from vault.search.sqlite import render as fts_query

PG_ADMIN_URL = os.environ.get(
    "VAULT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
T0 = datetime(2026, 1, 1, tzinfo=UTC)
AGENTS = [f"agent-{i:03d}" for i in range(200)]


def _words(text: str) -> list[str]:
    return text.split()


TR = _words(
    """
merhaba evet hayır tamam teşekkürler lütfen bir bu şu ne nasıl neden için ama ve veya çok
daha fatura faturam faturanız faturası ödeme ödemeyi ödedim kart kartım kartınız numara
numaram abonelik aboneliğim aboneliğimi aboneliğimin iptal iptali iptalini iade iadesi
iadesini kargo kargom paket paketim tarife tarifem internet hattım hat müşteri hizmetleri
temsilci bey hanım yardımcı olabilirim istiyorum istemiyorum yapabilir miyim yaptım geldi
gelmedi gönderdim bekliyorum şikayet şikayetim sorun sorunum çözüm hemen bugün yarın dün
hafta ay yıl lira tutar yüksek düşük fazla eksik yanlış doğru kontrol ediyorum ediyorum
bakıyorum kaydınız kayıt sistem adres teslimat mağaza sipariş siparişim ürün ürünü değişim
garanti süre sözleşme taahhüt ceza indirim kampanya fiyat zam kesinti bağlantı hız modem
kurulum randevu teknik ekip arıza
"""
)
EN = _words(
    """
hello yes no okay thanks please the a an this that what how why for but and or very more
bill billing invoice payment paid pay card number account subscription cancel cancelled
refund refunded refunds charge charged twice delivery parcel package plan internet line
customer service agent sir madam help can could would like want need did done sent received
waiting complaint problem issue solution today tomorrow yesterday week month year pounds
amount high low extra missing wrong right check checking looking record system address order
product exchange warranty contract penalty discount offer price increase outage connection
speed router setup appointment technical team fault engineer broadband mobile upgrade
downgrade transfer
"""
)
PHRASES = {
    "tr": ["iptal etmek istiyorum", "fatura itirazı", "para iadesi", "kargo gelmedi"],
    "en": ["cancel my subscription", "want a refund", "charged twice", "speak to a manager"],
}
TAGS = ["[PERSON]", "[PHONE_NUMBER]", "[CARD_NUMBER]", "[EMAIL_ADDRESS]", "[ADDRESS]", "[IBAN]"]
TAIL = 6000  # made-up words after the real ones: the long tail of names, products, typos
RARE = 4000  # words each in a handful of calls only
SYLLABLES = _words("ka ler mi zu ron ta bel sin dor pa vek lu tem rak so nim far gu")


def _tail_word(rng: random.Random, language: str) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
    return word if language == "tr" else word + "x"


@dataclass(frozen=True)
class Vocabulary:
    words: dict[str, list[str]]
    cumulative: dict[str, list[float]]
    rare: dict[str, list[str]]


def vocabulary() -> Vocabulary:
    rng = random.Random(7)
    words, cumulative, rare = {}, {}, {}
    for language, base in (("tr", TR), ("en", EN)):
        listed = list(dict.fromkeys(base + [_tail_word(rng, language) for _ in range(TAIL)]))
        total = 0.0
        cum = []
        for rank in range(1, len(listed) + 1):
            total += 1.0 / rank**1.05
            cum.append(total)
        words[language], cumulative[language] = listed, cum
        rare[language] = [f"nadir{language}{i:04d}" for i in range(RARE)]
    return Vocabulary(words, cumulative, rare)


def transcript(rng: random.Random, vocab: Vocabulary, language: str) -> RedactedTranscript:
    n = rng.randint(150, 400)
    words = rng.choices(vocab.words[language], cum_weights=vocab.cumulative[language], k=n)
    if rng.random() < 0.3:
        at = rng.randrange(n)
        words[at:at] = rng.choice(PHRASES[language]).split()
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words)), rng.choice(vocab.rare[language]))
    for tag in TAGS:
        if rng.random() < (0.6 if tag == "[PERSON]" else 0.15):
            words.insert(rng.randrange(len(words)), tag)
    mono = rng.random() < 0.2
    segments, at, clock, turn = [], 0, 0.0, 0
    while at < len(words):
        size = rng.randint(6, 25)
        chunk = words[at : at + size]
        at += size
        seconds = len(chunk) * 0.4
        speaker = Speaker.MIXED if mono else (Speaker.AGENT, Speaker.CUSTOMER)[turn % 2]
        line = " ".join(chunk)
        text_ = line[:1].upper() + line[1:] + "."
        segments.append(
            Segment(start=clock, end=clock + seconds, speaker=speaker, text=text_, words=[])
        )
        clock += seconds + 0.5
        turn += 1
    return RedactedTranscript(
        language=language,
        duration=round(clock, 1),
        text=" ".join(s.text for s in segments),
        segments=segments,
        entities=[],
    )


def make_documents(args: tuple[int, int, str]) -> list[tuple[dict[str, Any], Document]]:
    """Documents ``start`` to ``stop``, each from its own seed: any split makes the same corpus."""
    start, stop, key_id = args
    vocab = vocabulary()
    out = []
    for i in range(start, stop):
        rng = random.Random(i)
        language = "tr" if rng.random() < 0.6 else "en"
        rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        row = {
            "id": rid,
            "call_id": f"bench-{i}",
            "agent_id": rng.choice(AGENTS),
            "uploaded_by": "bench",
            "started_at": T0 + timedelta(seconds=rng.randrange(365 * 86400)),
            "direction": "inbound",
            "language": language,
            "channels": "mono",
            "key_id": key_id,
            "status": "ready",
            "media_format": "wav",
            "codec": "pcm_s16le",
            "sample_rate": 16000,
            "channel_count": 1,
            "size_bytes": 1,
            "sha256": "0" * 64,
        }
        redacted = transcript(rng, vocab, language)
        out.append((row, document(recording=Recording(**row), transcript=redacted)))
    return out


def document_batches(start: int, stop: int, key_id: str, *, workers: int) -> Iterator[list[Any]]:
    step = 1000
    jobs = [(s, min(s + step, stop), key_id) for s in range(start, stop, step)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(make_documents, jobs)


@dataclass
class Target:
    name: str
    engine: Engine
    factory: sessionmaker[Session]
    key_id: str
    cleanup: Callable[[], None]
    copy: Callable[[], Target]
    """A second index holding what this one holds now (the baseline, measured beside it)."""


def open_sqlite(directory: Path, key_id: str | None = None, file: str = "bench.db") -> Target:
    path = directory / file
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    if key_id is None:
        migrate.upgrade(engine)

    def copy() -> Target:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(path, directory / f"small-{file}")
        return open_sqlite(directory, target.key_id, f"small-{file}")

    target = _target("sqlite", engine, engine.dispose, copy, key_id)
    return target


def open_postgres(template: str | None = None, key_id: str | None = None) -> Target:
    name = f"vault_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        like = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{like}'))
    engine = create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    if template is None:
        migrate.upgrade(engine)

    def cleanup() -> None:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    def copy() -> Target:
        engine.dispose()  # a template database takes no connections while it is copied
        return open_postgres(name, target.key_id)

    target = _target("postgresql", engine, cleanup, copy, key_id)
    return target


def _target(
    name: str,
    engine: Engine,
    cleanup: Callable[[], None],
    copy: Callable[[], Target],
    key_id: str | None,
) -> Target:
    factory = make_session_factory(engine)
    if key_id is None:
        with factory() as session, session.begin():
            key = Key(purpose="recording", wrapped=b"bench", master_key_id="bench")
            session.add(key)
            session.flush()
            key_id = key.id
    return Target(name, engine, factory, key_id, cleanup, copy)


def load(target: Target, batch: list[tuple[dict[str, Any], Document]]) -> None:
    with target.factory() as session, session.begin():
        session.execute(insert(Recording), [row for row, _ in batch])
        service.index_documents(session, documents=[d for _, d in batch])


def finish_load(target: Target) -> None:
    with target.factory() as session, session.begin():
        backend_for(session).optimise(session)
        # The recordings were bulk-loaded too: give the planner their statistics, as autovacuum
        # (or SQLite's ANALYZE) would in a running vault.
        session.execute(text("ANALYZE recordings" if target.name == "postgresql" else "ANALYZE"))


def database_bytes(target: Target) -> int:
    """The database's size: recordings, index documents, their stored segments, the index."""
    with target.factory() as session:
        if target.name == "postgresql":
            return int(session.scalar(text("SELECT pg_database_size(current_database())")) or 0)
        pages = session.scalar(text("PRAGMA page_count")) or 0
        return int(pages) * int(session.scalar(text("PRAGMA page_size")) or 0)


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    filters: SearchFilters


def queries(vocab: Vocabulary, rng: random.Random, count: int) -> list[Query]:
    out = []
    for _ in range(count):
        language = rng.choice(["tr", "en"])
        common = rng.choice(vocab.words[language][8:40])
        out.append(Query("rare", rng.choice(vocab.rare[language]), SearchFilters()))
        out.append(Query("common", common, SearchFilters()))
        out.append(Query("phrase", f'"{rng.choice(PHRASES[language])}"', SearchFilters()))
        start = T0 + timedelta(days=rng.randrange(330))
        month = SearchFilters(
            agent_id=rng.choice(AGENTS),
            started_from=start,
            started_to=start + timedelta(days=30),
        )
        out.append(Query("filtered", common, month))
        cards = SearchFilters(entity_types=["CARD_NUMBER"], speaker="customer", language=language)
        out.append(Query("entity", "", cards))
    return out


def bare(session: Session, query: Query) -> None:
    """The index alone: match, rank, top 20."""
    language = query.filters.language
    expr = parse(query.text, language=language_of(language), any_language=language is None)
    expr = require(expr, [entity(t.value) for t in query.filters.entity_types])
    if expr is None:
        return
    speaker = query.filters.speaker
    if session.get_bind().dialect.name == "sqlite":
        match = fts_query(expr)
        match = f"{{{speaker.value}}} : {match}" if speaker else match
        session.execute(
            text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY rank LIMIT 20"),
            {"q": match},
        ).all()
    else:
        session.execute(
            text(
                "SELECT id FROM search_documents WHERE terms @@ CAST(:q AS tsquery) "
                "ORDER BY ts_rank(terms, CAST(:q AS tsquery)) DESC LIMIT 20"
            ),
            {"q": tsquery(expr, WEIGHTS[speaker] if speaker else "")},
        ).all()


def measure(
    sizes: dict[int, Target], qs: list[Query], runs: int, window: int
) -> dict[int, dict[str, dict[str, list[float]]]]:
    """Each query on every index in turn, so that the machine's ups and downs fall on all
    sizes alike: p95 at one size against p95 at another compares the indexes, not moments."""
    timings: dict[int, dict[str, dict[str, list[float]]]] = {size: {} for size in sizes}
    sessions = {size: target.factory() for size, target in sizes.items()}
    try:
        for session in sessions.values():
            for q in qs:  # warm the caches once
                service.search(
                    session, query=q.text, agent_id=None, filters=q.filters, window=window
                )
        for _ in range(runs):
            for q in qs:
                for size, session in sessions.items():
                    started = time.perf_counter()
                    service.search(
                        session, query=q.text, agent_id=None, filters=q.filters, window=window
                    )
                    middle = time.perf_counter()
                    bare(session, q)
                    done = time.perf_counter()
                    kind = timings[size].setdefault(q.kind, {"search": [], "bare": []})
                    kind["search"].append((middle - started) * 1000)
                    kind["bare"].append((done - middle) * 1000)
            for session in sessions.values():
                session.rollback()
    finally:
        for session in sessions.values():
            session.close()
    return timings


def api_params(query: Query) -> dict[str, Any]:
    f = query.filters
    params: dict[str, Any] = {"q": query.text}
    if f.agent_id is not None:
        params["agent_id"] = f.agent_id
    if f.started_from is not None:
        params["started_from"] = f.started_from.isoformat()
    if f.started_to is not None:
        params["started_to"] = f.started_to.isoformat()
    if f.language is not None:
        params["language"] = f.language
    if f.speaker is not None:
        params["speaker"] = f.speaker.value
    if f.entity_types:
        params["entity"] = [t.value for t in f.entity_types]
    return params


def measure_api(
    target: Target, qs: list[Query], runs: int, data_dir: Path, window: int
) -> dict[str, dict[str, list[float]]]:
    """``GET /api/v1/search`` through the whole app (token, gate, audit entry with the query
    redacted, JSON) against ``search()`` alone in a session of its own, and the bare index
    query, query by query."""
    url = target.engine.url.render_as_string(hide_password=False)
    settings = Settings(
        data_dir=data_dir / target.name, database_url=url, search_relevance_window=window
    )
    vault = open_vault(settings)
    headers = {"Authorization": f"Bearer {tokens.issue(settings, user='kalite', role=Role.QA)}"}
    timings: dict[str, dict[str, list[float]]] = {}
    try:
        with TestClient(create_app(vault=vault)) as client:
            for timed in (False, *([True] * runs)):  # the first pass warms the caches
                for q in qs:
                    started = time.perf_counter()
                    response = client.get("/api/v1/search", params=api_params(q), headers=headers)
                    middle = time.perf_counter()
                    with target.factory() as session:
                        service.search(
                            session, query=q.text, agent_id=None, filters=q.filters, window=window
                        )
                        searched = time.perf_counter()
                        bare(session, q)
                    done = time.perf_counter()
                    if response.status_code != 200:
                        raise RuntimeError(f"the API answered {response.status_code}")
                    if timed:
                        kind = timings.setdefault(q.kind, {"api": [], "search": [], "bare": []})
                        kind["api"].append((middle - started) * 1000)
                        kind["search"].append((searched - middle) * 1000)
                        kind["bare"].append((done - searched) * 1000)
    finally:
        vault.close()
    return timings


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(
    name: str, small: int, large: int, at: dict[int, dict[str, dict[str, list[float]]]]
) -> None:
    print(f"\n{name}: latency in ms (search() = what the API calls; bare = index match + rank)")
    print(f"{'kind':9} {'docs':>7} {'search p50':>10} {'p95':>8} {'bare p50':>9} {'p95':>8}")
    for kind in at[small]:
        for size in (small, large):
            t = at[size][kind]
            print(
                f"{kind:9} {size:>7} {pct(t['search'], 50):>10.1f} {pct(t['search'], 95):>8.1f}"
                f" {pct(t['bare'], 50):>9.1f} {pct(t['bare'], 95):>8.1f}"
            )
        ratio = pct(at[large][kind]["search"], 95) / max(pct(at[small][kind]["search"], 95), 1e-6)
        print(f"{kind:9} p95 at {large} / p95 at {small}: {ratio:.2f}x (target <= 2)")


def report_api(name: str, size: int, at: dict[str, dict[str, list[float]]]) -> None:
    print(f"\n{name}, {size} documents: GET /api/v1/search against search() and the bare query")
    print(
        f"{'kind':9} {'API p50':>8} {'p95':>8} {'search() p95':>12} {'bare p95':>9}"
        f" {'API/search()':>12} {'API/bare':>9}"
    )
    every: dict[str, list[float]] = {"api": [], "search": [], "bare": []}
    for kind, t in at.items():
        for part in every:
            every[part] += t[part]
        api, found, bare_ = pct(t["api"], 95), pct(t["search"], 95), pct(t["bare"], 95)
        print(
            f"{kind:9} {pct(t['api'], 50):>8.1f} {api:>8.1f} {found:>12.1f} {bare_:>9.1f}"
            f" {api / max(found, 1e-6):>11.2f}x {api / max(bare_, 1e-6):>8.2f}x"
        )
    api = pct(every["api"], 95)
    print(
        f"{'all':9} API p95 / search() p95: {api / max(pct(every['search'], 95), 1e-6):.2f}x;"
        f" API p95 / bare p95: {api / max(pct(every['bare'], 95), 1e-6):.2f}x (target <= 1.5)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=30, help="queries of each kind (30)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the query set (3)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--window",
        type=int,
        default=Settings.model_fields["search_relevance_window"].default,
        help="matches relevance ranks (the vault's default)",
    )
    args = parser.parse_args()

    vocab = vocabulary()
    qs = queries(vocab, random.Random(11), args.queries)
    with tempfile.TemporaryDirectory() as tmp:
        targets: list[Target] = []
        baselines: list[Target] = []
        for name in args.backends.split(","):
            targets.append(open_sqlite(Path(tmp)) if name == "sqlite" else open_postgres())
        try:
            loaded = 0
            for size in (args.small, args.documents):
                started = time.perf_counter()
                spent = {t.name: 0.0 for t in targets}
                batches = document_batches(loaded, size, targets[0].key_id, workers=args.workers)
                for batch in batches:
                    for target in targets:
                        t0 = time.perf_counter()
                        load(target, [(row | {"key_id": target.key_id}, d) for row, d in batch])
                        spent[target.name] += time.perf_counter() - t0
                for target in targets:
                    t0 = time.perf_counter()
                    finish_load(target)
                    spent[target.name] += time.perf_counter() - t0
                print(
                    f"indexed {loaded} -> {size} documents in {time.perf_counter() - started:.0f} s"
                    + "".join(f"; {n} writes {s:.0f} s" for n, s in spent.items())
                    + "".join(f"; {t.name} {database_bytes(t) / 2**20:,.0f} MiB" for t in targets),
                    flush=True,
                )
                loaded = size
                if size == args.small:
                    baselines = [target.copy() for target in targets]
            for target, baseline in zip(targets, baselines, strict=True):
                sizes = {args.small: baseline, args.documents: target}
                at = measure(sizes, qs, args.runs, args.window)
                via_api = measure_api(target, qs, args.runs, Path(tmp), args.window)
                report(target.name, args.small, args.documents, at)
                report_api(target.name, args.documents, via_api)
        finally:
            for target in targets + baselines:
                target.cleanup()


if __name__ == "__main__":
    main()
