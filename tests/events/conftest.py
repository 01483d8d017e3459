"""The task worker as a real process (`python manage.py worker`) on the test database."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.postgres import database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def run_worker(transactional_db: Any, mail_dir: Path) -> Callable[..., str]:
    """Run the worker (or several at once) until no task is due (`--batch`), with
    production settings on the test database, sending mail to files in `mail_dir` unless
    `env` says otherwise. Returns their output."""

    def run(processes: int = 1, **env: str) -> str:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(),
            "SECRET_KEY": "worker-test-secret",
            "DEBUG": "0",
            "LOG_FORMAT": "text",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "ORDERLY_PUBLIC_URL": "https://shop.example",
            **env,
        }
        workers = [
            subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--batch", "--no-startup-delay"],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(processes)
        ]
        outputs = []
        for worker in workers:
            output, _ = worker.communicate(timeout=120)
            assert worker.returncode == 0, output
            outputs.append(output)
        return "\n".join(outputs)

    return run
