"""Production settings: fail fast without configuration and pass `check --deploy` with it."""

import subprocess
import sys

from tests.utils import ROOT, subprocess_env

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "icmec.settings.production",
    "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/icmec",
    "ALLOWED_HOSTS": "www.example.org",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "SITE_URL": "https://www.example.org",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_required_variables():
    for missing in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CELERY_BROKER_URL"):
        env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

        result = _manage("check", env=env)

        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert missing in result.stderr


def test_production_with_an_email_service_refuses_to_start_without_a_webhook_secret():
    env = PRODUCTION_ENV | {"ANYMAIL_ESP": "postmark", "ANYMAIL_POSTMARK_SERVER_TOKEN": "token"}

    refused = _manage("check", env=env)
    started = _manage("check", env=env | {"ANYMAIL_WEBHOOK_SECRET": "hook-user:long-secret"})

    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "ANYMAIL_WEBHOOK_SECRET" in refused.stderr
    assert started.returncode == 0, started.stderr


def test_the_email_service_webhooks_are_configured_with_smtp_delivery_too():
    """ANYMAIL_* settings do not depend on ANYMAIL_ESP: an SMTP relay can post its events."""
    env = PRODUCTION_ENV | {
        "EMAIL_URL": "smtp+tls://user:pass@smtp.example.org:587",
        "ANYMAIL_WEBHOOK_SECRET": "hook-user:long-secret",
        "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": "signing-key",
    }
    code = (
        "from django.conf import settings; "
        "print(settings.EMAIL_BACKEND); "
        "print(sorted(settings.ANYMAIL.items()))"
    )

    result = _manage("shell", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert "django.core.mail.backends.smtp.EmailBackend" in result.stdout
    assert "('WEBHOOK_SECRET', 'hook-user:long-secret')" in result.stdout
    assert "('MAILGUN_WEBHOOK_SIGNING_KEY', 'signing-key')" in result.stdout


def test_production_with_a_bounce_address_needs_the_webhook_secret():
    env = PRODUCTION_ENV | {"NEWSLETTER_BOUNCE_ADDRESS": "bounces@news.example.org"}

    refused = _manage("check", env=env)
    started = _manage("check", env=env | {"ANYMAIL_WEBHOOK_SECRET": "hook-user:long-secret"})

    assert refused.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET" in refused.stderr
    assert started.returncode == 0, started.stderr


def _settings_written(module) -> tuple[set[str], list[str]]:
    """The settings (upper-case names) a settings module assigns at its top level, and the
    lines where it changes one in place (`X[key] = ...`, `X.append(...)`, `X.update(...)`)."""
    import ast

    tree = ast.parse(module.read_text())
    assigned: set[str] = set()
    changed: list[str] = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            assigned |= {name.id for name in names if isinstance(name, ast.Name)}
            while isinstance(target, ast.Subscript):
                target = target.value
                if isinstance(target, ast.Name) and target.id.isupper():
                    changed.append(f"{module.name}:{node.lineno}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name | ast.Subscript)
            and ast.unparse(node.func.value).split("[")[0].isupper()
            and node.func.attr in {"append", "extend", "insert", "update", "setdefault", "pop"}
        ):
            changed.append(f"{module.name}:{node.lineno}")
    return {name for name in assigned if name.isupper()}, changed


def test_each_setting_is_declared_in_one_settings_module_and_never_changed_in_place():
    """`icmec/settings/components/` declares each setting once; nothing appends to a list or
    adds to a dict afterwards, here or in `dev`, `test` and `production` (they rebind)."""
    components = sorted((ROOT / "icmec" / "settings" / "components").glob("*.py"))
    declared_in: dict[str, list[str]] = {}
    changed = []
    for module in [*components, *(ROOT / "icmec" / "settings").glob("*.py")]:
        names, in_place = _settings_written(module)
        changed += in_place
        if module in components:
            for name in names:
                declared_in.setdefault(name, []).append(module.stem)

    assert len(components) > 5
    assert {"INSTALLED_APPS", "MIDDLEWARE", "CELERY_BEAT_SCHEDULE", "STORAGES"} <= set(declared_in)
    assert {name: places for name, places in declared_in.items() if len(places) > 1} == {}
    assert changed == []


def test_beat_schedules_every_periodic_task_of_every_app():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "blog.tasks.publish_scheduled",
        "outbox.tasks.relay_outbox",
        "outbox.tasks.purge_outbox",
        "portal.tasks.send_message_digests",
        "portal.tasks.purge_safeguarding_records",
        "newsletter.tasks.send_scheduled_issues",
        "newsletter.tasks.sweep_deliveries",
        "newsletter.tasks.purge_pending_subscribers",
    } <= tasks
