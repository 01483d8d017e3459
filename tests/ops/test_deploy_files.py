"""The Dockerfile and docker-compose.yml hold together (no Docker engine needed)."""

import fnmatch
import os
import re
import secrets
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml
from django.core.management import get_commands

from tests.system_tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
# What the compose file reads from the shell; the tests say which of them are set.
COMPOSE_VARIABLES = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "HTTPS",
    "SECURE_COOKIES",
    "WEB_ADDRESS",
    "NUM_PROXIES",
    "POSTGRES_PASSWORD",
    "CSRF_TRUSTED_ORIGINS",
    "WEB_CONCURRENCY",
    "LOG_LEVEL",
    "DATABASE_URL",
}


def compose(*args: str, **env: str) -> subprocess.CompletedProcess:
    """docker-compose on our compose file, in a shell that exports only `env` of ours."""
    executable = require_tool("docker-compose", shutil.which("docker-compose"))
    clean = {k: v for k, v in os.environ.items() if k not in COMPOSE_VARIABLES}
    return subprocess.run(
        [executable, "-f", str(ROOT / "docker-compose.yml"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def compose_services(**env: str) -> dict[str, Any]:
    result = compose("config", **env)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def test_the_compose_file_is_valid():
    result = compose("config", SECRET_KEY="a-long-random-secret")

    assert result.returncode == 0, result.stderr
    assert "postgres:16" in result.stdout
    assert "migrate_locked" not in result.stdout  # the image's CMD runs it, not compose
    assert "pg_isready" in result.stdout and "/health/ready/" in result.stdout


def test_the_database_starts_alone_without_a_secret_key():
    """`docker compose up -d db` (the README's development PostgreSQL) reads the whole file:
    nothing in it may insist on variables only the web service needs."""
    listed = compose("config", "--services")

    assert listed.returncode == 0, listed.stderr
    assert set(listed.stdout.split()) == {"db", "web", "worker"}
    assert compose_services()["db"]["ports"] == ["127.0.0.1:5432:5432/tcp"]


def test_the_web_service_refuses_to_run_without_a_secret_key():
    web = compose_services()["web"]["environment"]
    assert web["SECRET_KEY"] == ""

    started = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, **web, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )

    assert started.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in started.stderr


def test_compose_defaults_are_the_safe_production_ones():
    web = compose_services(SECRET_KEY="a-long-random-secret")["web"]

    assert (web["environment"]["HTTPS"], web["environment"]["SECURE_COOKIES"]) == ("1", "1")
    assert web["ports"] == ["127.0.0.1:8000:8000/tcp"]  # for a proxy on the same host


def test_plain_http_and_other_interfaces_are_explicit_choices():
    """What the compose file's header tells you to type to try it over plain HTTP."""
    header = (ROOT / "docker-compose.yml").read_text().split("services:")[0]
    assert "HTTPS=0 SECURE_COOKIES=0 docker compose up" in header
    assert "WEB_ADDRESS=0.0.0.0:8000" in header

    web = compose_services(
        SECRET_KEY="s", HTTPS="0", SECURE_COOKIES="0", WEB_ADDRESS="0.0.0.0:8000"
    )["web"]

    assert (web["environment"]["HTTPS"], web["environment"]["SECURE_COOKIES"]) == ("0", "0")
    assert web["ports"] == ["0.0.0.0:8000:8000/tcp"]


def test_the_build_context_leaves_out_local_state_and_secrets():
    patterns = [
        line
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        """Docker's rule, simplified: a pattern matches the path or one of its parent
        directories; `**/` matches at any depth."""
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            for pattern in patterns:
                if pattern.startswith("**/"):
                    if fnmatch.fnmatch(parts[depth - 1], pattern.removeprefix("**/")):
                        return True
                elif fnmatch.fnmatch("/".join(parts[:depth]), pattern):
                    return True
        return False

    for local in [
        ".venv/bin/python",
        "db.sqlite3",
        ".git/HEAD",
        ".env",
        "test-artifacts/pay-page.png",
        "shop/__pycache__/models.cpython-311.pyc",
        "staticfiles/admin/css/base.css",
    ]:
        assert ignored(local), local
    for copied in dockerfile_copies():
        files = (
            [copied]
            if (ROOT / copied).is_file()
            else [
                str(path.relative_to(ROOT))
                for path in (ROOT / copied).rglob("*")
                if path.is_file() and "__pycache__" not in path.parts
            ]
        )
        assert files and not any(ignored(f) for f in files), copied


def test_the_image_keeps_its_sqlite_file_in_a_volume_its_user_can_write():
    dockerfile = (ROOT / "Dockerfile").read_text()
    user = re.search(r"^USER (\w+)", dockerfile, re.M)[1]
    url = re.search(r"^ENV DATABASE_URL=sqlite:///(/\S+)/[\w.]+$", dockerfile, re.M)
    assert url, "the image names its SQLite file"
    data = url[1]

    assert re.search(rf"mkdir {data} && chown {user}:{user} {data}", dockerfile)
    assert re.search(rf"^VOLUME {data}$", dockerfile, re.M)


def env_example() -> dict[str, str]:
    """The production settings of .env.example, as `set -a; . ./.env.example` exports them."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` in a shell that has only `env` (and PATH, HOME)."""
    shell = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**shell, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_the_production_settings_of_env_example():
    settings = {**env_example(), "SECRET_KEY": secrets.token_urlsafe(50)}

    result = deploy_check(settings)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_reports_the_placeholder_secret_key():
    result = deploy_check(env_example())

    assert result.returncode != 0
    assert "security.W009" in result.stderr  # "change-me-…" is not a secret


def test_check_deploy_is_clean_with_the_compose_defaults():
    web = compose_services(SECRET_KEY=secrets.token_urlsafe(50))["web"]["environment"]

    result = deploy_check(web)

    assert result.returncode == 0, result.stderr


def dockerfile_copies() -> list[str]:
    dockerfile = (ROOT / "Dockerfile").read_text()
    return [
        source
        for line in re.findall(r"^COPY (?!--from)(.+)$", dockerfile, re.M)
        for source in line.split()[:-1]
    ]


def test_everything_the_dockerfile_copies_and_runs_exists():
    dockerfile = (ROOT / "Dockerfile").read_text()
    sources = dockerfile_copies()
    assert sources, "no COPY lines found"
    for source in sources:
        assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    assert "migrate_locked" in get_commands()
    assert "collectstatic" in get_commands()
    assert "gunicorn config.wsgi" in dockerfile
    assert (ROOT / "gunicorn.conf.py").exists()
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M), "the image must not run as root"


def test_the_image_holds_every_package_the_project_installs():
    """The image installs what its COPY lines brought: a package left out would leave an
    installed app missing from the running service."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        pattern.rstrip("*")
        for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }

    assert packages <= set(dockerfile_copies())


WORKER_COMMAND = "python manage.py worker"


def test_the_worker_runs_the_readme_command_in_compose_and_beside_the_demo():
    services = compose_services(SECRET_KEY="a-long-random-secret")
    worker, web = services["worker"], services["web"]

    assert worker["command"] == WORKER_COMMAND
    assert worker["image"] == web["image"] == "orderly:local"
    assert worker["environment"] == web["environment"]
    assert f"```sh\n{WORKER_COMMAND}\n```" in (ROOT / "README.md").read_text()
    assert f"\n{WORKER_COMMAND} &\n" in (ROOT / "scripts" / "run").read_text()
    assert "worker" in get_commands()
