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
