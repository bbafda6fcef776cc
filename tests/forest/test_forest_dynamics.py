"""The forest market's economics in the default run (issue 14): the forest reserve acts on its F4 triggers (X2),
F8 energy for forest holds its own equivalence (the firm's cost per tce is the conversion rate), the forest
farm's budget and maintenance accounts agree (F10, F6), and the shared fiscal account is a section of its own.
Runs with ``check=True``: every right and every fen conserved, no trade with itself.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from conftest import SCENARIOS
from rights_market import load_scenario, simulate
from rights_market.ledger import FISCAL
from rights_market.report.build import build_document
from rights_market.report.run_data import load_run
from rights_market.results import write_run
from rights_market.rights.catalogue import RESERVES
from rights_market.rules.forest import quota_price_ticks_per_kg
from rights_market.tables.schema import FISCAL_SECTION, SCHEMA
from rights_market.units import amount_fen

FOREST = SCENARIOS / "dawukou_forest.yaml"
RESERVE = RESERVES["forest"]


@pytest.fixture(scope="module")
def default_run():
    """The shipped forest file with its own seed, five years."""
    return simulate(load_scenario(FOREST), check=True)


def forest_kpis(r):
    k = r.kpis[r.kpis.right.astype(str) == "forest"]
    return k.pivot_table(index="year", columns="metric", values="value", observed=True)


def test_x2_forest_reserve_buys_below_and_sells_above_the_assessed_value(default_run):
    """X2/F4: in the default run the reserve buys a right the market left at 0.9 × its F4 value and sells
    what it holds at no less than 1.1 × the F4 value of the remaining term (the trades' ``base_price``)."""
    r, spec = default_run, load_scenario(FOREST).forest.reserve
    t = r.trades[r.trades["product"].astype(str) == "forest.management"]
    appraisal = (t["base_price"] * 10_000).round().astype("int64")  # ticks per 0.01 mu
    buy_share = Fraction(spec.buy_below_value_share)
    sell_share = Fraction(spec.sell_above_value_share)
    bought = t[t.buyer == RESERVE]
    sold = t[t.seller == RESERVE]
    assert len(bought) >= 1 and len(sold) >= 1  # the reserve acts
    for i in bought.index:
        assert t.at[i, "price_ticks"] == appraisal[i] * buy_share.numerator // buy_share.denominator
    for i in sold.index:
        assert t.at[i, "price_ticks"] * sell_share.denominator >= appraisal[i] * sell_share.numerator
    res = r.reserve[r.reserve["product"].astype(str) == "forest.management"]
    reasons = set(res["reason"].astype(str))
    assert {"below 0.9 × the assessed value (X2, F4)", "above 1.1 × the assessed value (X2, F4)"} <= reasons
    assert res[res.action == "buy"].amount_fen.sum() >= bought.amount_fen.sum() > 0


def test_x2_reserve_that_may_not_buy_holds_nothing_bought_below_value():
    r = simulate(load_scenario(FOREST, ["forest.reserve.buy_below_value_share=0", "calendar.years=3"]), check=True)
    assert not (r.trades.buyer == RESERVE).any()


@pytest.mark.parametrize("mechanism", ["listing", "tender"])
def test_f8_firm_cost_per_tce_equals_the_conversion_rate(mechanism):
    """F8: every afforestation lot's quota goes at exactly the conversion rate, so the firm pays the lot's
    investment and its cost per tce equals the rate (7,000 yuan/t), by listing or by tender; only the resale of
    surplus quota between firms is market-priced."""
    sc = load_scenario(FOREST, [f"forest.energy.mechanism={mechanism}"])
    r = simulate(sc, check=True)
    rate = quota_price_ticks_per_kg(sc.forest.energy.yuan_per_t_sce)
    assert rate == 70_000
    t = r.trades[(r.trades["product"].astype(str) == "forest.energy_quota")
                 & (r.trades["relation"].astype(str) == "afforestation->firm")]
    assert len(t) == sc.calendar.years  # one standard lot a year, each sold
    assert (t.price_ticks == rate).all()
    assert [int(a) for a in t.amount_fen] == [amount_fen(q, rate) for q in t.quantity]
    # the lot's investment (2,000 mu × 6,380 yuan) converts at the rate: 1,822,857 kgce, paid 12,759,999.00 yuan
    assert t.quantity.iloc[0] == 1_822_857 and t.amount.iloc[0] == 12_759_999.00
    cost = forest_kpis(r)["energy_quota_cost"]
    assert (cost == 7000.0).all()
    # the firm's investment pays the afforestation: the farm keeps no margin of it (investment_to: economy)
    assert (forest_kpis(r)["investment_margin"] == 0).all()


def test_f10_farm_budget_and_maintenance_accounts_agree(default_run):
    """F10/F6: need = spent + unfunded; the gap (need − budget) = F6 revenue used + other funds + unfunded; the
    recorded charges are the KPIs (budget paid by the fiscal account, maintenance paid by the farm)."""
    r = default_run
    cols = ["maintenance_budget", "maintenance_need", "maintenance_spent", "maintenance_unfunded",
            "maintenance_other_funds", "own_revenue"]
    k = (forest_kpis(r)[cols] * 100).round().astype("int64")  # fen, exact
    assert (k.maintenance_spent + k.maintenance_unfunded == k.maintenance_need).all()
    assert (k.maintenance_unfunded >= 0).all()
    used_f6 = (k.maintenance_spent - k.maintenance_budget).clip(lower=0).clip(upper=k.own_revenue)
    assert ((k.maintenance_spent - k.maintenance_budget).clip(lower=0) - used_f6 == k.maintenance_other_funds).all()
    full = k.maintenance_spent == k.maintenance_need
    assert (k.maintenance_unfunded[full] == 0).all()
    c = r.charges[r.charges["product"].astype(str) == "forest.management"]
    farm = int(r.holders.set_index("group").holder["forest_farm"])
    per_year = c.groupby(["year", "kind"], observed=True).amount_fen.sum().unstack()
    assert (per_year["maintenance"] == k.maintenance_spent).all()
    budget = c[(c.kind == "budget") & (c.holder == FISCAL) & (c.payee == farm)].groupby("year").amount_fen.sum()
    assert (budget == k.maintenance_budget).all()


def test_the_fiscal_account_is_its_own_section_not_one_rights(tmp_path, shared_run):
    """The shared fiscal account's KPIs carry ``right`` = ``fiscal`` (declared in the schema), no right files
    them, they add up to the account's money, and the report shows them in a section of their own (the default
    four-rights file, 3 years, check=True: the run tests/emission/test_emission_dynamics.py reads)."""
    r = shared_run.result("dawukou_four_rights.yaml", ["calendar.years=3"], check=True)
    k = r.kpis
    assert FISCAL_SECTION in SCHEMA["kpis"].column("right").codes
    assert not ((k.metric.astype(str) == "fiscal_balance") & (k.right.astype(str) != FISCAL_SECTION)).any()
    f = k[k.right.astype(str) == FISCAL_SECTION].pivot_table(index="year", columns="metric", values="value",
                                                               observed=True)
    assert list(f.index) == [2021, 2022, 2023]
    assert f.fiscal_net_flow.sum() == pytest.approx(f.fiscal_balance.iloc[-1], abs=0.005)
    moved = r.charges[(r.charges.payee == FISCAL)].amount_fen.sum()
    assert moved > 0  # charges paid to it (surcharges, fees, taxes) are in its flow; the land reserve's
    # remittances (X2) may make the balance of either sign, so only its consistency is asserted above
    doc = build_document(load_run(write_run(r, tmp_path / "run")))
    text = "\n".join(str(getattr(b, "text", "")) for b in doc.blocks)
    assert "Fiscal account" in text
    rights = [b.text for b in doc.blocks if type(b).__name__ == "Heading" and b.level == 2]
    assert rights.count("Fiscal account") == 1 and "Emission rights" in rights
