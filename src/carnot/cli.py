"""The ``carnot`` command line: evaluate a national scenario, show parameters and the schema,
start the demonstration platform."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson
from rich.console import Console

from carnot.demo import cli as demo
from carnot.report import render_explanation, render_report
from carnot.rules.evaluation import consortium_as_dict, evaluate_call, evaluation_as_dict
from carnot.rules.parameters import ParameterError, load_call_parameters
from carnot.scenario.loader import ScenarioError, load_scenario, paused_gc
from carnot.scenario.schema import Scenario

EXIT_INVALID_INPUT = 2
REPORT_WIDTH = 160


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carnot", description="Système d'information Carnot.")
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate = commands.add_parser("evaluate", help="évaluer un scénario national (YAML ou JSON)")
    evaluate.add_argument("scenario", type=Path)
    evaluate.add_argument("--json", action="store_true", help="sortie JSON pour les programmes")
    evaluate.add_argument("--explain", metavar="ID",
                          help="explication détaillée d'un consortium (avec --json : son entrée "
                          "et sa trace seules)")
    evaluate.add_argument("--output", "-o", type=Path, help="écrire dans ce fichier")
    parameters = commands.add_parser("parameters", help="paramètres datés d'un appel")
    parameters.add_argument("year", type=int)
    commands.add_parser("schema", help="schéma JSON du format de scénario")
    demo.add_arguments(commands.add_parser(
        "demo", help="plateforme de démonstration : base, jeu de données, comptes, serveur"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        sys.stdout.buffer.write(orjson.dumps(Scenario.model_json_schema(),
                                             option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    if args.command == "parameters":
        return _parameters(args.year)
    if args.command == "demo":
        return demo.run(args)
    return _evaluate(args)


def _evaluate(args: argparse.Namespace) -> int:
    errors = Console(stderr=True)
    try:
        loaded = load_scenario(args.scenario)
    except ScenarioError as exc:
        errors.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        return EXIT_INVALID_INPUT
    with paused_gc():
        evaluation = evaluate_call(loaded.call, loaded.params)
    if args.explain and args.explain not in {result.id for result in evaluation.consortia}:
        errors.print(f"consortium inconnu : {args.explain}", markup=False)
        return EXIT_INVALID_INPUT
    if args.json:
        with paused_gc():
            document = (consortium_as_dict(evaluation.consortium(args.explain), evaluation)
                        if args.explain else evaluation_as_dict(evaluation))
            payload = orjson.dumps(document, option=orjson.OPT_INDENT_2
                                   if args.output is None else 0) + b"\n"
        if args.output:
            args.output.write_bytes(payload)
        else:
            sys.stdout.buffer.write(payload)
        return 0
    with open(args.output, "w", encoding="utf-8") if args.output else _stdout() as stream:
        console = Console(file=stream, width=None if stream.isatty() else REPORT_WIDTH)
        if args.explain:
            render_explanation(evaluation, args.explain, console)
        else:
            render_report(evaluation, console)
    return 0


def _parameters(year: int) -> int:
    try:
        params = load_call_parameters(year)
    except ParameterError as exc:
        Console(stderr=True).print(str(exc), markup=False)
        return EXIT_INVALID_INPUT
    console = Console()
    for parameter in params.describe():
        console.print(f"[bold]{parameter['name']}[/bold] = {parameter['value']!r} "
                      f"[dim]({parameter['source']}, du {parameter['valid_from']}"
                      f"{' au ' + parameter['valid_until'] if parameter['valid_until'] else ''})"
                      f"[/dim]\n  {parameter['note']}", highlight=False)
    return 0


class _stdout:
    """``sys.stdout`` as a context manager that does not close it."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        return sys.stdout

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    sys.exit(main())
