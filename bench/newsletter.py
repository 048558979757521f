"""Benchmark newsletter sending: `make bench-newsletter` (ARGS="--subscribers 100000").

For each worker concurrency (2 and 4 by default): N confirmed subscribers, a real
`celery -A icmec worker`, an aiosmtpd sink on loopback that counts and discards. The end-to-end
rate runs from "send" (the call that snapshots the recipients) to the last message accepted by
the sink. In the same run, a plain smtplib loop sends the same number of prebuilt messages over
one connection to the same sink; the ratio of the two is the figure that matters. It also
samples the worker's resident memory (main process and largest pool process) while it sends:
it should not grow with the number of recipients.

It uses a database of its own (`<name>_bench`, created and migrated on first use) so that the
development data is left alone, and Redis (REDIS_URL, whose database it flushes) or, without it,
Celery's filesystem transport in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import pickle
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.smtp import SMTPServer  # noqa: E402
from tests.fixtures.worker import Worker  # noqa: E402


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        from icmec import embedded

        return embedded.database_url("icmec_bench")
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "icmec"
    bench_name = name if name.endswith("_bench") else f"{name}_bench"
    import psycopg

    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [bench_name]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{bench_name}"')
    return urlunsplit(parts._replace(path=f"/{bench_name}"))


def prepare_subscribers(count: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE newsletter_delivery, newsletter_subscriptionevent")
        cursor.execute("DELETE FROM newsletter_issue")
        cursor.execute("DELETE FROM newsletter_subscriber")
        cursor.execute(
            """
            INSERT INTO newsletter_subscriber (uuid, email, first_name, status, source,
                token_version, created_at, updated_at, confirmed_at, confirmed_source,
                suppressed_reason)
            SELECT gen_random_uuid(), 'reader' || g || '@bench.example.org', 'Reader', 'confirmed',
                'import', 0, now(), now(), now(), 'import', ''
            FROM generate_series(1, %s) AS g
            """,
            [count],
        )
        cursor.execute("VACUUM ANALYZE newsletter_subscriber")


def make_issue():
    from newsletter.models import Issue

    paragraph = (
        "<p>Across Australia, financial-crime teams, police, regulators and NGOs are working "
        "together to detect and disrupt the sexual exploitation of children. This month we look "
        "at what the latest data tells us, and at the training on offer for the year ahead. "
        '<a href="https://example.org/report">Read the full report</a>.</p>'
    )
    body = []
    for n in range(4):
        body.append({"type": "heading", "value": f"Section {n + 1}: news from the sector"})
        body.append({"type": "rich_text", "value": paragraph * 3})
    body.append(
        {
            "type": "button",
            "value": {"text": "Visit our website", "page": None, "url": "https://example.org/"},
        }
    )
    return Issue.objects.create(
        subject="Benchmark issue: news from the sector",
        preheader="Research, events and training",
        body=body,
        include_latest_posts=False,
    )


def flush_broker(broker_url: str) -> None:
    if broker_url.startswith("redis"):
        import redis

        redis.Redis.from_url(broker_url).flushdb()


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return 0


def worker_rss_mib(pid: int) -> tuple[float, float]:
    """Resident memory of the worker's main process and of its largest pool process (MiB),
    read from /proc (Linux)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:  # the parent's pid
            children.append(int(stat.parent.name))
    largest = max((_rss_kib(child) for child in children), default=0)
    return _rss_kib(pid) / 1024, largest / 1024


def run_pipeline(
    *, count: int, concurrency: int, sink: SMTPServer, env: dict, log_dir: Path
) -> tuple[float, float, float, float]:
    """Send one issue to `count` subscribers; returns (seconds, emails per second, and the peak
    resident memory in MiB of the worker's main process and of its largest pool process)."""
    from newsletter import services
    from newsletter.models import Delivery, Issue

    issue = make_issue()
    worker = Worker(
        env=env,
        concurrency=concurrency,
        log_path=log_dir / f"worker-c{concurrency}.log",
        name=f"bench{concurrency}",
    ).start(timeout=60)
    try:
        sink.handler.count = 0
        started = time.monotonic()
        services.issue_start_sending(issue_id=issue.pk)
        deadline = started + 1800
        peak_main = peak_pool = 0.0
        next_sample = started
        while sink.handler.count < count:
            now = time.monotonic()
            if now > deadline:
                raise RuntimeError(f"Only {sink.handler.count} of {count} messages arrived")
            if now >= next_sample:
                main, pool = worker_rss_mib(worker.process.pid)
                peak_main, peak_pool = max(peak_main, main), max(peak_pool, pool)
                next_sample = now + 0.5
            time.sleep(0.02)
        elapsed = sink.handler.last_accepted_at - started
        for _ in range(200):
            issue.refresh_from_db()
            if issue.status == Issue.Status.SENT:
                break
            time.sleep(0.05)
        sent = Delivery.objects.filter(issue=issue, status="sent").count()
        if sent != count or sink.handler.count != count:
            raise RuntimeError(f"Expected {count} sent, recorded {sent}, sink {sink.handler.count}")
    finally:
        worker.stop()
    return elapsed, count / elapsed, peak_main, peak_pool


def run_plain_loop(*, count: int, sink: SMTPServer, tmp: Path) -> tuple[float, float]:
    """The same number of prebuilt messages over one smtplib connection to the same sink.

    The loop runs in a process of its own, as the worker does, so that it does not share the
    sink's interpreter lock.
    """
    from newsletter import mail, rendering
    from newsletter.models import Issue

    issue = Issue.objects.order_by("-pk").first()
    factory = mail.IssueMessageFactory(
        issue_id=issue.pk,
        started_at_ts=0,
        rendered=rendering.RenderedEmail(issue.subject, issue.rendered_html, issue.rendered_text),
    )
    distinct = min(count, 1000)
    messages = [
        (
            f"reader{n}@bench.example.org",
            factory.as_bytes(
                mail.Recipient(
                    delivery_id=n,
                    email=f"reader{n}@bench.example.org",
                    unsubscribe_url=f"https://example.org/newsletter/unsubscribe/{n}/",
                    unsubscribe_mailto="mailto:news@example.org",
                )
            ),
        )
        for n in range(distinct)
    ]
    path = tmp / "prebuilt.pickle"
    path.write_bytes(pickle.dumps(messages))
    sink.handler.count = 0
    result = subprocess.run(
        [sys.executable, __file__, "--plain-loop", str(sink.port), str(count), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = float(result.stdout.strip())
    if sink.handler.count != count:
        raise RuntimeError(f"The sink got {sink.handler.count} of {count} messages")
    return elapsed, count / elapsed


def plain_loop(port: int, count: int, path: str) -> None:
    messages = pickle.loads(Path(path).read_bytes())  # noqa: S301 - our own temporary file
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo()
        started = time.monotonic()
        for n in range(count):
            to, data = messages[n % len(messages)]
            smtp.sendmail("news@example.org", [to], data)
        print(time.monotonic() - started)


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--plain-loop":
        plain_loop(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", "-n", type=int, default=10_000)
    parser.add_argument("--concurrency", "-c", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()

    sink = SMTPServer(keep=False).start()
    tmp = Path(tempfile.mkdtemp(prefix="newsletter-bench-"))
    broker_url = os.environ.get("REDIS_URL") or "filesystem://"
    env = {
        "DJANGO_SETTINGS_MODULE": "icmec.settings.dev",
        "DATABASE_URL": bench_database_url(),
        "DEBUG": "false",
        "EMAIL_URL": sink.url,
        "CELERY_BROKER_URL": broker_url,
        "NEWSLETTER_BATCH_SIZE": str(args.batch_size),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if broker_url == "filesystem://":
        env["ICMEC_DATA_DIR"] = str(tmp / "data")
        for folder in ("queue", "processed"):
            (tmp / "data" / "broker" / folder).mkdir(parents=True)
    os.environ.update(env)
    worker_env = os.environ.copy()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(
        f"Newsletter benchmark: {args.subscribers:,} confirmed subscribers, sink on {sink.url}",
        flush=True,
    )
    results = []
    try:
        for concurrency in args.concurrency:
            prepare_subscribers(args.subscribers)
            flush_broker(broker_url)
            seconds, rate, rss_main, rss_pool = run_pipeline(
                count=args.subscribers,
                concurrency=concurrency,
                sink=sink,
                env=worker_env,
                log_dir=tmp,
            )
            plain_seconds, plain_rate = run_plain_loop(count=args.subscribers, sink=sink, tmp=tmp)
            results.append((concurrency, seconds, rate, plain_seconds, plain_rate))
            print(
                f"  concurrency {concurrency}: end to end {seconds:7.2f} s = {rate:7.0f} emails/s"
                f" | plain smtplib loop {plain_seconds:7.2f} s = {plain_rate:7.0f} emails/s"
                f" | ratio {rate / plain_rate:.2f}"
                f" | worker RSS peak: main {rss_main:.0f} MiB, largest pool process"
                f" {rss_pool:.0f} MiB",
                flush=True,
            )
    finally:
        sink.stop()
        flush_broker(broker_url)
    best = max(results, key=lambda r: r[2])
    projected = 100_000 / best[2]
    print(
        f"Best: concurrency {best[0]}, {best[2]:.0f} emails/s, {best[2] / best[4]:.2f} of the "
        f"plain loop's rate; 100,000 recipients would take about {projected:.0f} s."
    )
    print(f"Worker logs: {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
