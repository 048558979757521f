"""The production-like stack: docker-compose.yml, the Dockerfile's steps and the entrypoint.

No Docker engine runs on CI, so these tests check what can be checked without one: the compose
file is valid YAML with the services and health checks the stack needs, its environment is
exactly what the production settings accept, and the entrypoint and build steps work when run
directly.
"""

import re
import subprocess
import sys

import pytest
import yaml

from icmec.settings import PRODUCTION_REQUIRED
from tests.utils import ROOT, subprocess_env

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("web", "worker", "beat")


def _compose_env(service: str) -> dict[str, str]:
    env = COMPOSE["services"][service]["environment"]
    # Expand ${VAR:-default} as compose does when VAR is unset.
    return {key: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value)) for key, value in env.items()}


def test_compose_defines_the_whole_stack():
    services = COMPOSE["services"]

    assert set(services) >= {"postgres", "redis", "mailpit", "proxy", *APP_SERVICES}
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-1] == "ping"
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "/health/" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "icmec", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "icmec", "beat"]
    assert {services[name]["image"] for name in APP_SERVICES} == {"icmec-site"}


def test_compose_accepts_the_file():
    """`docker compose config` (the plugin, or Debian's docker-compose where it is missing)."""
    import shutil

    if (
        subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        command = ["docker", "compose"]
    elif shutil.which("docker-compose"):
        command = ["docker-compose"]
    else:
        pytest.skip("neither docker compose nor docker-compose is installed")
    result = subprocess.run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_the_proxy_is_the_sites_only_published_port():
    services = COMPOSE["services"]
    published = {
        name: service["ports"] for name, service in services.items() if service.get("ports")
    }

    assert published["proxy"] == ["8000:80"]
    # Mailpit, the local mail catcher, listens on this machine's loopback only.
    assert published.pop("mailpit") == ["127.0.0.1:8025:8025"]
    assert set(published) == {"proxy"}
    assert services["proxy"]["build"]["target"] == "proxy"
    assert "media:/srv/proxy/media:ro" in services["proxy"]["volumes"]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    for name in APP_SERVICES:
        assert _compose_env(name)["FRONTEND_CACHE_PURGE_URL"] == "http://proxy:8081"


def test_the_proxy_image_fills_in_every_address_the_configuration_leaves_open():
    config = (ROOT / "docker" / "proxy" / "nginx.conf").read_text()
    entrypoint = (ROOT / "docker" / "proxy" / "entrypoint.sh").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", config))

    substituted = set(re.findall(r"\$\{([A-Z_]+)\}", entrypoint.split("envsubst", 1)[1]))
    proxy_stage = dockerfile.split("AS proxy", 1)[1].split("FROM ", 1)[0]
    defaults = set(re.findall(r"\b([A-Z_]+)=", proxy_stage.split("ENV ", 1)[1].splitlines()[0]))

    assert placeholders == {"PROXY_LISTEN", "PURGE_LISTEN", "UPSTREAM"}
    assert substituted == placeholders
    assert defaults == placeholders
    assert "COPY docker/proxy/nginx.conf /etc/icmec/nginx.conf" in proxy_stage
    assert "libnginx-mod-http-cache-purge" in proxy_stage


def test_the_proxy_configuration_is_valid_nginx(tmp_path):
    from tests.fixtures import proxy

    if not proxy.available():
        pytest.skip("nginx is not installed")
    (tmp_path / "temp").mkdir()
    (tmp_path / "nginx.conf").write_text(
        proxy.render(listen="127.0.0.1:1", purge_listen="127.0.0.1:2", upstream="127.0.0.1:3")
    )
    result = subprocess.run(
        [proxy.NGINX, "-t", "-p", f"{tmp_path}/", "-c", "nginx.conf"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_only_the_web_container_migrates_and_loads_demo_content():
    assert _compose_env("web")["RUN_MIGRATIONS"] == "1"
    assert _compose_env("web")["LOAD_DEMO_CONTENT"] == "1"
    for name in ("worker", "beat"):
        assert "RUN_MIGRATIONS" not in _compose_env(name)


def test_compose_environment_satisfies_the_production_settings():
    for name in APP_SERVICES:
        env = _compose_env(name)
        assert set(PRODUCTION_REQUIRED) <= set(env), name
        assert env["DJANGO_SETTINGS_MODULE"] == "icmec.settings.production"
        assert env["EMAIL_URL"].startswith("smtp://mailpit:")
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=subprocess_env(**_compose_env("web")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_dockerfile_build_step_collects_static_files(tmp_path):
    """The Dockerfile's collectstatic step, run as the build runs it (manifest storage)."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic --noinput" in dockerfile
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in dockerfile
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="icmec.settings.production",
        SECRET_KEY="collectstatic-only",
        DATABASE_URL="postgres://build/build",
        ALLOWED_HOSTS="build",
        CELERY_BROKER_URL="redis://build:6379/0",
        STATIC_ROOT=str(tmp_path),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("icmec/css/site.*.css"))


@pytest.mark.django_db
def test_entrypoint_waits_for_the_database_migrates_and_runs_the_command():
    from django.db import connection

    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    url = f"postgres://{db['USER']}@{host.replace('/', '%2F')}:{db['PORT'] or 5432}/{db['NAME']}"
    env = subprocess_env(
        **_compose_env("web")
        | {
            "DATABASE_URL": url,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "LOAD_DEMO_CONTENT": "0",
        }
    )

    result = subprocess.run(
        [str(ROOT / "docker/entrypoint.sh"), "python", "-c", "print('command ran')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "No migrations to apply" in result.stdout
    assert result.stdout.rstrip().endswith("command ran")


def test_entrypoint_gives_up_when_the_database_never_answers():
    env = subprocess_env(
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        DATABASE_WAIT_SECONDS="2",
    )

    result = subprocess.run(
        [str(ROOT / "docker/entrypoint.sh"), "python", "-c", "print('command ran')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "PostgreSQL is not reachable" in result.stderr
    assert "command ran" not in result.stdout
