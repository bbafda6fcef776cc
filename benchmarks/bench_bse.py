"""Shouts per second of CPU in a ZI-C market of the Bristol Stock Exchange's shape: this project, a minimal heapq
model, and BSE itself, measured in the same run.

The market (BSE's ``README`` in the peers folder): 20 ZI-C buyers and 20 ZI-C sellers, one unit each, limits on
a fixed schedule 50..150 cents (BSE's ``stepmode: fixed``: ``50 + int(k * 100 / 19)``), replenished every 30 s
(``timemode: periodic``), ZI-C prices uniform on 1..limit (bids) and limit..500 (asks); a trader's new shout
replaces its resting one; about 806 shouts a 30 s period.

* **project** — :func:`rights_market.simulate` on the teaching market (rules ``cda``; one trading day = one
  period; ``shouts_per_period: 806``; prices 0.01–5.00 yuan), the whole path: trader draw, ZI-C price, the
  compiled shout-by-shout book (``market/shout_kernel.py``), settlement through the ledger, records and KPIs;
* **heapq** — :func:`heapq_model` below: the same market in about 25 lines of Python, a heapq book with lazy
  deletion of replaced shouts, no ledger, no records (a Mesa-style model's core);
* **BSE** — ``BSE.py`` loaded from the folder given by ``--bse`` (never copied here), one ``market_session``
  of ``periods × 30`` seconds; shouts and trades are counted by wrapping ``Exchange.process_order``.
  Without ``--bse`` that side is skipped, and the script says so.

CPU time (``time.process_time``) is what the ratios use, so they hold on a loaded machine; wall time is
printed too. Targets: project ≥ 10× BSE's shouts/s and ≥ 1× the heapq model's.

Run: ``python benchmarks/bench_bse.py [--periods 400] [--repeat 3] [--bse /path/to/peers]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import time
from heapq import heappop, heappush
from pathlib import Path

from rights_market import simulate
from rights_market.scenario.model import Scenario

N = 20  # buyers, and as many sellers
SHOUTS = 806  # shouts a period (BSE: about 806 a 30 s replenishment period)
LO, HI = 1, 500  # BSE's system price bounds, cents
LIMITS = [50 + int(k * 100 / (N - 1)) for k in range(N)]  # BSE's fixed schedule 50..150, cents
INTERVAL = 30  # seconds between replenishments (BSE)


def bse_shaped(periods: int) -> Scenario:
    """The teaching market of BSE's shape, ``periods`` trading days (cents → yuan: a cent is 0.01 yuan)."""
    years, days = (periods + 199) // 200, min(periods, 200)
    cents = [f"{c / 100:.2f}" for c in LIMITS]
    return Scenario.model_validate({
        "name": "bench_bse",
        "calendar": {"years": years, "periods_per_year": 1, "sessions_per_year": days},
        "weather": {"type": "sequence", "states": {"n": {}}, "sequence": ["n"]},
        "output": {"holdings_every": "none"},
        "teaching": {
            "periods": periods, "rules": "cda", "shouts_per_period": SHOUTS,
            "buyers_yuan": [[c] for c in cents[::-1]], "sellers_yuan": [[c] for c in cents],
            "price_min_yuan": f"{LO / 100:.2f}", "price_max_yuan": f"{HI / 100:.2f}",
            "buyer_behaviour": {"type": "zi_c"}, "seller_behaviour": {"type": "zi_c"},
        },
    })


def heapq_model(periods: int, seed: int = 1) -> tuple[int, int, int]:
    """The market in plain Python: returns ``(shouts, trades, sum of trade prices in cents)``."""
    rnd = random.Random(seed)
    shouts = trades = total = 0
    for _ in range(periods):
        active = list(range(2 * N))  # 0..N-1 buyers (value LIMITS[i]), N..2N-1 sellers (cost LIMITS[i-N])
        bids: list[tuple[int, int, int]] = []  # (-price, seq, trader)
        asks: list[tuple[int, int, int]] = []  # (price, seq, trader)
        live: dict[int, int] = {}  # trader -> seq of its resting shout; others in the heaps are dead
        n_buy = N
        for seq in range(SHOUTS):
            if not n_buy or n_buy == len(active):
                break
            i = active[int(rnd.random() * len(active))]
            buy = i < N
            p = rnd.randint(LO, LIMITS[i]) if buy else rnd.randint(LIMITS[i - N], HI)
            heappush(bids, (-p, seq, i)) if buy else heappush(asks, (p, seq, i))
            live[i] = seq
            shouts += 1
            while bids and live.get(bids[0][2]) != bids[0][1]:
                heappop(bids)
            while asks and live.get(asks[0][2]) != asks[0][1]:
                heappop(asks)
            if bids and asks and -bids[0][0] >= asks[0][0]:
                price = asks[0][0] if buy else -bids[0][0]  # the resting shout's price
                b, s = heappop(bids)[2], heappop(asks)[2]
                del live[b], live[s]
                active.remove(b)
                active.remove(s)
                n_buy -= 1
                trades += 1
                total += price
    return shouts, trades, total


def run_bse(folder: Path, periods: int, seed: int = 1) -> tuple[int, int, int]:
    """BSE's own ``market_session`` on this market: ``(shouts, trades, sum of trade prices in cents)``."""
    path = folder / "BSE.py"
    spec = importlib.util.spec_from_file_location("bse_peer", path) if path.is_file() else None
    if spec is None or spec.loader is None:
        raise SystemExit(f"--bse {folder}: no BSE.py in that folder; pass the folder that holds BSE.py "
                         "(the shared peers folder), or leave --bse out to skip BSE")
    bse = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bse)
    counts = [0, 0, 0]
    process = bse.Exchange.process_order

    def counted(self, t, order, tape, vrbs):
        trade = process(self, t, order, tape, vrbs)
        counts[0] += 1
        if trade is not None:
            counts[1] += 1
            counts[2] += trade["price"]
        return trade

    bse.Exchange.process_order = counted
    random.seed(seed)
    end = periods * INTERVAL
    sched = {"sup": [{"from": 0, "to": end, "ranges": [(50, 150)], "stepmode": "fixed"}],
             "dem": [{"from": 0, "to": end, "ranges": [(50, 150)], "stepmode": "fixed"}],
             "interval": INTERVAL, "timemode": "periodic"}
    traders = {"sellers": [("ZIC", N)], "buyers": [("ZIC", N)]}
    flags = dict.fromkeys(("dump_blotters", "dump_lobs", "dump_strats", "dump_avgbals", "dump_tape"), False)
    bse.market_session("bench_bse", 0, end, traders, sched, flags, False)
    return counts[0], counts[1], counts[2]


def measure(fn, repeat: int) -> tuple[float, float, tuple]:
    """Best CPU seconds of ``repeat`` runs, the wall seconds of that run, and its result."""
    best = (float("inf"), 0.0, ())
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        if cpu < best[0]:
            best = (cpu, wall, out)
    return best


def project(periods: int, seed: int) -> tuple[int, int, int]:
    r = simulate(bse_shaped(periods), seed=seed)
    k = r.kpis
    shouts = int(k[k.metric == "shouts"].value.sum())
    return shouts, len(r.trades), int(r.trades.price_ticks.sum()) // 100  # ticks → cents


def bench(periods: int = 400, repeat: int = 3, bse: Path | None = None, seed: int = 1) -> dict[str, dict]:
    """Measure every side; returns ``side -> {cpu, wall, shouts, trades, mean_price, rate}`` (BSE only if
    ``bse`` is a folder), prices in cents, ``rate`` shouts per CPU second."""
    project(2, seed)  # load the compiled kernel before the clock
    sides = {"project": lambda: project(periods, seed), "heapq": lambda: heapq_model(periods, seed)}
    if bse is not None:
        sides["BSE"] = lambda: run_bse(bse, periods, seed)
    out = {}
    for name, fn in sides.items():
        cpu, wall, (shouts, trades, total) = measure(fn, repeat)
        out[name] = {"cpu": cpu, "wall": wall, "shouts": shouts, "trades": trades,
                     "mean_price": total / trades if trades else float("nan"), "rate": shouts / max(cpu, 1e-9)}
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--periods", type=int, default=400, help="replenishment periods (trading days) per side")
    ap.add_argument("--repeat", type=int, default=3, help="best CPU time of this many runs")
    ap.add_argument("--bse", type=Path, default=None, help="folder holding BSE.py (e.g. the shared peers folder)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.bse is not None and not (args.bse / "BSE.py").is_file():
        ap.exit(2, f"bench_bse.py: --bse {args.bse}: no BSE.py in that folder; pass the folder that holds "
                   "BSE.py (the shared peers folder), or leave --bse out to skip BSE\n")
    res = bench(args.periods, args.repeat, args.bse, args.seed)
    print(f"ZI-C market of BSE's shape: {N} buyers + {N} sellers, limits 50..150, {args.periods} periods of "
          f"up to {SHOUTS} shouts (best CPU of {args.repeat})")
    for name, r in res.items():
        print(f"{name:8s} {r['rate']:12,.0f} shouts/s CPU  ({r['shouts']:,} shouts, {r['cpu']:.2f} s CPU, "
              f"{r['wall']:.2f} s wall; {r['trades'] / args.periods:.2f} trades a period, "
              f"mean price {r['mean_price']:.1f})")
    if "BSE" not in res:
        print("BSE      skipped: no --bse folder given (the shared peers folder holds BSE.py)")
    p = res["project"]["rate"]
    print(f"project / heapq: {p / res['heapq']['rate']:.2f}x  (target >= 1)")
    if "BSE" in res:
        print(f"project / BSE:   {p / res['BSE']['rate']:.2f}x  (target >= 10)")


if __name__ == "__main__":
    main()
