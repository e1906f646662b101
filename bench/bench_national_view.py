"""Benchmark: the national view on the demo dataset ×5 in PostgreSQL, against a bare view.

Issue 3's target: the national view (every application of the call with its panel and the
cross-application checks) takes under 10× the time of a bare Django view on the same server,
and its number of SQL queries does not grow with the number of applications.

    uv run python bench/bench_national_view.py            # starts a throwaway PostgreSQL
    DATABASE_URL=postgres://… uv run python bench/bench_national_view.py   # or uses yours

Both pages are requested through the same Django stack (middleware, session, CSP…) by the
test client, interleaved, signed in as a programme officer. The bare view is ``/sante/`` (a
JSON "ok"). The demo is loaded at scale 1, measured, then replaced by scale 5 and measured
again: the query counts of the two scales are printed side by side. Each measured page is
requested once before timing so that the panels' cache is warm, as on a live server; the
cold first request (panels computed) is reported too.
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

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def throwaway_postgres() -> str:
    """Start a private PostgreSQL cluster (as user postgres) and return its DATABASE_URL."""
    initdb = shutil.which("initdb") or next(iter(sorted(Path("/usr/lib/postgresql").glob(
        "*/bin/initdb"))), None)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--scale", type=int, default=5)
    args = parser.parse_args(argv)

    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = throwaway_postgres()
    os.environ["DJANGO_SETTINGS_MODULE"] = "carnot.web.settings"
    os.environ.setdefault("CARNOT_DATA_DIR", tempfile.mkdtemp(prefix="carnot-bench-"))
    import django

    django.setup()
    from carnot.registry.demo import build_demo
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from rich.console import Console
    from rich.table import Table

    from carnot.accounts.models import Profile, Role
    from carnot.applications.models import Application

    console = Console()
    call_command("migrate", verbosity=0)
    officer = User.objects.create_user("bench-officer", password="bench-password-2026")
    Profile.objects.create(user=officer, role=Role.PROGRAMME_OFFICER)
    client = Client()
    client.force_login(officer)
    national, bare = reverse("applications:national"), reverse("health")

    def measure(url: str) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, len(queries)

    rows = []
    for scale in (1, args.scale):
        call_command("flush", interactive=False, verbosity=0)
        officer = User.objects.create_user("bench-officer", password="bench-password-2026")
        Profile.objects.create(user=officer, role=Role.PROGRAMME_OFFICER)
        client.force_login(officer)
        started = time.perf_counter()
        build_demo(scale=scale, seed=2026)
        loaded = time.perf_counter() - started
        cold, cold_queries = measure(national)
        times: dict[str, list[float]] = {"national": [], "bare": []}
        counts = {"national": 0, "bare": 0}
        for _ in range(args.rounds):
            for name, url in (("national", national), ("bare", bare)):
                elapsed, count = measure(url)
                times[name].append(elapsed)
                counts[name] = count
        rows.append((scale, Application.objects.count(), loaded, cold, cold_queries,
                     statistics.median(times["national"]), counts["national"],
                     statistics.median(times["bare"]), counts["bare"]))

    table = Table(title="Vue nationale vs vue nue (PostgreSQL, médianes)")
    for column in ("démo", "candidatures", "chargement", "1re requête (calcul)",
                   "vue nationale", "requêtes SQL", "vue nue", "ratio"):
        table.add_column(column, justify="right")
    for scale, count, loaded, cold, cold_q, page, page_q, bare_time, _ in rows:
        table.add_row(f"×{scale}", str(count), f"{loaded:.1f} s", f"{cold * 1000:.0f} ms "
                      f"({cold_q} req.)", f"{page * 1000:.1f} ms", str(page_q),
                      f"{bare_time * 1000:.2f} ms", f"{page / bare_time:.1f}×")
    console.print(table)
    ratio = rows[-1][5] / rows[-1][7]
    same_queries = rows[0][6] == rows[-1][6]
    console.print(f"ratio vue nationale / vue nue à ×{args.scale} : {ratio:.1f}× — "
                  f"{'atteint' if ratio <= TARGET_RATIO else 'manque'} la cible ≤ "
                  f"{TARGET_RATIO:.0f}× ; requêtes SQL : {rows[0][6]} (×1) et {rows[-1][6]} "
                  f"(×{args.scale}) — {'constant' if same_queries else 'CROÎT'} avec le nombre "
                  "de candidatures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
