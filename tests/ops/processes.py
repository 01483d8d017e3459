"""Running Orderly's commands as separate processes, the way a person or a container does."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from tests.postgres import database_url

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = str(Path(sys.executable).parent)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def users_shell_environment(**extra: str) -> dict[str, str]:
    """A user's shell on a fresh clone: no virtualenv on PATH, no Django settings, no
    SECRET_KEY, nothing Orderly-specific; only the test database (and `extra`) given."""
    path = os.pathsep.join(
        part for part in os.environ.get("PATH", "").split(os.pathsep) if part != VENV_BIN
    )
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name in {"HOME", "LANG", "LC_ALL", "TMPDIR", "TERM", "USER", "XDG_RUNTIME_DIR"}
    }
    return {**inherited, "PATH": path, "DATABASE_URL": database_url(), **extra}


def run_as_typed(command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a command line through the shell from the checkout, as it is printed."""
    return subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@contextmanager
def serving(command: list[str], *, env: dict[str, str], log: Path, base: str) -> Iterator[None]:
    """Start a server (and whatever it starts) in a process group of its own, wait until
    it is ready, and stop the whole group afterwards."""
    with log.open("w") as output:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/health/ready/", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{command} did not become ready:\n{log.read_text()}")
                time.sleep(0.2)
            yield
        finally:
            with suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
