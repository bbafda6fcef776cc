"""Emission dynamics (issue 14): the cap path (E2 with the plan's aim 排放总量明显下降), abatement planned at the
expected permit price (design principle 8) read from the published cap path, durable abatement, a fixed cost per trade, and the E11/E15 reporting of emissions
against the cap and of the trade count against the cited Ningxia rate.

The default runs are the emission-only Dawukou file (the emission section of the four-rights file; there the
platform trades every 4th of 52 weekly sessions, about monthly, as here), three seeds, 5 years, check=True.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from test_emission_market import kpi, run, scenario, unit

from conftest import fast_and_full, first_fast
from rights_market import load_scenario, simulate
from rights_market.rules.economics import net_of_transaction_cost, scarcity_price
from rights_market.rules.emission import cap_for_year, comply, pro_rata_cut, quadratic_curves

SEEDS = (1, 2, 3)
POLLUTANTS = ("NOx", "SO2", "COD", "NH3-N")


@cache
def default_run(seed: int, *overrides: str):
    return simulate(load_scenario("scenarios/dawukou_emission.yaml", overrides=list(overrides)), seed=seed,
                    check=True)


def series(r, metric):
    k = r.kpis[(r.kpis.right == "emission") & (r.kpis.metric == metric)].sort_values("year")
    return k.value.to_numpy()


# ------------------------------------------------------------------------------------------------ pure rules
def test_e2_cap_path_and_pro_rata_cut_are_exact():
    """E2: the cap falls by the share a year from the base year (NOx −10 % over 2020–2025: 0.0209 a year) and
    an explicit path overrides it; the cut takes exactly the amount, in proportion, never above a holder's
    free rights."""
    assert cap_for_year(1_000_000, 0.0209, 0) == 1_000_000
    assert cap_for_year(1_000_000, 0.0209, 5) == int(np.floor(1_000_000 * 0.9791 ** 5))
    assert abs(cap_for_year(1_000_000, 0.0209, 5) / 1_000_000 - 0.90) < 0.001
    assert cap_for_year(1_000_000, 0.0209, 3, path_kg=700_000) == 700_000
    cut = pro_rata_cut(np.array([300, 100, 0, 600]), 101)
    assert cut.sum() == 101 and np.all(cut <= [300, 100, 0, 600]) and cut[2] == 0
    assert cut.tolist() == [30, 10, 0, 61]
    assert pro_rata_cut(np.array([5, 5]), 50).tolist() == [5, 5]


def test_e12_committed_abatement_is_kept_even_with_rights_to_spare():
    """E12 with planned abatement: a unit that put 10 t of abatement in place at the year start abates at least
    that, though its rights would cover more emission; with a shortfall it abates the larger of the two."""
    c = quadratic_curves(np.array([2.0, 2.0]), np.array([40_000.0, 40_000.0]), np.zeros(2))
    out = comply(c, np.array([40_000, 40_000]), np.array([45_000, 20_000]), 10**9, 0, committed=np.array([10_000, 10_000]))
    assert out.abatement.tolist() == [10_000, 20_000]
    assert out.excess.tolist() == [0, 0]


def test_transaction_cost_moves_reservation_prices_by_the_cost_per_unit():
    """Principle 8: a buyer's limit falls and a seller's rises by the fixed cost over the order's quantity."""
    net = net_of_transaction_cost([100.0, 100.0, 50.0], [10.0, 10.0, 1000.0], [True, False, True], 200.0)
    assert net.tolist() == [80.0, 120.0, 49.8]
    assert net_of_transaction_cost([7.0], [3.0], [False], 0.0).tolist() == [7.0]


# ------------------------------------------------------------------------------------------------ engine
@pytest.mark.parametrize("seed", first_fast(*SEEDS))
def test_e2_higher_expected_price_means_more_abatement(seed):
    """Principle 8, E2 comparative statics: units abate while their MAC is below the price they expect, so a
    higher starting expectation (base price × 1, 2, 4) gives more abatement in the first year, on every seed
    (before any trade could move the expectation). Adaptive expectations alone: the cap path is not read."""
    adaptive = "emission.market.expectation.cap_path_years=0"
    got = [series(default_run(seed, "calendar.years=1", adaptive,
                              f"emission.market.expectation.start_multiple_of_base={m}"),
                  "planned_abatement_NOx")[0] for m in (1, 2, 4)]
    assert got[0] < got[1] < got[2], (seed, got)
    abated = [series(default_run(seed, "calendar.years=1", adaptive,
                                 f"emission.market.expectation.start_multiple_of_base={m}"), "abatement_NOx")[0]
              for m in (1, 4)]
    assert abated[1] > abated[0]


def test_e2_planned_abatement_frees_rights_a_textbook_unit_does_not_need():
    """E2: a unit with MAC 4Z yuan/t (C = 2Z²) expecting 40 yuan/t abates to Z = 10 t though it holds rights for
    all of its 30 t; it emits 20 t under its 30 t of rights, within the cap."""
    s = scenario([unit("A", 30, b=2)], market={"expectation": {"start_multiple_of_base": 4}})
    r = run(s)
    assert kpi(r, "planned_abatement_NOx") == 10_000
    assert kpi(r, "emissions_NOx") == 20_000
    assert kpi(r, "emissions_over_cap_NOx") == -10_000


def test_e2_cap_path_retires_rights_and_emissions_stay_within_it():
    """E2: with a 10 % yearly cut from the first year, the rights of two units (30 t each) fall to 27 t, 24.3 t
    … exactly (the cap), and the emissions of compliant units never exceed it."""
    s = scenario([unit("A", 30, b=2), unit("B", 30, b=3)], years=3,
                 cap={"base_year": 2020, "reduction_share_per_year": {"NOx": 0.1}})
    r = run(s)
    caps = series(r, "cap_NOx")
    assert caps.tolist() == [54_000, 48_600, 43_740]
    assert series(r, "rights_NOx").tolist() == caps.tolist()
    assert np.all(series(r, "emissions_NOx") <= caps)
    assert np.all(np.diff(series(r, "emissions_NOx")) < 0)


def check_falling_and_met(r) -> None:
    """NOx, SO2 and COD fall every year; every year each pollutant is within its cap or its violators are listed
    (``penalty`` rows in charges, one per violator)."""
    for p in POLLUTANTS:
        cap, em = series(r, f"cap_{p}"), series(r, f"emissions_{p}")
        assert np.all(np.diff(cap) < 0), p
        if p != "NH3-N":  # NH3-N (services, farms) is far below its cap: a slack cap does not bind
            assert np.all(np.diff(em) < 0), (p, em)
        over = series(r, f"emissions_over_cap_{p}")
        assert np.allclose(over, em - cap)
        viol = series(r, f"violators_{p}")
        pen = r.charges[(r.charges.kind == "penalty") & (r.charges["product"] == f"emission.{p}")]
        assert len(pen) == viol.sum()
        assert np.all((over <= 0) | (viol > 0)), p


@pytest.mark.parametrize("seed", first_fast(*SEEDS))
def test_e2_e11_default_emissions_fall_year_on_year_and_the_cap_is_met_or_violators_listed(seed):
    """Issue 14, E2, E11, E12 on the default Dawukou emission section: the cap falls every year (national
    14th-FYP targets) and NOx, SO2 and COD emit less every year than the year before, because units read the
    published cap path ahead and their abatement is durable (docs/economics.md, Emission); every year each
    pollutant is within its cap, or its violators are listed."""
    check_falling_and_met(default_run(seed))


@pytest.mark.parametrize("years", fast_and_full(3, 5))
def test_e2_e11_four_rights_default_run_emissions_fall_year_on_year(years, shared_run):
    """Issue 14's check on the default four-rights run (its own seed, its 5 years in the slow set, the first 3
    in the inner loop; check=True): NOx, SO2 and COD fall year on year, the cap is met or the violators are
    listed."""
    r = shared_run.result("dawukou_four_rights.yaml", [f"calendar.years={years}"], check=True)
    assert sorted(r.kpis["year"].unique()) == list(range(2021, 2021 + years))
    check_falling_and_met(r)


def test_e2_without_reading_the_cap_path_emissions_rebound():
    """The gap the cap-path reading closes: with adaptive expectations only and abatement that is not durable
    (the model before issue 14's fix), NOx rises in at least one year on some seed of the default file."""
    # lazily, seed by seed: the first seed that rises shows it (seed 1 does), the others need not run
    rises = (np.any(np.diff(series(default_run(seed, "emission.market.expectation.cap_path_years=0",
                                               "emission.durable_abatement=false"), "emissions_NOx")) > 0)
             for seed in SEEDS)
    assert any(rises)


def test_e2_anticipated_price_follows_the_cap_path():
    """E2 with the cap path read ahead: the anticipated yearly price rises year on year as tighter caps enter the
    horizon (default file, seed 1), and a steeper path (NOx −4 % a year instead of −2.09 %) raises it further;
    with the path not read it is 0. Durable abatement: planned abatement never falls."""
    r = default_run(1)
    ant = series(r, "anticipated_price_NOx")
    assert np.all(np.diff(ant) > 0) and ant[0] >= 2000 / 5, ant
    steep = series(default_run(1, "emission.cap.reduction_share_per_year.NOx=0.04"), "anticipated_price_NOx")
    assert np.all(steep > ant), (steep, ant)
    assert np.all(series(r, "planned_abatement_NOx")[1:] >= series(r, "planned_abatement_NOx")[:-1])
    off = default_run(1, "calendar.years=1", "emission.market.expectation.cap_path_years=0")
    assert series(off, "anticipated_price_NOx").tolist() == [0.0]


def test_scarcity_price_is_the_least_price_meeting_the_target():
    """The core rule: supply 10 kg per yuan above 100 yuan meets 500 kg at 150 yuan; a slack target gives the
    floor, an unreachable one the ceiling."""
    supply = lambda p: max(0.0, 10.0 * (p - 100.0))  # noqa: E731
    assert abs(scarcity_price(supply, 500.0, 0.0, 1000.0) - 150.0) < 1e-3
    assert scarcity_price(supply, 0.0, 120.0, 1000.0) == 120.0
    assert scarcity_price(supply, 10**9, 0.0, 1000.0) == 1000.0
    with pytest.raises(ValueError):
        scarcity_price(supply, 1.0, 5.0, 1.0)


@pytest.mark.parametrize("seed", first_fast(*SEEDS))
def test_e6_e15_trade_count_against_the_cited_ningxia_rate(seed):
    """E6/E15 reporting: the yearly trade count is reported against the cited rate (Xinhua 3 June 2024: 502
    trades in Ningxia from September 2021, ~183 a year for 22 districts; Jinfeng district ~10 a year; the
    default file takes 10). Over 2022–2025 (trading opens in 2022) the default run makes at most 5× the
    district reference on average and never the whole region's yearly rate (183) in one district; without the
    fixed cost per trade it makes several times more. The rest above the reference is the E4/E13 demand of
    the new, major and strategic projects entering in 2022–2023, which must buy their whole permits."""
    r = default_run(seed)
    counts = series(r, "trade_count")
    assert series(r, "trade_count_reference")[0] == 10
    assert np.allclose(series(r, "trade_count_vs_reference"), counts / 10)
    assert counts[1:].mean() <= 50 and counts.max() < 183, counts
    # the fixed cost's effect, on seed 1 (each run of a seed is simulated once: ``default_run`` is cached)
    free = default_run(1, "emission.market.transaction_cost_yuan_per_trade=0")
    assert series(free, "trade_count")[1:].mean() > 2 * series(default_run(1), "trade_count")[1:].mean()
