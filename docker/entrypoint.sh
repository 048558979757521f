#!/usr/bin/env sh
# Entry point of every container (web, worker, beat): wait for PostgreSQL, then, where asked,
# migrate and load the demo content (both idempotent), then run the container's command.
set -eu

python - <<'PY'
import os
import sys
import time

import psycopg

url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
deadline = time.monotonic() + float(os.environ.get("DATABASE_WAIT_SECONDS", "60"))
while True:
    try:
        psycopg.connect(url, connect_timeout=3).close()
        break
    except psycopg.OperationalError as exc:
        if time.monotonic() > deadline:
            sys.exit(f"PostgreSQL is not reachable: {exc}")
        print("Waiting for PostgreSQL ...", flush=True)
        time.sleep(1)
PY

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
  python manage.py migrate --noinput
fi
if [ "${LOAD_DEMO_CONTENT:-0}" = "1" ]; then
  python manage.py load_demo_content
fi

exec "$@"
