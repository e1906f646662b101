"""``carnot demo``: the platform with its national demo dataset, on http://127.0.0.1:8000/.

Migrates the database (SQLite under ``./var`` unless ``DATABASE_URL`` says otherwise), loads
the demo dataset when the database is empty, prints the address and the demo logins of each
role, then runs Django's development server and one task worker (``manage.py db_worker``, a
subprocess: it runs the ledger imports started from the pages), stopped when the server stops
(Ctrl-C). ``--no-server`` starts neither. Also ``python -m carnot.demo``.

Django is imported only once the settings are chosen (and the models only after
``django.setup()``), so that the command line imports this module cheaply.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from rich.console import Console
from rich.panel import Panel

DEFAULT_PORT = 8000
HOST = "127.0.0.1"
WORKER_COMMAND = [sys.executable, "-m", "django", "db_worker", "--no-reload"]
"""The task worker, with the same settings and database as this process (its environment)."""
WORKER_STOP_SECONDS = 10
"""How long the worker may take to finish the task it runs once asked to stop."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port du serveur de développement (défaut : {DEFAULT_PORT})")
    parser.add_argument("--no-server", action="store_true",
                        help="préparer la base et les comptes sans lancer le serveur")
    parser.add_argument("--reset", action="store_true",
                        help="supprimer puis recharger les données de démonstration")
    parser.add_argument("--scale", type=int, default=1,
                        help="multiplier candidatures et unités (bancs d'essai ; défaut : 1)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="carnot demo", description="Plateforme Carnot de démonstration : base, jeu de "
        "données national, comptes par rôle et serveur local.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Migrate, load the demo if the database is empty, print the logins, serve."""
    if args.scale < 1:
        Console(stderr=True).print("--scale doit valoir au moins 1")
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carnot.web.settings")
    os.environ.setdefault("CARNOT_DEBUG", "1")  # runserver then serves the static files
    # Links in the e-mails lead to this server, whatever its port.
    os.environ.setdefault("CARNOT_SITE_URL", f"http://{HOST}:{args.port}")
    # Imported here, once the settings module is chosen; the models after django.setup().
    import django  # noqa: PLC0415
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    django.setup()
    from carnot.demo import national as dataset  # noqa: PLC0415
    from carnot.demo.management.commands import load_demo  # noqa: PLC0415

    console = Console()
    with console.status("Base de données : application des migrations…"):
        call_command("migrate", interactive=False, verbosity=0)
    loaded = dataset.demo_is_loaded()
    if args.reset or (not loaded and dataset.database_is_empty()):
        summary = load_demo.load_with_progress(console, scale=args.scale, reset=args.reset)
        load_demo.render_summary(console, summary)
    elif not loaded:
        console.print("[yellow]La base contient déjà d'autres données : le jeu de "
                      "démonstration n'est pas chargé[/] (« carnot demo --reset » pour le "
                      "charger, ou une autre base avec CARNOT_DATA_DIR).")
    address = f"http://{HOST}:{args.port}/"
    worker = None if args.no_server else start_worker()
    # Stopped by a signal rather than Ctrl-C (a service manager, ``kill``), the demo still
    # stops its worker on the way out.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    try:
        console.print(Panel.fit("\n".join([
            "[bold]Plateforme Carnot — démonstration[/]",
            f"Adresse : [bold]{address}[/]  (connexion : {address}connexion/)",
            f"Base de données : {settings.DATABASES['default']['NAME']}",
            *([f"Tâches de fond (imports, e-mails) : un worker tourne (processus "
               f"{worker.pid})", "Arrêt du serveur et du worker : Ctrl-C"] if worker else
              ["Serveur et worker non lancés (--no-server)"])]), border_style="blue"))
        console.print(load_demo.logins_table())
        if worker is not None:
            call_command("runserver", f"{HOST}:{args.port}", use_reloader=False)
    finally:
        if worker is not None:
            stop_worker(worker)
    return 0


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def start_worker() -> subprocess.Popen[bytes]:
    """One task worker, in its own session so that Ctrl-C reaches only the server: the worker
    is then stopped once, by ``stop_worker``."""
    return subprocess.Popen(WORKER_COMMAND, start_new_session=True)


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Ask the worker to stop (it finishes the task it runs), and kill it if it takes longer
    than ``WORKER_STOP_SECONDS``: an import cut short writes nothing and is taken back later."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
