"""The ``rights-market`` command: a thin layer over the Python API.

Exit codes: 0 success, 2 bad input (scenario, arguments, run directory), 1 an internal error. Without
``--debug`` no traceback is shown; errors say what is wrong and how to fix it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from ._version import __version__
from .inputerror import InputError, StudyInputError
from .lang import LANGS, resolve

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
#: ``schema --kind`` choices: :data:`.filekinds.KIND_NAMES`, written out so that ``--help`` loads no model
SCHEMA_KINDS = ("scenario", "classroom", "calibration", "optimisation", "sensitivity", "sweep")


def _lang_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="language of messages and reports: zh or en (default from the locale: LC_ALL, "
                        "LC_MESSAGES or LANG starting with zh gives zh)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rights-market",
        description="Simulate Ningxia's four rights markets (water, land, emission, forest) from YAML scenarios.",
    )
    p.add_argument("--version", action="version", version=f"rights-market {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    p.add_argument("--limit", dest="limits", action="append", default=[], metavar="NAME=VALUE",
                   help="raise (or lower) a limit on input size or work, e.g. --limit holders=5000000 "
                        "(repeatable; names and defaults: docs/reliability.md)")
    p.add_argument("--include-dir", dest="include_dirs", action="append", default=[], type=Path, metavar="DIR",
                   help="also let extends: (and a sweep's scenario:) name .yaml files under DIR (repeatable)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a scenario and write a run directory")
    run.add_argument("scenario", type=Path)
    run.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's seed)")
    run.add_argument("--out", type=Path, default=None,
                     help="run directory to create (default results/<name>-seed<N>-<hash>); must not exist or "
                          "be empty (with --replications: a store)")
    run.add_argument("--overwrite", action="store_true",
                     help="replace an earlier run directory (or a store of another study) at --out; nothing "
                          "else is ever replaced")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                     help="override a scenario value, e.g. --set calendar.years=3 (repeatable)")
    run.add_argument("--check", action="store_true",
                     help="prove conservation of every right and every yuan after every period")
    run.add_argument("--report", action="store_true",
                     help="also write the report (report.html, .md, .xlsx; in Chinese report.zh.html, ...)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument("--replications", type=int, default=None, metavar="N",
                     help="run N seeds (derived from --seed) into a store and print medians with 5-95%% bands")
    _lang_arg(run)
    _study_args(run)

    val = sub.add_parser("validate", help="check a scenario, classroom, calibration, optimisation, sensitivity or "
                                          "sweep file; print ok or every problem")
    val.add_argument("scenario", type=Path)
    val.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    _lang_arg(val)

    sch = sub.add_parser("schema", help="print the JSON Schema of every kind of file the commands read")
    sch.add_argument("--kind", choices=["all", *SCHEMA_KINDS], default="all",
                     help="files of one kind only (default all: one schema switched by the files' top-level keys)")

    ch = sub.add_parser("charge", help="what one holder pays for a use against a plan or quota (W8, W9)")
    ch.add_argument("scenario", type=Path)
    ch.add_argument("--product", required=True,
                    help="the priced use: a water sector (agriculture, industry, domestic, ecology), "
                         "optionally as water.<sector>")
    ch.add_argument("--plan", required=True, type=int, help="planned volume or quota, m³")
    ch.add_argument("--use", required=True, type=int, help="actual use, m³")
    ch.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    ch.add_argument("--json", action="store_true", help="print the bill as JSON")
    ch.add_argument("--all-bands", action="store_true",
                    help="list every surcharge band (by default the first and last few, and a line summing "
                         "the bands between)")
    _lang_arg(ch)

    rep = sub.add_parser("report", help="write report.html, report.md and report.xlsx (in Chinese report.zh.html, "
                                        "...) into a run directory or a store (replications, sweep)")
    rep.add_argument("run_dir", type=Path)
    _lang_arg(rep)

    cmp = sub.add_parser("compare", help="compare a baseline with variants: KPI tables, fan charts, compare.xlsx")
    cmp.add_argument("inputs", nargs="+", metavar="RUN_OR_SCENARIO",
                     help="run directories, stores or scenario files; the first is the baseline")
    cmp.add_argument("--vary", action="append", default=[], metavar="NAME:PATH=VALUE",
                     help="a variant of the baseline scenario with an override (repeat a NAME for more overrides)")
    cmp.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                     help="override applied to every scenario file given (repeatable)")
    cmp.add_argument("--replications", type=int, default=1, metavar="N", help="seeds per scenario (default 1)")
    cmp.add_argument("--seed", type=int, default=None, help="base seed (default: the baseline's seed)")
    cmp.add_argument("--out", type=Path, default=None,
                     help="comparison directory to create (default results/compare-...); must not exist or be empty")
    cmp.add_argument("--overwrite", action="store_true",
                     help="replace an earlier comparison directory at --out; nothing else is ever replaced")
    _lang_arg(cmp)
    cmp.add_argument("--metric", action="append", default=[], metavar="RIGHT.METRIC",
                     help="indicator to draw, e.g. water.mean_price (repeatable; only these are drawn; default: a set per right)")
    cmp.add_argument("--no-progress", action="store_true", help="no progress bar")
    _study_args(cmp)

    swp = sub.add_parser("sweep", help="run a sweep file (grid or random design × seeds) on Dask into a store")
    swp.add_argument("sweep", type=Path)
    swp.add_argument("--store", type=Path, default=None,
                     help="results store (default results/sweeps/<name>): new, empty, or this sweep's to resume")
    swp.add_argument("--overwrite", action="store_true",
                     help="replace a store of another study at --store; nothing else is ever replaced")
    swp.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                     help="override a value of the sweep file, e.g. --set seeds.replications=2")
    swp.add_argument("--dry-run", action="store_true", help="list the runs (done or to do) and stop")
    swp.add_argument("--report", action="store_true", help="write the study report into the store when done")
    _lang_arg(swp)
    swp.add_argument("--no-progress", action="store_true", help="no progress bar")
    _study_args(swp)

    for cmd, noun, what in (("calibrate", "CALIBRATION.yaml", "fit scenario parameters to observed figures (Optuna)"),
                            ("optimise", "OPTIMISATION.yaml", "find rule parameters that meet constraints at "
                                                              "the least burden (Optuna)")):
        rp = sub.add_parser(cmd, help=what + "; trials in batches on Dask, resumable store")
        rp.add_argument("file", type=Path, metavar=noun)
        rp.add_argument("--store", type=Path, default=None,
                        help=f"results store (default results/{'calibration' if cmd == 'calibrate' else 'optimisation'}"
                             "/<name>): new, empty, or this file's to resume")
        rp.add_argument("--overwrite", action="store_true", help="replace a store of another file at --store")
        rp.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="override a value of the file, e.g. --set search.trials=8")
        rp.add_argument("--no-progress", action="store_true", help="no progress bar")
        _study_args(rp)
    sen = sub.add_parser("sensitivity", help="Morris screening or Sobol indices of a design's parameters "
                                             "(runs on Dask into a store; report with tornado charts)")
    sen.add_argument("design", type=Path)
    sen.add_argument("--store", type=Path, default=None,
                     help="results store (default results/sensitivity/<name>): new, empty, or this design's to "
                          "resume")
    sen.add_argument("--overwrite", action="store_true",
                     help="replace a store of another study at --store; nothing else is ever replaced")
    sen.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                     help="override a value of the design file, e.g. --set method.trajectories=2")
    sen.add_argument("--dry-run", action="store_true", help="list the runs (done or to do) and stop")
    sen.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the report")
    sen.add_argument("--no-progress", action="store_true", help="no progress bar")
    _study_args(sen)

    from .classroom.command import add_parser as add_classroom_parser

    add_classroom_parser(sub)
    from .lab.command import add_parser as add_lab_parser

    add_lab_parser(sub)
    for command in sub.choices.values():  # --limit also after the command name
        command.add_argument("--limit", dest="limits", action="append", default=argparse.SUPPRESS,
                             metavar="NAME=VALUE", help="raise (or lower) a limit; see rights-market --help")
        command.add_argument("--include-dir", dest="include_dirs", action="append", default=argparse.SUPPRESS,
                             type=Path, metavar="DIR", help="allow extends: from DIR; see rights-market --help")
    return p


def _study_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes of the local Dask cluster (default: the cores; 1: in this process)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="use an existing Dask cluster, e.g. tcp://10.0.0.5:8786")


def _cmd_run(args) -> int:
    import shutil

    from .api import load_scenario, simulate, write_run
    from .outdir import claim
    from .report.labels import Labels
    from .results import run_dir_for, spool_for

    scenario = load_scenario(args.scenario, args.overrides)
    if args.replications is not None:
        from .sweep.commands import cmd_replications

        if args.replications < 1 or args.check:
            raise InputError("--replications needs N >= 1 and does not go with --check (check single runs)")
        return cmd_replications(args, scenario)
    out = args.out if args.out is not None else run_dir_for(scenario, args.seed)
    claim(out, "run", overwrite=args.overwrite)  # refuse before running, not after
    total = scenario.calendar.years * scenario.calendar.sessions_per_year
    bar = None
    if not args.no_progress and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="session", desc=scenario.name, file=sys.stderr, leave=False)

    def progress(done: int, _total: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)

    # the large tables go to the staging folder as the run goes (bounded memory), which is then completed
    # and renamed into place: the run directory appears whole or not at all
    spool = spool_for(out)
    try:
        result = simulate(scenario, seed=args.seed, check=args.check, progress=progress, spool=spool)
    except BaseException:
        shutil.rmtree(spool, ignore_errors=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    out = write_run(result, out, overwrite=args.overwrite, staged=spool)
    if args.report:
        from .report import build_report

        written = [p for k, p in build_report(out, lang=args.lang).items() if not k.startswith("figure:")]
    _print_summary(result, out, args.lang)
    if args.report:
        for p in written:
            print(Labels(args.lang)("cli.written", path=p))
    return EXIT_OK


def _print_summary(result, out: Path, lang: str = "en") -> None:
    """What a run did, in a few lines (texts from the label catalogue, ``cli.*``)."""
    from .report.labels import Labels

    L = Labels(lang)
    trades = result.tables["trades"]
    charges = result.tables["charges"]
    kpis = result.tables["kpis"]
    sur = int(charges.loc[charges["kind"] == "surcharge", "amount_fen"].sum()) if len(charges) else 0
    print(L("cli.run", name=result.scenario.name, seed=result.seed, seconds=result.wall_seconds))
    print(L("cli.weather", weather=", ".join(L.code("weather", w) for w in result.weather)))
    if not len(trades):
        print(L("cli.no_trades"))
    for product, t in trades.groupby("product", observed=True, sort=True):
        vol, paid, unit = int(t["quantity"].sum()), int(t["amount_fen"].sum()), str(t["unit"].iloc[0])
        line = L("cli.trades", product=product if L.lang == "en" else L.code("product", product), count=len(t),
                 volume=vol, unit=unit if L.lang == "en" else L.unit(unit), value=Decimal(paid) / 100)
        print(line + _mean_prices(L, t, unit))
    print(L("cli.surcharges", amount=Decimal(sur) / 100, rejected=len(result.tables["orders_rejected"])))
    eff = kpis[kpis["metric"] == "efficiency"]
    for right, rows in eff.groupby("right", observed=True, sort=False):
        print(L("cli.efficiency", right=right if L.lang == "en" else L.right(right), values=", ".join(f"{v:.3f}" for v in rows["value"])))
    for note in result.notes:
        print(L("cli.note", note=note))
    print(L("cli.written", path=out))


def _mean_prices(L, t, unit: str) -> str:
    """The mean price of a product's trades, with yearly rents (``price_basis`` ``rent``: leases, circulations)
    and sale prices apart — never one mean over both; each is the amount over the quantity of its trades."""
    basis = t["price_basis"].astype(str) if "price_basis" in t else None
    out = ""
    for code, key in (("price", "cli.mean_price"), ("rent", "cli.mean_rent")):
        rows = t if basis is None else t[basis == code]
        vol = int(rows["quantity"].sum())
        if vol:
            out += L(key, price=Decimal(int(rows["amount_fen"].sum())) / 100 / vol, unit=unit if L.lang == "en" else L.unit(unit))
        if basis is None:
            break
    return out


def _cmd_validate(args) -> int:
    """Check a file by its kind (:mod:`.filekinds`), as the command that reads it loads it: a classroom file as
    ``classroom``; a calibration, optimisation or sensitivity file with its scenario and every bound of its
    parameters (a sensitivity design: every run it makes); a sweep file with every scenario it makes; any other
    file as a scenario."""
    from .filekinds import kind_of_file
    from .scenario.loader import load_raw

    kind = kind_of_file(load_raw(args.scenario)[0])
    if kind == "classroom":
        from .classroom.settings import ClassroomScenario
        from .scenario.loader import load_model

        scenario, _ = load_model(args.scenario, ClassroomScenario, args.overrides)
        print(f"ok: classroom {scenario.name}, {scenario.classroom.n_seats} seats")
    elif kind == "calibration":
        from .sweep.research_spec import load_calibration

        cal = load_calibration(args.scenario, args.overrides).spec
        print(f"ok: calibration {cal.name}, {len(cal.parameters)} parameters, {len(cal.targets)} targets")
    elif kind == "optimisation":
        from .sweep.research_spec import load_optimisation

        opt = load_optimisation(args.scenario, args.overrides).spec
        print(f"ok: optimisation {opt.name}, {len(opt.parameters)} parameters, {len(opt.objectives)} objectives, "
              f"{len(opt.constraints)} constraints")
    elif kind == "sensitivity":
        from .sensitivity.study import load_design

        design = load_design(args.scenario, args.overrides)
        print(f"ok: sensitivity {design.spec.name}, {len(design.spec.names())} parameters, "
              f"{len(design.spec.outputs)} outputs, {len(design.study.tasks):,} runs")
    elif kind == "sweep":
        from .sweep.spec import load_sweep

        study = load_sweep(args.scenario, args.overrides)
        print(f"ok: sweep {study.name}, {len(study.tasks):,} runs")
    else:
        from .loading import load_scenario

        load_scenario(args.scenario, args.overrides)
        if getattr(args, "lang", "en") == "en":
            print("ok")  # the label catalogue is not loaded for the plain answer (fast start)
        else:
            from .report.labels import Labels

            print(Labels(args.lang)("cli.validate_ok"))
    return EXIT_OK


def _cmd_schema(args) -> int:
    from .filekinds import schema

    print(json.dumps(schema(args.kind), indent=2, ensure_ascii=False))
    return EXIT_OK


def _cmd_charge(args) -> int:
    from .charge_command import cmd_charge

    return cmd_charge(args)


def _cmd_report(args) -> int:
    from .report import build_report

    run_dir = args.run_dir
    from .outdir import STUDY_FILE

    if (Path(run_dir) / STUDY_FILE).is_file():  # Store.is_store, without loading the sweep for a run directory
        from .sweep.store import Store, StoreError

        try:
            kind = Store(run_dir).study().get("kind")
        except (StoreError, ValueError) as exc:
            raise InputError(f"{run_dir}: its study.json cannot be read ({exc}); this is not a usable store") from None
        if kind == "sensitivity":
            from .sensitivity.commands import cmd_report_sensitivity

            return cmd_report_sensitivity(run_dir, args.lang)
        from .sweep.commands import cmd_report_store

        return cmd_report_store(args)
    from .outdir import kind_of

    # reports are written only into folders of ours (run directories and stores), never into others
    if not (run_dir / "manifest.json").is_file():
        from .pathkind import describe, folder_problem

        expected = "a run directory (a folder with manifest.json) or a results store (a folder with study.json)"
        hint = "run `rights-market run SCENARIO` first"
        if describe(run_dir) == "a folder":
            raise InputError(f"{run_dir}: a folder, but not a run directory (no manifest.json) nor a results "
                             f"store (no study.json); {hint}")
        raise InputError(folder_problem(run_dir, expected, hint))
    if kind_of(run_dir) != "run":
        raise InputError(f"{run_dir}: its manifest.json is not one of a rights-market run; nothing was written: "
                         f"give a run directory written by `rights-market run`")
    from .report.labels import Labels

    paths = build_report(run_dir, lang=args.lang)
    for p in paths.values():
        print(Labels(args.lang)("cli.written", path=p))
    return EXIT_OK


def _cmd_compare(args) -> int:
    from .sweep.commands import cmd_compare

    return cmd_compare(args)


def _cmd_sweep(args) -> int:
    from .sweep.commands import cmd_sweep

    return cmd_sweep(args)


def _cmd_calibrate(args) -> int:
    from .sweep.research_commands import cmd_calibrate

    return cmd_calibrate(args)


def _cmd_optimise(args) -> int:
    from .sweep.research_commands import cmd_optimise

    return cmd_optimise(args)


def _cmd_sensitivity(args) -> int:
    from .sensitivity.commands import cmd_sensitivity

    return cmd_sensitivity(args)


def _cmd_lab(args) -> int:
    from .lab.command import cmd_lab

    return cmd_lab(args)


def _cmd_classroom(args) -> int:
    from .classroom.command import cmd_classroom

    return cmd_classroom(args)


COMMANDS = {"run": _cmd_run, "validate": _cmd_validate, "schema": _cmd_schema, "charge": _cmd_charge,
            "report": _cmd_report, "compare": _cmd_compare, "sweep": _cmd_sweep, "sensitivity": _cmd_sensitivity,
            "classroom": _cmd_classroom, "calibrate": _cmd_calibrate, "optimise": _cmd_optimise, "lab": _cmd_lab}


def main(argv: Sequence[str] | None = None) -> int:
    # --help, --version and argument errors end here, before the scenario models are loaded
    args = _parser().parse_args(argv)
    if args.command != "classroom" and hasattr(args, "lang"):  # the classroom resolves its own
        args.lang = resolve(args.lang)

    from .limits import Limits, using
    from .outdir import FILE_SYSTEM_ERRNOS, OutputError, describe_os_error

    try:
        try:
            limits = Limits.parse(args.limits)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        with using(limits), _include_dirs(args.include_dirs):
            return COMMANDS[args.command](args)
    except _scenario_error() as exc:
        if args.debug:
            raise
        from .report.labels import Labels

        print(str(exc), file=sys.stderr)
        n = len(exc.problems)
        lang = getattr(args, "lang", None) or resolve(None)
        print(Labels(lang)("cli.problems_one" if n == 1 else "cli.problems", n=n), file=sys.stderr)
        return EXIT_INPUT
    except (InputError, StudyInputError, OutputError) as exc:
        if args.debug:
            raise
        from .scenario.errors import printable

        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`); not an error of ours
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:
        # a file-system error that names its file (no space, read-only, no permission, ...) is about the
        # place the user chose, not a bug; any other OSError (or one about our own files) is an internal error
        if args.debug:
            raise
        if exc.errno not in FILE_SYSTEM_ERRNOS or not exc.filename or _in_package(exc.filename):
            return _internal(exc)
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence prints a short message
        if args.debug:
            raise
        return _internal(exc)


class _NotRaised(Exception):
    """An exception nothing raises (see :func:`_scenario_error`)."""


def _scenario_error() -> type[Exception]:
    """:class:`~rights_market.scenario.errors.ScenarioError`, or, while no scenario code is loaded (and so none
    can have been raised: ``report`` of a run directory), a class nothing raises. Evaluated only when an
    exception is being matched, so a command that loads no scenario never imports the scenario models."""
    errors = sys.modules.get("rights_market.scenario.errors")
    return errors.ScenarioError if errors is not None else _NotRaised


def _include_dirs(dirs: Sequence[Path]) -> contextlib.AbstractContextManager:
    """``scenario.loader.include_dirs(dirs)``; without ``--include-dir`` nothing (and no loader import)."""
    if not dirs:
        return contextlib.nullcontext()
    from .scenario.loader import include_dirs

    return include_dirs(dirs)


def _in_package(filename: object) -> bool:
    """Whether ``filename`` is one of this package's own files (a missing one there is a bug, not input)."""
    try:
        return Path(__file__).resolve().parent in Path(str(filename)).resolve().parents
    except (OSError, ValueError):
        return False


def _internal(exc: BaseException) -> int:
    print(f"internal error: {type(exc).__name__}: {exc}\nrun again with --debug for the traceback", file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
