"""``load_demo`` and ``carnot demo`` on an empty database: what they load and print, the demo's
ledgers and published allocation included; loaded once, never twice without ``--reset``."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from django.core import management
from django.core.management import CommandError, call_command

from carnot.allocation.models import AllocationRun, Grant
from carnot.applications.models import Application
from carnot.demo import cli
from carnot.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from carnot.demo.cli import main as demo_main

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_load_demo_refuses_to_load_twice_unless_reset(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_demo")
    out = " ".join(capsys.readouterr().out.split())  # as read, whatever the terminal's width
    assert "40 candidatures" in out and "coordinateur" in out and DEMO_PASSWORD in out
    assert "Registres de contrats 2023–2026" in out
    assert "Répartition 2026 n° 1 publiée : 62 000 000,00 €" in out  # spaces normalised
    with pytest.raises(CommandError, match="--reset"):
        call_command("load_demo")
    call_command("load_demo", "--reset")
    assert Application.objects.count() == 40
    assert AllocationRun.objects.get().number == 1 and Grant.objects.count() == 32


def test_carnot_demo_loads_an_empty_database_once_and_prints_address_and_logins(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARNOT_DEBUG", raising=False)  # restored after the test
    assert demo_main(["--no-server", "--port", "8123"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "http://127.0.0.1:8123/" in out and DEMO_PASSWORD in out
    assert all(account.username in out for account in DEMO_ACCOUNTS)
    assert "en défaut exprès" in out and Application.objects.count() == 40
    assert "Registres de contrats" in out and AllocationRun.objects.count() == 1
    assert demo_main(["--no-server"]) == 0  # already there: not loaded again
    out = capsys.readouterr().out
    assert "en défaut exprès" not in out and "http://127.0.0.1:8000/" in out
    assert Application.objects.count() == 40 and AllocationRun.objects.count() == 1


def test_carnot_demo_runs_a_task_worker_while_the_server_runs_and_stops_it_after(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The server and the worker are stand-ins here: the server checks the worker is running,
    then stops as Ctrl-C stops it; the worker is a process that would wait a minute."""
    monkeypatch.delenv("CARNOT_DEBUG", raising=False)
    monkeypatch.setattr(cli, "WORKER_COMMAND", [sys.executable, "-c",
                                                "import time; time.sleep(60)"])
    started: list[subprocess.Popen[bytes]] = []
    real_start = cli.start_worker

    def start() -> subprocess.Popen[bytes]:
        started.append(real_start())
        return started[0]

    monkeypatch.setattr(cli, "start_worker", start)
    real_call_command = management.call_command

    def server(name: str, *args: Any, **options: Any) -> None:
        if name != "runserver":
            return real_call_command(name, *args, **options)
        assert started and started[0].poll() is None, "the worker runs beside the server"
        raise KeyboardInterrupt

    monkeypatch.setattr(management, "call_command", server)
    with pytest.raises(KeyboardInterrupt):
        demo_main([])
    out = " ".join(capsys.readouterr().out.split())
    assert f"un worker tourne (processus {started[0].pid})" in out
    assert started[0].poll() is not None, "stopped with the server"
