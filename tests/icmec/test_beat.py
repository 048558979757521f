"""`celery -A icmec beat` starts on a fresh checkout: nothing needs creating first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.utils import ROOT, subprocess_env


def test_beat_starts_when_the_data_folder_does_not_exist(tmp_path):
    data_dir = tmp_path / "fresh-checkout" / ".data"
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="icmec.settings.test",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/icmec"),
        # Redis when the machine has one (the case that failed: only the filesystem broker
        # created the data folder); an in-memory broker otherwise.
        CELERY_BROKER_URL=os.environ.get("REDIS_URL") or "memory://",
        ICMEC_DATA_DIR=str(data_dir),
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "beat.log"
    with log_path.open("w") as log:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "icmec", "beat", "--loglevel", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if list(data_dir.glob("celerybeat-schedule*")) or beat.poll() is not None:
                break
            time.sleep(0.5)
        time.sleep(1)  # long enough to fail if opening the schedule failed
        assert beat.poll() is None, log_path.read_text()[-3000:]
        assert list(data_dir.glob("celerybeat-schedule*")), log_path.read_text()[-3000:]
        assert "beat: Starting..." in log_path.read_text()
    finally:
        if beat.poll() is None:
            os.killpg(beat.pid, signal.SIGTERM)
            beat.wait(timeout=30)
