"""Pure rules of the forest market, against hand-worked numbers: F2, F4, F7, F8, F9, F10, F3."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from rights_market.rules.forest import (
    AppraisalModel,
    annuity_factor,
    appraise,
    construction_quota_m2,
    energy_quota_kgce,
    forest_cover,
    grow_stock,
    interest_fen,
    loan_fen,
    maintenance,
    mu_to_cmu,
    needs_registration,
    per_mu_amount_fen,
    quota_price_ticks_per_kg,
    split_area,
    stock_dm3,
    survived_area,
)
from rights_market.scenario.forest import ForestSpec, ServiceSpec, ValuationSpec


def test_f8_huinong_case_42_million_yuan_at_7000_per_tonne_is_6000_tonnes():
    """F8: the Huinong case (Dec 2021): 42,000,000 yuan of afforestation investment at about 7,000 yuan per
    tonne of energy use → 42,000,000 / 7,000 = 6,000 t = 6,000,000 kg of standard coal, exactly."""
    assert energy_quota_kgce(42_000_000 * 100, Decimal("7000")) == 6_000_000
    # per mu of the 6,583.62 mu of forest tickets: 6,000,000 kg / 6,583.62 mu ≈ 911.35 kgce per mu
    assert round(6_000_000 / 6583.62, 2) == 911.35
    # the conversion rate as a price: 7,000 yuan/t = 7 yuan/kg = 70,000 ticks per kg; 6,000,000 kg × 7 yuan
    assert quota_price_ticks_per_kg(Decimal("7000")) == 70_000
    assert 6_000_000 * 70_000 // 100 == 4_200_000_000  # fen = 42,000,000 yuan
    # rounding is down, never a gram more than paid for: 1 fen buys 1/700 kg
    assert energy_quota_kgce(699, Decimal("7000")) == 0 and energy_quota_kgce(700, Decimal("7000")) == 1
    with pytest.raises(ValueError):
        energy_quota_kgce(100, Decimal("0"))


def test_f7_three_percent_of_afforested_area_is_20_m2_per_mu():
    """F7: 3 % of one mu (10000/15 m²) is 20 m² exactly; 1,000 mu earn 20,000 m² of construction land."""
    assert construction_quota_m2(mu_to_cmu(1), Decimal("0.03")) == 20
    assert construction_quota_m2(mu_to_cmu(1000), Decimal("0.03")) == 20_000
    assert construction_quota_m2(mu_to_cmu("6583.62"), Decimal("0.03")) == 131_672  # ⌊131,672.4⌋


def test_f2_transfers_of_five_years_or_more_are_registered():
    """F2: "经营权流转期五年以上的…可申请登记": 5 years and more yes, 4 no; the threshold is a parameter."""
    assert needs_registration(np.array([1, 4, 5, 6, 30]), 5).tolist() == [False, False, True, True, True]
    assert needs_registration(4, 3).item() is True


def test_f4_appraisal_by_hand():
    """F4 with the default unit values: a mature mu yields 472.5205 yuan/yr of ecological services
    (91.6605 water + 5.04 soil + 78 carbon + 175 oxygen + 7.2 SO2 + 100.5 dust + 15.12 sand). A stand of
    4 m³/mu is half mature (reference 8): 236.26025 yuan/yr. A 10-year right at 5 %: a = 7.7217349...;
    value = (0.05 × 236.26025 + 120) × a = 1,017.83 yuan/mu → starting price 101,783 ticks per 0.01 mu."""
    model = AppraisalModel.from_spec(ValuationSpec())
    a = appraise(model, Fraction(4), 10)
    assert a.maturity == Fraction(1, 2)
    assert a.ecological_total_fen == Fraction("23626.025")
    assert a.ecological_fen["carbon_oxygen"] == Fraction(25300, 2)  # (78 + 175) / 2 yuan = 126.50 yuan
    assert set(a.ecological_fen) == {"water_conservation", "soil_retention", "carbon_oxygen", "purification",
                                     "windbreak_sand"}
    assert a.economic_fen == 12000 and a.social_fen == 3000 and a.timber_fen == 4 * 30000
    annuity = (1 - Fraction(105, 100) ** -10) / Fraction(5, 100)
    assert annuity_factor(Fraction(5, 100), 10) == annuity
    assert a.right_value_fen == (Fraction(5, 100) * Fraction("23626.025") + 12000) * annuity
    assert a.start_ticks_per_cmu == 101_783
    # a mature stand is capped at maturity 1; an empty parcel has no ecological value
    assert appraise(model, Fraction(20), 10).maturity == 1
    assert appraise(model, Fraction(0), 10).ecological_total_fen == 0


def test_f4_assessment_must_cover_the_five_services_of_the_plan():
    """F4: the plan names five services; a valuation without one of them is refused with a clear message."""
    services = {k: v for k, v in ValuationSpec().services.items() if v.dimension != "windbreak_sand"}
    with pytest.raises(ValueError, match="windbreak_sand"):
        ValuationSpec(services=services)
    ok = dict(services, sand=ServiceSpec(dimension="windbreak_sand", quantity_per_mu_year=Decimal(1), unit="t",
                                         price_yuan_per_unit=Decimal(1)))
    assert ValuationSpec(services=ok).services["sand"].dimension == "windbreak_sand"


def test_f10_budget_is_12_6_million_plus_650_per_mu_and_the_gap():
    """F10: budget = 12,600,000 + 650 × 2,500 mu of incorporated greening area = 14,225,000 yuan; the need of a
    farm managing 4,000 mu beyond its base area at 650 yuan/mu is 12,600,000 + 2,600,000 = 15,200,000 yuan;
    gap 975,000 yuan, of which F6 revenue of 600,000 yuan leaves 375,000 unfunded."""
    m = maintenance(1_260_000_000, Fraction(650), mu_to_cmu(2500), 1_260_000_000, Fraction(650), mu_to_cmu(4000),
                    60_000_000)
    assert (m.budget_fen, m.need_fen, m.gap_fen, m.unfunded_fen) == (1_422_500_000, 1_520_000_000, 97_500_000,
                                                                      37_500_000)
    assert maintenance(100, Fraction(1), 0, 50, Fraction(1), 0, 0).gap_fen == 0  # budget above need: no gap
    assert per_mu_amount_fen(mu_to_cmu("0.01"), Fraction(650)) == 650  # 650 yuan/mu on 0.01 mu = 6.50 yuan


def test_f10_growth_is_logistic_and_bounded():
    """F10: ΔS = ⌊r·S·(1 − S/K)⌋ per parcel; K = capacity × area. 100 mu with 400 m³ (K = 1,200 m³) at
    r = 0.15 grow by 0.15 × 400 × (2/3) = 40 m³ to 440 m³; a full stand does not grow."""
    area = np.array([mu_to_cmu(100), mu_to_cmu(100)])
    stock = np.array([400_000, 1_200_000])  # dm³
    out = grow_stock(stock, area, 0.15, Fraction(12))
    assert out.tolist() == [440_000, 1_200_000]
    assert stock_dm3(mu_to_cmu(12000), Decimal("4.167")).item() == 50_004_000  # 50,004 m³ on the gully forest


def test_f10_survival_and_parcels_are_exact():
    assert survived_area(mu_to_cmu(8000), 0.8) == 640_000
    assert survived_area(100, 1.7) == 100 and survived_area(100, -0.2) == 0
    parts = split_area(mu_to_cmu(2600), mu_to_cmu(500))
    assert parts.tolist() == [50_000] * 5 + [10_000] and parts.sum() == 260_000


def test_f9_forest_cover_of_dawukou():
    """F9: 7.5 % of Dawukou's 949.89 km² is 71.24 km² = 106,862.6 mu of forest."""
    cover = forest_cover(mu_to_cmu("106862.63"), Decimal("949.89"))
    assert abs(float(cover) - 0.075) < 1e-7
    assert forest_cover(mu_to_cmu(1500), Decimal("1")) == 1  # 1,500 mu = 1 km²


def test_f3_loan_and_interest_are_exact():
    """F3: a loan of 50 % of a 10,000.01 yuan appraisal is 5,000.00 yuan (down to the fen); 4.35 % interest on
    it is 217.50 yuan."""
    assert loan_fen(Fraction(1_000_001), Fraction(1, 2)) == 500_000
    assert interest_fen(np.array([500_000]), Fraction(435, 10_000)).tolist() == [21_750]


def test_forest_defaults_are_the_plans_numbers():
    """F4/F10/F9 defaults: the plans' areas, budget and targets are the defaults of the scenario section."""
    s = ForestSpec()
    assert [(z.name, z.area_mu) for z in s.zones] == [("gully_eco_forest", 12000), ("greening_area", 10000),
                                                       ("beiwudang", 2600)]
    f = s.farm
    assert (f.base_budget_yuan_per_year, f.budget_yuan_per_mu_year) == (12_600_000, 650)
    assert (f.targets.managed_mu, f.targets.stock_m3) == (50_000, 100_000)
    assert s.trading.registration_min_years == 5 and s.cover.target_share == Decimal("0.075")
    assert s.energy.yuan_per_t_sce == 7000 and s.land.construction_share == Decimal("0.03")
