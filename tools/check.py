"""Run every check of the project, in order, and stop at the first failure.

    python3 -m uv run --frozen python tools/check.py

Steps: ruff (lint), mypy (types, strict on carnot.rules), lint-imports (the rules package stays
pure) and pytest on SQLite. When ``CARNOT_TEST_POSTGRES_URL`` names a PostgreSQL server
(``postgres://user@host:port/name``; ``.ci/run`` starts one), pytest runs a second time with
``DATABASE_URL`` set to it, on every test that uses the database (browser tests excepted: they
ran on SQLite). Each step runs with the interpreter of the project's environment; the script
exits with the failing step's code and names it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LINTED = ("src", "tests", "bench", "tools")


def _script(name: str) -> str:
    """A console script of the environment (next to the interpreter), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"check: « {name} » introuvable ; lancer « python3 -m uv sync --frozen ».")
    return found


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":…@")))


Step = tuple[str, list[str], dict[str, str]]


def steps(postgres_url: str = "") -> list[Step]:
    linted = [folder for folder in LINTED if (ROOT / folder).is_dir()]
    sqlite = {"DATABASE_URL": ""}
    found: list[Step] = [
        ("ruff", [sys.executable, "-m", "ruff", "check", *linted], {}),
        ("mypy", [sys.executable, "-m", "mypy"], {}),
        ("lint-imports", [_script("lint-imports"), "--no-logo", "--no-cache"], {}),
        ("pytest (SQLite)", [sys.executable, "-m", "pytest", "-q"], sqlite),
    ]
    if postgres_url:
        found.append(("pytest (PostgreSQL)",
                      [sys.executable, "-m", "pytest", "-q", "--database-tests-only",
                       "-m", "not browser"],
                      {"DATABASE_URL": postgres_url}))
    return found


def main() -> int:
    postgres_url = os.environ.get("CARNOT_TEST_POSTGRES_URL", "")
    for name, command, env in steps(postgres_url):
        shown = shlex.join([Path(command[0]).name, *command[1:]])
        if env.get("DATABASE_URL"):
            shown = f"DATABASE_URL={_without_password(env['DATABASE_URL'])} {shown}"
        print(f"==> {name}: {shown}", flush=True)
        started = time.monotonic()
        code = subprocess.call(command, cwd=ROOT, env={**os.environ, **env})
        elapsed = time.monotonic() - started
        if code != 0:
            print(f"✘ échec à l'étape « {name} » (code {code}, {elapsed:.1f} s)", flush=True)
            return code
        print(f"✔ {name} ({elapsed:.1f} s)", flush=True)
    print("✔ toutes les vérifications passent", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
