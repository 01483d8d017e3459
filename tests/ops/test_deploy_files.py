"""The Dockerfile and docker-compose.yml hold together (no Docker engine needed)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DOCKER_COMPOSE = shutil.which("docker-compose")


def compose_config(**env: str) -> subprocess.CompletedProcess:
    if DOCKER_COMPOSE is None:
        pytest.fail("docker-compose is missing: ./scripts/test installs it when run as root.")
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY"}}
    return subprocess.run(
        [DOCKER_COMPOSE, "-f", str(ROOT / "docker-compose.yml"), "config"],
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_the_compose_file_is_valid():
    result = compose_config(SECRET_KEY="a-long-random-secret")

    assert result.returncode == 0, result.stderr
    assert "postgres:16" in result.stdout
    assert "migrate_locked" not in result.stdout  # the image's CMD runs it, not compose
    assert "pg_isready" in result.stdout and "/health/ready/" in result.stdout


def test_compose_refuses_to_start_without_a_secret_key():
    result = compose_config()

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_everything_the_dockerfile_copies_and_runs_exists():
    dockerfile = (ROOT / "Dockerfile").read_text()
    sources = [
        source
        for line in re.findall(r"^COPY (?!--from)(.+)$", dockerfile, re.M)
        for source in line.split()[:-1]
    ]
    assert sources, "no COPY lines found"
    for source in sources:
        assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    assert "migrate_locked" in get_commands()
    assert "collectstatic" in get_commands()
    assert "gunicorn config.wsgi" in dockerfile
    assert (ROOT / "gunicorn.conf.py").exists()
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M), "the image must not run as root"


WORKER_COMMAND = "python manage.py worker"


def test_the_worker_runs_the_readme_command_in_compose_and_beside_the_demo():
    result = compose_config(SECRET_KEY="a-long-random-secret")
    assert result.returncode == 0, result.stderr
    worker = result.stdout.split("\n  worker:\n", 1)[1]
    web = result.stdout.split("\n  web:\n", 1)[1].split("\n  worker:\n", 1)[0]

    assert f"command: {WORKER_COMMAND}\n" in worker
    assert "image: orderly:local" in worker and "image: orderly:local" in web
    environment = worker.split("environment:\n", 1)[1].split("\n    healthcheck:", 1)[0]
    assert environment in web  # the same environment as web
    assert f"```sh\n{WORKER_COMMAND}\n```" in (ROOT / "README.md").read_text()
    assert f"\n{WORKER_COMMAND} &\n" in (ROOT / "scripts" / "run").read_text()
    assert "worker" in get_commands()
