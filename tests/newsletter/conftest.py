"""Fixtures of the newsletter tests: a real SMTP server and real Celery workers."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.fixtures.smtp import SMTPServer
from tests.fixtures.worker import Worker, worker_environment


@pytest.fixture
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Send through Django's SMTP backend, in this process, to the test's SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.NEWSLETTER_RETRY_BASE_SECONDS = 1
    return smtp_server


def _reset_connections(app) -> None:
    # The app keeps a connection pool for the broker URL it first saw (as after a fork).
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def private_redis(monkeypatch, tmp_path):
    """A Redis server of this test's own (it gets killed), as REDIS_URL for the broker fixture."""
    import shutil
    import socket
    import subprocess

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    command += ["no", "--dir", str(tmp_path)]

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            import redis

            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            client = redis.Redis(port=port)
            wait_for(lambda: _pings(client), message="The private Redis did not start")
            return self

        def kill(self):
            self.process.kill()
            self.process.wait(timeout=10)

    def _pings(client):
        try:
            return client.ping()
        except Exception:
            return False

    server = Server().start()
    monkeypatch.setenv("REDIS_URL", server.url)
    yield server
    if server.process.poll() is None:
        server.kill()


@pytest.fixture
def broker(tmp_path):
    """Point this test process's Celery app at a real broker and stop running tasks eagerly.

    Redis (REDIS_URL, flushed before and after: the database number is this part's own) or,
    without it, the filesystem transport in a temporary folder.
    """
    from icmec.celery import app

    redis_url = os.environ.get("REDIS_URL", "")
    extra_env: dict[str, str] = {}
    if redis_url:
        broker_url = redis_url
        import redis

        client = redis.Redis.from_url(redis_url)
        client.flushdb()
        app.conf.broker_transport_options = {"visibility_timeout": 3600}
    else:
        broker_url = "filesystem://"
        data_dir = tmp_path / "data"
        queue = data_dir / "broker" / "queue"
        queue.mkdir(parents=True)
        (data_dir / "broker" / "processed").mkdir()
        extra_env["ICMEC_DATA_DIR"] = str(data_dir)
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(data_dir / "broker" / "processed"),
            "store_processed": False,
        }
        client = None
    previous = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    _reset_connections(app)
    yield {"url": broker_url, "env": extra_env}
    app.conf.broker_url, app.conf.task_always_eager = previous[0], previous[1]
    _reset_connections(app)
    if client is not None:
        client.flushdb()


@pytest.fixture
def start_worker(broker, smtp_server, tmp_path):
    """A factory of real worker processes; every one is killed at the end of the test."""
    from django.db import connection

    workers: list[Worker] = []

    def start(*, concurrency: int = 2, extra_env: dict | None = None) -> Worker:
        env = worker_environment(
            database=connection.settings_dict,
            broker_url=broker["url"],
            email_url=smtp_server.url,
            extra={
                "NEWSLETTER_BATCH_SIZE": "20",
                "NEWSLETTER_RETRY_BASE_SECONDS": "0.5",
                "NEWSLETTER_RETRY_MAX_SECONDS": "2",
                **broker["env"],
                **(extra_env or {}),
            },
        )
        name = f"w{len(workers) + 1}"
        worker = Worker(
            env=env,
            concurrency=concurrency,
            log_path=Path(tmp_path) / f"{name}.log",
            name=name,
        )
        workers.append(worker)
        # A busy machine (tests in parallel on two CPUs) can take long to start one.
        return worker.start(timeout=90)

    yield start
    for worker in workers:
        worker.kill()


def wait_for(condition, *, timeout: float = 25.0, interval: float = 0.1, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or "Timed out waiting for a condition")
