"""``carnot demo``: the platform with its national demo dataset, on http://127.0.0.1:8000/.

Migrates the database (SQLite under ``./var`` unless ``DATABASE_URL`` says otherwise), loads
the demo dataset when the database is empty, prints the address and the demo logins of each
role, then runs Django's development server. Also ``python -m carnot.demo``.

Django is imported only once the settings are chosen (and the models only after
``django.setup()``), so that the command line imports this module cheaply.
"""

from __future__ import annotations

import argparse
import os

from rich.console import Console
from rich.panel import Panel

DEFAULT_PORT = 8000
HOST = "127.0.0.1"


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
    console.print(Panel.fit(
        f"[bold]Plateforme Carnot — démonstration[/]\n"
        f"Adresse : [bold]{address}[/]  (connexion : {address}connexion/)\n"
        f"Base de données : {settings.DATABASES['default']['NAME']}\n"
        "Arrêt du serveur : Ctrl-C", border_style="blue"))
    console.print(load_demo.logins_table())
    if args.no_server:
        return 0
    call_command("runserver", f"{HOST}:{args.port}", use_reloader=False)
    return 0
