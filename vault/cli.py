"""The ``vault`` command. Every subcommand reads the same ``VAULT_*`` settings."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from vault.config import Settings, get_settings
from vault.errors import VaultError

Handler = Callable[[argparse.Namespace, Settings], int]


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn  # noqa: PLC0415  (only this command needs the server)

    from api.app import create_app  # noqa: PLC0415  (the domain core must not import the API)
    from vault.logs import configure_logging  # noqa: PLC0415

    configure_logging(settings.log_level)
    embedded = settings.broker_url is None and not args.no_worker
    app = create_app(settings, embedded_worker=embedded)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from vault.logs import configure_logging  # noqa: PLC0415
    from workers.app import make_celery  # noqa: PLC0415  (the domain core must not import Celery)

    configure_logging(settings.log_level)
    app = make_celery(settings)
    argv = ["worker", f"--loglevel={settings.log_level}", f"--queues={settings.queue_name}"]
    argv += [f"--concurrency={args.concurrency or settings.worker_concurrency}", "--pool=prefork"]
    if args.hostname:
        argv.append(f"--hostname={args.hostname}")
    app.worker_main(argv)  # runs until the worker is stopped


def _scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from vault.logs import configure_logging  # noqa: PLC0415
    from workers.app import make_celery  # noqa: PLC0415

    configure_logging(settings.log_level)
    schedule = settings.data_dir / "celerybeat-schedule"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    make_celery(settings).start(
        ["beat", f"--loglevel={settings.log_level}", f"--schedule={schedule}"]
    )


def _token_create(args: argparse.Namespace, settings: Settings) -> int:
    from vault.auth import tokens  # noqa: PLC0415
    from vault.auth.roles import Role  # noqa: PLC0415

    token = tokens.issue(settings, user=args.user, role=Role(args.role), ttl_seconds=args.ttl)
    print(f"token for {args.user} ({args.role}), valid {args.ttl or settings.token_ttl_seconds}s:")
    print(token)
    return 0


def _audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from vault.audit import anchor  # noqa: PLC0415
    from vault.audit import service as audit  # noqa: PLC0415
    from vault.db import transaction  # noqa: PLC0415
    from vault.runtime import open_vault  # noqa: PLC0415

    path = settings.resolved_audit_anchor_file
    vault = open_vault(settings)
    try:
        with vault.factory() as session:
            report = anchor.verify(session, signer=vault.signer, path=path)
        latest: anchor.Anchor | None = None
        if report.ok and not args.no_checkpoint:
            with transaction(vault.factory) as session:
                audit.checkpoint(session, signer=vault.signer)
                tip = anchor.latest_checkpoint(session)
                latest = anchor.Anchor.of(tip) if tip is not None else None
            if latest is not None:
                anchor.save(path, latest)
    finally:
        vault.close()
    if args.json:
        print(json.dumps(report.__dict__))
    elif report.ok:
        print(f"audit log intact: {report.entries} entries, {report.checkpoints} checkpoints")
        if latest is not None:
            print(f"anchor: entry {latest.seq} hash {latest.hash} (keep a copy off this host)")
    else:
        print(f"audit log BROKEN at entry {report.first_bad_seq}: {report.problem}")
    return 0 if report.ok else 1


def _audit_public_key(args: argparse.Namespace, settings: Settings) -> int:
    from vault.audit.signing import load_or_create_signing_key  # noqa: PLC0415

    signer = load_or_create_signing_key(settings.resolved_audit_signing_key_file)
    sys.stdout.write(signer.public_key_pem().decode())
    return 0


def _keys_rotate(args: argparse.Namespace, settings: Settings) -> int:
    from vault.db import transaction  # noqa: PLC0415
    from vault.keys import service as keys  # noqa: PLC0415
    from vault.runtime import open_vault  # noqa: PLC0415

    vault = open_vault(settings)
    try:
        previous = set(vault.keyring.key_ids())
        previous_active = vault.keyring.active_id
        if not args.rewrap_only:
            vault.keyring.add_key()
        with transaction(vault.factory) as session:
            count = keys.rewrap_all(session, keyring=vault.keyring)
        with vault.factory() as session:
            in_use = keys.master_keys_in_use(session)
        # The key active until now stays one more rotation: a server that wrapped a new subject
        # key just before it saw the new keyring may commit after the check above.
        retired = previous - in_use - {vault.keyring.active_id, previous_active}
        vault.keyring.retire(retired)
    finally:
        vault.close()
    print(
        f"re-wrapped {count} subject keys under master key {vault.keyring.active_id}; "
        f"retired {len(retired)} old master key(s); no audio was touched"
    )
    return 0


def _redact(args: argparse.Namespace, settings: Settings) -> int:
    from vault.redaction import cli as redaction_cli  # noqa: PLC0415

    return redaction_cli.redact(sys.stdin, sys.stdout, lang=args.lang, jsonl=args.jsonl)


def _eval_redaction(args: argparse.Namespace, settings: Settings) -> int:
    from vault.redaction import cli as redaction_cli  # noqa: PLC0415

    return redaction_cli.evaluate(Path(args.file), sys.stdout, misses=args.misses)


def _search_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from vault.runtime import open_vault  # noqa: PLC0415
    from vault.search import service as search  # noqa: PLC0415

    vault = open_vault(settings)
    try:
        report = search.reindex_all(vault.factory, store=vault.store, keyring=vault.keyring)
    finally:
        vault.close()
    print(
        f"search index rebuilt: {report.indexed} indexed, {report.skipped} skipped, "
        f"{report.removed} removed"
    )
    return 0


def _retention_sweep(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime  # noqa: PLC0415

    from vault.rights import retention  # noqa: PLC0415
    from vault.runtime import open_vault  # noqa: PLC0415

    vault = open_vault(settings)
    try:
        report = retention.sweep(vault, now=datetime.now(UTC), actor="system:retention-cli")
    finally:
        vault.close()
    print(
        f"retention sweep: {report.erased} calls erased, {report.held} kept by legal holds, "
        f"{report.subjects_erased} customers erased, {report.objects_deleted} objects deleted, "
        f"{report.exports_expired} exports expired"
    )
    return 0


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from vault import migrate  # noqa: PLC0415
    from vault.db import make_engine  # noqa: PLC0415

    engine = make_engine(settings)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    print("database schema is up to date")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vault", description=__doc__)
    parser.add_argument("--data-dir", help="embedded mode's data directory (VAULT_DATA_DIR)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the API (and, embedded, its worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,  # do not override the global option given before `serve`
        help="embedded mode's data directory (VAULT_DATA_DIR)",
    )
    serve.add_argument(
        "--no-worker", action="store_true", help="embedded mode: do not run the in-process worker"
    )
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser("worker", help="a Celery worker (production topology)")
    worker.add_argument("--concurrency", type=int, default=None)
    worker.add_argument("--hostname", default=None)
    worker.set_defaults(handler=_worker)
    scheduler = commands.add_parser("scheduler", help="periodic work: reconciler, checkpoints")
    scheduler.set_defaults(handler=_scheduler)

    token = commands.add_parser("token", help="bearer tokens").add_subparsers(
        dest="token_command", required=True, metavar="ACTION"
    )
    create = token.add_parser("create", help="print a token; it stands alone on the last line")
    create.add_argument("--user", required=True)
    create.add_argument(
        "--role",
        required=True,
        choices=["agent", "qa", "rights_officer", "admin", "auditor", "ingest"],
    )
    create.add_argument("--ttl", type=int, default=None, help="lifetime in seconds")
    create.set_defaults(handler=_token_create)

    audit = commands.add_parser("audit", help="the access log").add_subparsers(
        dest="audit_command", required=True, metavar="ACTION"
    )
    verify = audit.add_parser("verify", help="check the chain; exit 0 only if intact")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.add_argument(
        "--no-checkpoint", action="store_true", help="do not sign a checkpoint at the tip"
    )
    verify.set_defaults(handler=_audit_verify)
    public_key = audit.add_parser("public-key", help="print the checkpoint-signing public key")
    public_key.set_defaults(handler=_audit_public_key)

    keys = commands.add_parser("keys", help="the key hierarchy").add_subparsers(
        dest="keys_command", required=True, metavar="ACTION"
    )
    rotate = keys.add_parser("rotate", help="new master key; re-wrap subject keys, not audio")
    rotate.add_argument(
        "--rewrap-only",
        action="store_true",
        help="only re-wrap under the keyring's current active key (after a KMS-side rotation)",
    )
    rotate.set_defaults(handler=_keys_rotate)

    redact = commands.add_parser("redact", help="redact text from stdin; JSON on stdout")
    redact.add_argument("--lang", choices=["tr", "en", "auto"], default="auto")
    redact.add_argument(
        "--jsonl", action="store_true", help='one {"id", "text", "lang"?, "known"?} per line'
    )
    redact.set_defaults(handler=_redact)

    evaluate = commands.add_parser("eval", help="measure the engines").add_subparsers(
        dest="eval_command", required=True, metavar="WHAT"
    )
    eval_redaction = evaluate.add_parser("redaction", help="recall and precision on FILE.jsonl")
    eval_redaction.add_argument("file")
    eval_redaction.add_argument(
        "--misses", type=int, default=0, help="also print up to N missed entities (dev data only)"
    )
    eval_redaction.set_defaults(handler=_eval_redaction)

    search = commands.add_parser("search", help="the search index").add_subparsers(
        dest="search_command", required=True, metavar="ACTION"
    )
    search.add_parser(
        "reindex", help="rebuild the index from the stored redacted transcripts"
    ).set_defaults(handler=_search_reindex)

    retention = commands.add_parser("retention", help="retention policies").add_subparsers(
        dest="retention_command", required=True, metavar="ACTION"
    )
    retention.add_parser(
        "sweep", help="erase what the policies say has expired now (the scheduler does it hourly)"
    ).set_defaults(handler=_retention_sweep)

    db = commands.add_parser("db", help="the database schema").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="apply migrations").set_defaults(handler=_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data_dir:
        os.environ["VAULT_DATA_DIR"] = args.data_dir
        get_settings.cache_clear()
    try:
        settings = get_settings()
        handler: Handler = args.handler
        return handler(args, settings)
    except (VaultError, ValueError) as error:
        print(f"vault: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
