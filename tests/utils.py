"""Helpers shared by tests that run the project's commands in a subprocess."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Only what a fresh shell on a deployment host would have; nothing the test run itself set
# (DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests, DATABASE_URL, REDIS_URL ...).
_PASSTHROUGH = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "ICMEC_DATA_DIR"}


def subprocess_env(**variables: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key in _PASSTHROUGH}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"
    return env | variables
