"""CPU and wall seconds of ``rights-market report RUN_DIR`` on the default four-rights run (issue 15).

The run (``scenarios/dawukou_four_rights.yaml`` as shipped, 5 years, unless ``--years``) is made once with
``rights-market run --out`` into a work folder (``--work``, default a temporary folder) and reused by later
invocations with the same folder. Each report then runs as its own child process (``python -m rights_market
report RUN_DIR``); the script prints the best of ``--repeat`` (default 3) user + sys CPU seconds of the child
(``os.wait4``'s resource usage, so the figure holds on a loaded machine) and its wall seconds.

Both languages are timed: the English report (``report RUN_DIR``) and the Chinese one (``report RUN_DIR
--lang zh``, which also embeds the subset of the bundled font its page and figures use,
:mod:`rights_market.report.webfont`). Every timed report starts from a run folder without a report (a fresh
copy of the run, one per language: ``report-en``, ``report-zh`` in the work folder), so each builds everything
it writes, SVG figures included. ``--profile N`` prints the top ``N`` functions by cumulative time of one
English report built in this process (cProfile). Target: at most 3 s CPU for the English report.

Run from the repository root::

    .venv/bin/python benchmarks/bench_report.py                    # best of 3, English and Chinese
    .venv/bin/python benchmarks/bench_report.py --profile 40       # and the cProfile top 40
    .venv/bin/python benchmarks/bench_report.py --years 2 --work /tmp/r2 --keep
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOUR_RIGHTS = ROOT / "scenarios" / "dawukou_four_rights.yaml"
TARGET_CPU_S = 3.0
#: Files a report writes into the run folder, in either language (left out of a run folder as ``run`` left it).
REPORT_FILES = ("report.md", "report.html", "report.xlsx", "report.*.md", "report.*.html", "report.*.xlsx")
#: The languages timed, each a report of its own: ``--lang`` of ``rights-market report``.
LANGS = ("en", "zh")


def child(argv: list[str]) -> tuple[float, float]:
    """(user + sys CPU seconds, wall seconds) of one child process running ``argv``; fails if it fails."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({code}): {err}")
    return usage.ru_utime + usage.ru_stime, wall


def make_run(work: Path, years: int | None) -> Path:
    """The run folder ``work/run-<years>y`` (``run-default`` for the scenario as shipped), made with
    ``rights-market run --out`` unless already there."""
    run_dir = work / (f"run-{years}y" if years else "run-default")
    if not (run_dir / "manifest.json").is_file():
        years_set = ["--set", f"calendar.years={years}"] if years else []
        child([sys.executable, "-m", "rights_market", "run", str(FOUR_RIGHTS), *years_set, "--out", str(run_dir)])
    return run_dir


def fresh_copy(run_dir: Path, dest: Path) -> Path:
    """A copy of ``run_dir`` without any report file or figure (as ``run`` left it)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(run_dir, dest, ignore=shutil.ignore_patterns("figures", *REPORT_FILES))
    return dest


def time_report(run_dir: Path, work: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """Best (CPU, wall) of ``repeat`` reports per language of :data:`LANGS`, each into a fresh copy of
    ``run_dir`` (``work/report-<lang>``, left there after the last one)."""
    best: dict[str, tuple[float, float]] = {}
    for _ in range(repeat):
        for lang in LANGS:
            target = fresh_copy(run_dir, work / f"report-{lang}")
            timed = child([sys.executable, "-m", "rights_market", "report", str(target), "--lang", lang])
            best[lang] = min(best.get(lang, timed), timed)
    return best


def profile(run_dir: Path, work: Path, top: int) -> str:
    """cProfile's top ``top`` functions (cumulative) of one report built in this process."""
    sys.path.insert(0, str(ROOT / "src"))
    target = fresh_copy(run_dir, work / "report-profile")
    prof = cProfile.Profile()
    prof.enable()
    from rights_market.report import build_report

    build_report(target)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> dict[str, tuple[float, float]]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, help="years of the four-rights run (default: as shipped, 5 years)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many reports")
    ap.add_argument("--work", type=Path, help="work folder (the run is kept there and reused)")
    ap.add_argument("--keep", action="store_true", help="keep a temporary work folder")
    ap.add_argument("--profile", type=int, metavar="N", help="print the cProfile top N of one English report")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-report-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run_dir = make_run(work, args.years)
        res = time_report(run_dir, work, args.repeat)
        horizon = f"{args.years} years" if args.years else "as shipped"
        print(f"report of the four-rights run, {horizon}   best of {args.repeat}")
        print(f"{'--lang':<8} {'CPU s (user+sys)':>17} {'wall s':>8}")
        for lang, (cpu, wall) in res.items():
            mark = ""
            if lang == "en":
                mark = f"   (target <= {TARGET_CPU_S} s CPU: {'met' if cpu <= TARGET_CPU_S else 'NOT met'})"
            print(f"{lang:<8} {cpu:>17.3f} {wall:>8.3f}{mark}")
        if args.profile:
            print(profile(run_dir, work, args.profile))
        return res
    finally:
        if args.work is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
