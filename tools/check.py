"""Run every check of the project, in order, and stop at the first failure.

    python3 -m uv run --frozen python tools/check.py

Steps: ruff (lint), mypy (types, strict on carnot.rules), lint-imports (the rules package stays
pure) and pytest. Each step runs with the interpreter of the project's environment; the script
exits with the failing step's code and names it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

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


def steps() -> list[tuple[str, list[str]]]:
    linted = [folder for folder in LINTED if (ROOT / folder).is_dir()]
    return [
        ("ruff", [sys.executable, "-m", "ruff", "check", *linted]),
        ("mypy", [sys.executable, "-m", "mypy"]),
        ("lint-imports", [_script("lint-imports"), "--no-logo", "--no-cache"]),
        ("pytest", [sys.executable, "-m", "pytest", "-q"]),
    ]


def main() -> int:
    for name, command in steps():
        shown = " ".join([Path(command[0]).name, *command[1:]])
        print(f"==> {name}: {shown}", flush=True)
        started = time.monotonic()
        code = subprocess.call(command, cwd=ROOT)
        elapsed = time.monotonic() - started
        if code != 0:
            print(f"✘ échec à l'étape « {name} » (code {code}, {elapsed:.1f} s)", flush=True)
            return code
        print(f"✔ {name} ({elapsed:.1f} s)", flush=True)
    print("✔ toutes les vérifications passent", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
