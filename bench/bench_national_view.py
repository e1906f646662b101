"""Benchmark: the national view on the demo dataset ×5 in PostgreSQL, against a bare view.

Issue 3's target: the national view (every application of the call with its panel and the
cross-application checks) takes under 10× the time of a bare Django view on the same server,
and its number of SQL queries does not grow with the number of applications.

    uv run python bench/bench_national_view.py            # starts a throwaway PostgreSQL
    DATABASE_URL=postgres://… uv run python bench/bench_national_view.py   # or uses yours

All pages are requested through the same Django stack (middleware, session, CSP…) by the
test client, interleaved, signed in as a programme officer. The bare view the target is
measured against is a page of the site with no data: the layout (DSFR header, menu, footer)
rendered for the signed-in user, which every page pays. The ratio to ``/sante/`` (a JSON "ok",
no template at all) is printed too. The demo is loaded at scale 1, measured, then replaced by
scale 5 and measured again: the query counts of the two scales are printed side by side. Each
measured page is requested once before timing so that the panels' cache is warm, as on a live
server; the cold first request (panels computed) is reported too.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def throwaway_postgres() -> str:
    """Start a private PostgreSQL cluster (as user postgres) and return its DATABASE_URL."""
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    initdb = str(installed[-1]) if installed else shutil.which("initdb")
    if initdb is None:
        sys.exit("PostgreSQL introuvable : installer le paquet « postgresql » ou définir "
                 "DATABASE_URL.")
    bin_dir = Path(initdb).parent
    data = Path(tempfile.mkdtemp(prefix="carnot-bench-pg-"))
    shutil.chown(data, "postgres")
    port = free_port()

    def as_postgres(*command: str) -> None:
        subprocess.run(["su", "postgres", "-c", " ".join(command)], check=True,
                       stdout=subprocess.DEVNULL)

    as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log"),
                "-o", f"'-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off'",
                "start")
    atexit.register(lambda: subprocess.run(
        ["su", "postgres", "-c", f"{bin_dir / 'pg_ctl'} -D {data} -m fast stop"],
        stdout=subprocess.DEVNULL, check=False))
    as_postgres(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "carnot_bench")
    return f"postgres://postgres@127.0.0.1:{port}/carnot_bench"


def add_bare_page() -> None:
    """The bare view: signed in, the site's layout (DSFR header, menu, footer), no data."""
    from django.contrib.auth.decorators import login_required
    from django.shortcuts import render
    from django.urls import clear_url_caches, path

    from carnot.web import urls

    @login_required
    def bare_page(request: Any) -> Any:
        return render(request, "base.html", {"title": "Page nue"})

    urls.urlpatterns.append(path("banc/page-nue/", bare_page, name="bench-bare-page"))
    clear_url_caches()


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = throwaway_postgres()
    os.environ["DJANGO_SETTINGS_MODULE"] = "carnot.web.settings"
    os.environ.setdefault("CARNOT_DATA_DIR", tempfile.mkdtemp(prefix="carnot-bench-"))
    import django

    django.setup()


def signed_in_officer() -> Any:
    """A test client signed in as a programme officer (the national view's reader)."""
    from django.contrib.auth.models import User
    from django.test import Client

    from carnot.accounts.models import Profile, Role

    officer = User.objects.create_user("bench-officer", password="bench-password-2026")
    Profile.objects.create(user=officer, role=Role.PROGRAMME_OFFICER)
    client = Client()
    client.force_login(officer)
    return client


def measure(client: Any, url: str) -> tuple[float, int]:
    """Seconds and SQL queries of one GET of ``url``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries)


def measure_scale(scale: int, rounds: int) -> dict[str, Any]:
    """Load the demo at ``scale`` on an empty database and time both pages, interleaved."""
    from django.core.management import call_command
    from django.urls import reverse

    from carnot.applications.models import Application
    from carnot.demo.national import build_demo

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    build_demo(scale=scale, seed=2026)
    loaded = time.perf_counter() - started
    client = signed_in_officer()
    pages = {"national": reverse("applications:national"), "bare": reverse("bench-bare-page"),
             "bare_json": reverse("health")}
    cold, cold_queries = measure(client, pages["national"])
    times: dict[str, list[float]] = {name: [] for name in pages}
    queries: dict[str, int] = {}
    for _ in range(rounds):
        for name, url in pages.items():
            elapsed, queries[name] = measure(client, url)
            times[name].append(elapsed)
    return {"scale": scale, "applications": Application.objects.count(), "loaded": loaded,
            "cold": cold, "cold_queries": cold_queries,
            "national": statistics.median(times["national"]),
            "national_queries": queries["national"], "bare": statistics.median(times["bare"]),
            "bare_json": statistics.median(times["bare_json"])}


def report(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Vue nationale vs vues nues (PostgreSQL, médianes)")
    for column in ("démo", "candidatures", "chargement", "1re requête (calcul)",
                   "vue nationale", "requêtes SQL", "page nue", "ratio", "JSON nu", "ratio JSON"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(f"×{row['scale']}", str(row["applications"]), f"{row['loaded']:.1f} s",
                      f"{row['cold'] * 1000:.0f} ms ({row['cold_queries']} req.)",
                      f"{row['national'] * 1000:.1f} ms", str(row["national_queries"]),
                      f"{row['bare'] * 1000:.2f} ms", f"{row['national'] / row['bare']:.1f}×",
                      f"{row['bare_json'] * 1000:.2f} ms",
                      f"{row['national'] / row['bare_json']:.0f}×")
    console = Console(width=160)
    console.print(table)
    first, last = rows[0], rows[-1]
    ratio = last["national"] / last["bare"]
    constant = first["national_queries"] == last["national_queries"]
    console.print(
        f"ratio vue nationale / vue nue à ×{last['scale']} : {ratio:.1f}× — "
        f"{'atteint' if ratio <= TARGET_RATIO else 'manque'} la cible ≤ {TARGET_RATIO:.0f}× ; "
        f"requêtes SQL : {first['national_queries']} (×{first['scale']}) et "
        f"{last['national_queries']} (×{last['scale']}) — "
        f"{'constant' if constant else 'CROÎT'} avec le nombre de candidatures")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--scale", type=int, default=5)
    args = parser.parse_args(argv)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    add_bare_page()
    report([measure_scale(scale, args.rounds) for scale in (1, args.scale)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
