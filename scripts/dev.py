"""`make run`: the whole site in one terminal: web, Celery worker and Celery beat.

With no DATABASE_URL, the embedded PostgreSQL under .data/ is started (and stopped again on
Ctrl-C); with no CELERY_BROKER_URL, Celery uses the filesystem transport under .data/. The data
stays in .data/ between runs. HOST and PORT (default 127.0.0.1:8000) choose where the web server
listens; links in pages and emails follow them unless SITE_URL is set. With no REDIS_URL the three
processes share a cache table in the database (see icmec.settings.dev).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))


def main() -> int:
    env = os.environ.copy()
    env.setdefault("DJANGO_SETTINGS_MODULE", "icmec.settings.dev")
    env.setdefault("PYTHONUNBUFFERED", "1")
    # Every process (migrate and load_demo_content included, which point the Wagtail site at
    # SITE_URL) must derive the same SITE_URL from the same address.
    host = env.setdefault("HOST", "127.0.0.1")
    port = env.setdefault("PORT", "8000")
    started_embedded = False
    if not env.get("DATABASE_URL"):
        from icmec import embedded

        print("Starting the embedded PostgreSQL in .data/postgres ...", flush=True)
        env["DATABASE_URL"] = embedded.database_url("icmec")
        started_embedded = True

    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo_content"], env=env, check=True, cwd=ROOT)

    celery = [PYTHON, "-m", "celery", "-A", "icmec"]
    commands = {
        "web": [*manage, "runserver", f"{host}:{port}"],
        "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
        "beat": [*celery, "beat", "--loglevel", "INFO"],
    }
    processes = {
        name: subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
        for name, command in commands.items()
    }
    from icmec.addresses import local_site_url

    site_url = env.get("SITE_URL") or local_site_url(host, port)
    print(f"\nThe site runs at {site_url}/ (admin: /admin/). Ctrl-C stops it.\n")

    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with {process.returncode}; stopping the rest.")
                    exit_code = process.returncode or 1
                    stopping = True
                    break
            time.sleep(0.5)
    finally:
        for name, process in processes.items():
            if process.poll() is None:
                # Celery's main process shuts its pool down warmly; runserver's autoreloader
                # child only stops with its whole process group.
                if name == "web":
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    process.terminate()
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if started_embedded:
            from icmec import embedded

            embedded.stop()
            print("Stopped the embedded PostgreSQL.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
