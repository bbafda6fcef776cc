"""Runs of the lab: a baseline and its variants with replications, as an ordinary comparison directory.

A :class:`Job` runs ``rights-market compare BASELINE --vary NAME:PATH=VALUE ... --replications N --out DIR``
in a child process (its own process group), so the page stays responsive, the runs use the local Dask cluster
(``--workers``; 1 for a quick run: in that one process) or ``--scheduler``, and *cancel* ends that process
group and nothing else. Progress is the number of finished runs in ``DIR/store`` (the store's KPI files) out of
``(1 + variants) × replications``. The result is what ``compare`` writes — ``report.html``, ``report.md``,
``compare.xlsx``, ``figures/``, ``store/`` — plus, from the lab, one ``variant-<name>.yaml`` per variant (a
scenario that ``extends:`` the baseline, checked by loading it) and ``lab.json`` (what was changed). The CLI,
DuckDB and notebooks read it like any other comparison. A cancelled job leaves its partial store; running
the same comparison again into the same folder would resume it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..limits import Limits, active
from .fields import QUICK_RUN, check, variant_yaml

#: Replications a lab run may ask for.
MAX_REPLICATIONS = 50
#: Variants in one lab run.
MAX_VARIANTS = 8
#: Characters of a variant name (letters, digits, ``_`` and ``-``; also a file name).
VARIANT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


class JobError(ValueError):
    """A run the lab refuses to start (bad name, nothing changed, values that fail the checks)."""


@dataclass
class Variant:
    name: str
    changes: dict[str, str]


@dataclass
class Job:
    """One lab run (module docstring). ``status``: queued, running, building, done, failed, cancelled."""

    id: str
    scenario: Path
    variants: list[Variant]
    replications: int
    quick: bool
    out: Path
    lang: str = "zh"
    workers: int | None = None
    scheduler: str | None = None
    status: str = "queued"
    error: str = ""
    answers: dict[str, Any] | None = None
    started: float = field(default_factory=time.time)
    proc: subprocess.Popen | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return (1 + len(self.variants)) * self.replications

    @property
    def extra(self) -> list[str]:
        """Overrides applied to the baseline and every variant (a quick run's calendar)."""
        return list(QUICK_RUN) if self.quick else []

    def done_runs(self) -> int:
        kpis = self.out / "store" / "kpis"
        return sum(1 for p in kpis.glob("*.parquet") if not p.name.startswith(".")) if kpis.is_dir() else 0

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "rights_market", *_limit_args(active())]
        cmd += ["compare", str(self.scenario), "--replications", str(self.replications), "--out", str(self.out),
                "--lang", self.lang, "--no-progress"]
        for v in self.variants:
            cmd += [a for path, text in v.changes.items() for a in ("--vary", f"{v.name}:{path}={text}")]
        cmd += [a for o in self.extra for a in ("--set", o)]
        if self.scheduler:
            cmd += ["--scheduler", self.scheduler]
        workers = 1 if self.quick and self.workers is None else self.workers
        if workers is not None:
            cmd += ["--workers", str(workers)]
        return cmd

    def state(self) -> dict[str, Any]:
        """What the page shows: status, progress, error, the folder, the answers when done."""
        done = self.total if self.status == "done" else min(self.done_runs(), self.total)
        return {"id": self.id, "status": self.status, "done": done, "total": self.total, "error": self.error,
                "out": str(self.out), "answers": self.answers, "variants": [v.name for v in self.variants]}

    # ------------------------------------------------------------------------------------------ running
    def start(self) -> None:
        threading.Thread(target=self._run, name=f"lab-{self.id}", daemon=True).start()

    def _run(self) -> None:
        try:
            with self._lock:
                if self.status == "cancelled":
                    return
                self.out.parent.mkdir(parents=True, exist_ok=True)
                self.proc = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                             stdin=subprocess.DEVNULL, start_new_session=True)
                self.status = "running"
            _, err = self.proc.communicate()
            if self.status == "cancelled":
                return
            if self.proc.returncode != 0:
                self.status, self.error = "failed", err.decode("utf-8", "replace").strip()[-2000:] or (
                    f"exit code {self.proc.returncode}")
                return
            self.status = "building"
            self._finish()
            self.status = "done"
        except Exception as exc:  # noqa: BLE001 - shown in the page, not lost in a thread
            if self.status != "cancelled":
                self.status, self.error = "failed", f"{type(exc).__name__}: {exc}"

    def _finish(self) -> None:
        from ..loading import load_scenario
        from .answers import answers

        for v in self.variants:
            path = self.out / f"variant-{v.name}.yaml"
            write_atomic(path, variant_yaml(self.scenario, v.changes, self.extra, v.name).encode("utf-8"))
            load_scenario(path)  # the file offered for download must pass `validate`
        record = {"tool": "rights-market", "kind": "lab", "scenario": str(self.scenario),
                  "replications": self.replications, "quick": self.quick, "overrides": self.extra,
                  "variants": [dataclasses.asdict(v) for v in self.variants]}
        write_atomic(self.out / "lab.json", (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode())
        self.answers = answers(self.out, self.lang)
        write_atomic(self.out / "lab-answers.json",
                     (json.dumps(self.answers, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))

    def cancel(self) -> None:
        """End the job's process group (the compare process and the workers it started)."""
        with self._lock:
            if self.status in ("done", "failed", "cancelled"):
                return
            self.status = "cancelled"
            if self.proc is not None and self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGTERM)


def _limit_args(limits: Limits) -> list[str]:
    """``--limit NAME=VALUE`` for every limit in force that differs from the default (the CLI's own)."""
    default = Limits()
    return [a for f in dataclasses.fields(Limits) if getattr(limits, f.name) != getattr(default, f.name)
            for a in ("--limit", f"{f.name}={getattr(limits, f.name)}")]


def new_job(scenario: Path, variants: Sequence[Mapping[str, Any]], replications: int, quick: bool, root: Path,
            lang: str = "zh", workers: int | None = None, scheduler: str | None = None) -> Job:
    """A checked job (not started): names, counts and every variant's values pass (JobError says what not)."""
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise JobError(f"replications: expected 1 to {MAX_REPLICATIONS}, got {replications}")
    if not variants:
        raise JobError("no variant: change at least one rule")
    if len(variants) > MAX_VARIANTS:
        raise JobError(f"at most {MAX_VARIANTS} variants in one run")
    made: list[Variant] = []
    for v in variants:
        name = str(v.get("name", "")).strip()
        if not VARIANT_NAME.match(name):
            raise JobError(f"variant name {name[:60]!r}: use letters, digits, _ and - (at most 40), e.g. w9_step")
        if name in [m.name for m in made] or name == "baseline":
            raise JobError(f"variant name {name!r} is used twice (or is 'baseline')")
        changes = {str(k): str(t) for k, t in dict(v.get("changes") or {}).items()}
        if not changes:
            raise JobError(f"variant {name}: nothing changed")
        checked = check(scenario, changes, QUICK_RUN if quick else ())
        if not checked.ok:
            problems = [f"{p}: {m}" for p, ms in checked.by_field.items() for m in ms] + checked.general
            raise JobError(f"variant {name}: " + "; ".join(problems))
        made.append(Variant(name, changes))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    job_id = secrets.token_hex(4)
    out = root / f"{scenario.stem[:60]}-{stamp}-{job_id}"
    return Job(job_id, scenario, made, replications, quick, out, lang, workers, scheduler)


__all__ = ["MAX_REPLICATIONS", "MAX_VARIANTS", "Job", "JobError", "Variant", "new_job"]
