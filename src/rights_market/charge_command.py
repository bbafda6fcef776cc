"""``rights-market charge``: what one holder pays for a use against a plan or quota, band by band (rules W8,
W9), in the user's language; the bands of a far over-plan use are summarised, not listed one by one."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

from .inputerror import InputError

#: surcharge bands `charge` lists at the start and at the end of a long bill unless --all-bands
CHARGE_HEAD_BANDS = 5
CHARGE_TAIL_BANDS = 2


def cmd_charge(args) -> int:
    """The ``charge`` command (see the module docstring); exit code 0, or InputError for bad input."""
    from .loading import load_scenario
    from .report.labels import Labels
    from .rights.water.pricing import block_tariff, surcharge
    from .rules.tariffs import bill, zero_plan_band
    from .scenario.water import SECTORS
    from .units import TICKS_PER_YUAN

    scenario = load_scenario(args.scenario, args.overrides)
    sector = args.product.removeprefix("water.")
    if scenario.water is None:
        raise InputError(f"{args.scenario}: the scenario has no water market to price")
    if sector not in SECTORS:
        raise InputError(f"--product {args.product!r}: expected one of {', '.join(SECTORS)} (optionally water.<sector>)")
    if args.plan < 0 or args.use < 0:
        raise InputError("--plan and --use must not be negative (m³)")
    pricing = scenario.water.pricing.get(sector)
    if pricing is None:
        raise InputError(f"the scenario sets no pricing for {sector!r} (water.pricing.{sector})")
    sur = surcharge(pricing)
    b = bill(args.use, args.plan, block_tariff(pricing), sur)

    def yuan_per_unit(rate: Fraction) -> str:
        return _plain(Decimal(rate.numerator) / Decimal(rate.denominator) / TICKS_PER_YUAN)

    def m3(q: Fraction) -> str:
        return _plain(Decimal(q.numerator) / Decimal(q.denominator))

    def yuan(fen: int) -> str:
        return f"{Decimal(fen) / 100:.2f}"

    def row(line) -> dict:
        return {"kind": line.kind, "band": line.band, "quantity_m3": m3(line.quantity),
                "rate_yuan_per_m3": yuan_per_unit(line.rate), "amount_yuan": yuan(line.amount_fen),
                "payee": "fiscal" if line.kind == "surcharge" else "supplier"}

    # A bill far over plan has one surcharge band per 10 % of the plan: list the first and last few and sum
    # the bands between in closed form, unless all are asked for.
    bands = b.surcharge_lines
    n = len(bands)
    head, tail, omitted = n, 0, None
    if not args.all_bands and n > CHARGE_HEAD_BANDS + CHARGE_TAIL_BANDS + 1:
        head, tail = CHARGE_HEAD_BANDS, CHARGE_TAIL_BANDS
        lo, hi = head + 1, n - tail
        omitted = {"bands": hi - lo + 1, "first_band": lo, "last_band": hi,
                   "quantity_m3": m3(bands.quantity(lo, hi)), "amount_yuan": yuan(bands.fen(lo, hi))}
    rows = [row(line) for line in b.tariff_lines] + [row(line) for line in bands[:head]]
    tail_rows = [row(line) for line in bands[n - tail:]] if tail else []
    L = Labels(args.lang)
    note = None
    if sur is not None and args.plan == 0 and args.use > 0:
        k = zero_plan_band(sur)
        why = L("charge.why_capped" if sur.max_band else "charge.why_uncapped")
        note = L("charge.zero_plan", base=L.code("charge.base", pricing.surcharge_base), use=args.use, band=k,
                 why=why)
    data = {
        "scenario": scenario.name, "product": f"water.{sector}", "plan_m3": args.plan, "use_m3": args.use,
        "surcharge_base": pricing.surcharge_base, "surcharge_bands": n, "lines": rows + tail_rows,
        "omitted_bands": omitted, "note": note,
        "tariff_yuan": yuan(b.total_of("tariff")),
        "surcharge_yuan": yuan(b.total_of("surcharge")),
        "total_yuan": yuan(b.total_fen),
    }
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(L("charge.header", name=scenario.name, product=f"water.{sector}", use=args.use, plan=args.plan,
            base=L.code("charge.base", pricing.surcharge_base)))
    print(_charge_row(L("charge.col.kind"), L("charge.col.band"), L("charge.col.quantity"), L("charge.col.rate"),
                      L("charge.col.amount"), L("charge.col.payee")))

    def show(r: dict) -> None:
        print(_charge_row(L.code("charge.kind", r["kind"]), str(r["band"]), r["quantity_m3"],
                          r["rate_yuan_per_m3"], r["amount_yuan"], L.code("charge.payee", r["payee"])))

    for r in rows:
        show(r)
    if omitted:
        print(L("charge.omitted", bands=omitted["bands"], first=omitted["first_band"], last=omitted["last_band"],
                quantity=omitted["quantity_m3"], amount=omitted["amount_yuan"]))
    for r in tail_rows:
        show(r)
    for key, value in (("tariff", data["tariff_yuan"]), ("surcharge", data["surcharge_yuan"]),
                       ("total", data["total_yuan"])):
        print(_charge_row(L(f"charge.sum.{key}"), "", "", "", value, ""))
    if note:
        print(L("cli.note", note=note))
    return 0


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (East Asian wide characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def _charge_row(kind: str, band: str, quantity: str, rate: str, amount: str, payee: str) -> str:
    """One line of the bill: kind, band, quantity (m³), rate (yuan/m³), amount (yuan), payee."""
    cells = [_pad(kind, 10, False), _pad(band, 4, True), _pad(quantity, 14, True), _pad(rate, 10, True),
             _pad(amount, 14, True)]
    return (" ".join(cells) + "  " + payee).rstrip()


def _plain(d: Decimal) -> str:
    """A decimal without exponent or trailing zeros (1260, 1.65, 123.4)."""
    text = format(d.normalize(), "f")
    return text
