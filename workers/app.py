"""The Celery application, configured from the vault's settings.

Production: a Redis broker, ``vault worker`` processes on any number of machines and one
``vault scheduler``. Embedded: a broker in the data directory (kombu's filesystem transport)
that needs no server, consumed by a worker inside ``vault serve``. The same tasks either way.
Messages carry only recording ids; results are not stored.
"""

from __future__ import annotations

from celery import Celery

from vault.config import Settings


def embedded_queue_dir(settings: Settings) -> str:
    path = settings.data_dir / "queue"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return str(path)


def make_celery(settings: Settings) -> Celery:
    app = Celery("vault", set_as_current=False)
    transport_options: dict[str, object]
    if settings.broker_url:
        broker = settings.broker_url
        transport_options = {"visibility_timeout": settings.broker_visibility_timeout_seconds}
    else:
        broker = "filesystem://"
        folder = embedded_queue_dir(settings)
        transport_options = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "control_folder": folder,
            "polling_interval": 0.5,
        }
    app.conf.update(
        broker_url=broker,
        broker_transport_options=transport_options,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        # An upload must not hang on a broker that is down: the recording is safe in the
        # database, and the reconciler enqueues it once the broker is back.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        task_default_queue=settings.queue_name,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_concurrency=settings.worker_concurrency,
        beat_schedule={
            "reconcile": {
                "task": "vault.reconcile",
                "schedule": float(settings.reconcile_every_seconds),
            },
            "audit-checkpoint": {"task": "vault.audit_checkpoint", "schedule": 3600.0},
            "retention-sweep": {
                "task": "vault.retention_sweep",
                "schedule": float(settings.retention_sweep_every_seconds),
            },
        },
    )
    app.conf.include = ["workers.tasks"]
    app.set_default()
    return app
