"""Pure rules of the mountain-forest rights market (山林权): value assessment, growth, conversions, budget.

No SimPy, no I/O, no randomness (random draws are passed in). Units: areas in **0.01 mu** ("cmu"), growing
stock in **dm³**, energy-use quota in **kgce**, construction land in **m²**, money in **fen**, prices in
**ticks** (0.0001 yuan) per base unit. Exact rationals (:class:`fractions.Fraction`) wherever money is
decided; one rounding (half away from zero) per amount.

Handy identities: 1 mu = 10000/15 m², so 1 cmu = 20/3 m²; a price of ``y`` yuan per mu is ``y`` fen per cmu,
i.e. ``100·y`` ticks per cmu.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..units import M2_PER_MU, decimal_to_rational, div_round_half_up, to_scaled_int

CMU_PER_MU = 100
M2_PER_CMU = M2_PER_MU / CMU_PER_MU  # 20/3 m²
DM3_PER_M3 = 1000
KG_PER_T = 1000


# --------------------------------------------------------------------------- areas
def mu_to_cmu(mu: Decimal | str | int) -> int:
    """Area in mu (at most two decimals) → integer 0.01 mu."""
    return to_scaled_int(mu, CMU_PER_MU, "area in mu")


def split_area(total_cmu: int, parcel_cmu: int) -> np.ndarray:
    """Parcels of ``parcel_cmu`` (the last one smaller) that add up to ``total_cmu`` exactly."""
    if total_cmu <= 0:
        return np.zeros(0, dtype=np.int64)
    if parcel_cmu <= 0:
        raise ValueError("parcel size must be positive")
    n, rest = divmod(int(total_cmu), int(parcel_cmu))
    sizes = [int(parcel_cmu)] * n + ([rest] if rest else [])
    return np.array(sizes, dtype=np.int64)


def stock_dm3(area_cmu: np.ndarray | int, m3_per_mu: Decimal | float | Fraction) -> np.ndarray:
    """Growing stock in dm³ of ``area_cmu`` at ``m3_per_mu`` (1 m³/mu = 10 dm³ per cmu), rounded down."""
    r = decimal_to_rational(m3_per_mu) if not isinstance(m3_per_mu, Fraction) else m3_per_mu
    a = np.asarray(area_cmu, dtype=np.int64)
    return (a * (r.numerator * 10)) // r.denominator


def per_mu_amount_fen(area_cmu: np.ndarray | int, yuan_per_mu: Decimal | Fraction) -> np.ndarray:
    """Money of ``yuan_per_mu`` on ``area_cmu`` in fen (1 yuan/mu on 1 cmu = 1 fen), half up, per entry."""
    r = yuan_per_mu if isinstance(yuan_per_mu, Fraction) else decimal_to_rational(yuan_per_mu)
    a = np.asarray(area_cmu, dtype=np.int64)
    return (a * (2 * r.numerator) + r.denominator) // (2 * r.denominator)


# --------------------------------------------------------------------------- value assessment (F4)
def annuity_factor(rate: Fraction, years: int) -> Fraction:
    """Rule F4: present value of 1 a year for ``years`` years at ``rate``: (1 − (1+r)^−T)/r, exact."""
    if years <= 0:
        return Fraction(0)
    if rate == 0:
        return Fraction(years)
    return (1 - (1 + rate) ** (-years)) / rate


@dataclass(frozen=True)
class AppraisalModel:
    """Rule F4 parameters in exact units (fen per mu per year, fen per m³, shares)."""

    eco_mature_fen: dict[str, Fraction]  # per service line: amount × price, fen per mu per year, mature stand
    eco_dimension: dict[str, str]
    reference_stock_m3_per_mu: Fraction
    under_forest_fen: Fraction
    timber_fen_per_m3: Fraction
    social_fen: Fraction
    rate: Fraction
    w_ecological: Fraction
    w_economic: Fraction
    w_social: Fraction
    w_timber: Fraction

    @classmethod
    def from_spec(cls, v) -> AppraisalModel:
        """Build from a :class:`~rights_market.scenario.forest.ValuationSpec`."""
        q = decimal_to_rational
        return cls(
            eco_mature_fen={k: q(s.quantity_per_mu_year) * q(s.price_yuan_per_unit) * 100 for k, s in v.services.items()},
            eco_dimension={k: s.dimension for k, s in v.services.items()},
            reference_stock_m3_per_mu=q(v.reference_stock_m3_per_mu),
            under_forest_fen=q(v.under_forest_yuan_per_mu_year) * 100,
            timber_fen_per_m3=q(v.timber_yuan_per_m3) * 100,
            social_fen=q(v.social_yuan_per_mu_year) * 100,
            rate=q(v.discount_rate),
            w_ecological=q(v.price_weights.ecological), w_economic=q(v.price_weights.economic),
            w_social=q(v.price_weights.social), w_timber=q(v.price_weights.timber),
        )


@dataclass(frozen=True)
class Appraisal:
    """Rule F4 result for one parcel, per mu: yearly ecological value per dimension and in total, yearly
    economic (under-forest) and social values, timber value of the standing stock (fen, exact), and the value
    of a management right for ``term_years`` — which is also the starting price in ticks per 0.01 mu."""

    maturity: Fraction
    ecological_fen: dict[str, Fraction]
    ecological_total_fen: Fraction
    economic_fen: Fraction
    social_fen: Fraction
    timber_fen: Fraction
    term_years: int
    right_value_fen: Fraction

    @property
    def start_ticks_per_cmu(self) -> int:
        """Starting price of the right, ticks per 0.01 mu (= fen per mu), rounded half up; at least 1."""
        v = self.right_value_fen
        return max(div_round_half_up(v.numerator, v.denominator), 1)


def appraise(model: AppraisalModel, stock_m3_per_mu: Fraction, term_years: int) -> Appraisal:
    """Rule F4: appraise one parcel whose stand holds ``stock_m3_per_mu`` for a right of ``term_years``.

    ecological = Σ_services amount × price × maturity, maturity = min(stock / reference stock, 1);
    economic = under-forest income; social = social value (all per mu per year);
    right value = (w_e·ecological + w_x·economic + w_s·social)·a(T, r) + w_t·stock·stumpage.
    """
    m = min(stock_m3_per_mu / model.reference_stock_m3_per_mu, Fraction(1)) if stock_m3_per_mu > 0 else Fraction(0)
    eco_lines = {k: v * m for k, v in model.eco_mature_fen.items()}
    dims: dict[str, Fraction] = {}
    for k, v in eco_lines.items():
        d = model.eco_dimension[k]
        dims[d] = dims.get(d, Fraction(0)) + v
    eco = sum(eco_lines.values(), Fraction(0))
    timber = stock_m3_per_mu * model.timber_fen_per_m3
    flows = model.w_ecological * eco + model.w_economic * model.under_forest_fen + model.w_social * model.social_fen
    value = flows * annuity_factor(model.rate, term_years) + model.w_timber * timber
    return Appraisal(m, dims, eco, model.under_forest_fen, model.social_fen, timber, int(term_years), value)


def term_value_ticks(yuan_per_mu_year: np.ndarray, rate: Fraction, years: int) -> np.ndarray:
    """What a holder earning ``yuan_per_mu_year`` values a right of ``years`` years at, ticks per 0.01 mu
    (its private value or reservation price; = fen per mu), rounded down."""
    a = float(annuity_factor(rate, years))
    return np.floor(np.asarray(yuan_per_mu_year, dtype=float) * 100.0 * a).astype(np.int64)


# --------------------------------------------------------------------------- registration (F2)
def needs_registration(term_years: np.ndarray | int, threshold_years: int) -> np.ndarray:
    """Rule F2: a management-right transfer of ``threshold_years`` (5) or more is registered."""
    return np.asarray(term_years, dtype=np.int64) >= int(threshold_years)


# --------------------------------------------------------------------------- energy and land for forest (F8, F7)
def energy_quota_kgce(investment_fen: int, yuan_per_t: Decimal | Fraction) -> int:
    """Rule F8: afforestation investment → energy-use quota in kg of standard coal, at ``yuan_per_t`` yuan per
    tonne, rounded down. 42,000,000 yuan at 7,000 yuan/t → 6,000 t = 6,000,000 kgce."""
    r = yuan_per_t if isinstance(yuan_per_t, Fraction) else decimal_to_rational(yuan_per_t)
    if r <= 0:
        raise ValueError("the conversion rate must be positive")
    # kg = fen / 100 [yuan] / r [yuan per t] × 1000 [kg per t] = fen × 10 / r
    q = Fraction(int(investment_fen) * 10) / r
    return q.numerator // q.denominator


def quota_price_ticks_per_kg(yuan_per_t: Decimal | Fraction) -> int:
    """Rule F8: the conversion rate as a price per kg in ticks (yuan per t × 10), exact or an error."""
    r = yuan_per_t if isinstance(yuan_per_t, Fraction) else decimal_to_rational(yuan_per_t)
    t = r * 10
    if t.denominator != 1:
        raise ValueError(f"{yuan_per_t} yuan/t is not a whole number of ticks per kg")
    return int(t)


def construction_quota_m2(area_cmu: int, share: Decimal | Fraction) -> int:
    """Rule F7: construction-land quota earned by afforesting ``area_cmu``: ``share`` of the area in m²,
    rounded down (3 % of a mu is 20 m²)."""
    s = share if isinstance(share, Fraction) else decimal_to_rational(share)
    q = int(area_cmu) * M2_PER_CMU * s
    return q.numerator // q.denominator


# --------------------------------------------------------------------------- forest farm (F10)
def grow_stock(stock: np.ndarray, area_cmu: np.ndarray, rate: float, capacity_m3_per_mu: Fraction) -> np.ndarray:
    """Rule F10: one year of logistic growth of growing stock (dm³) per parcel:
    S' = S + ⌊r·S·(1 − S/K)⌋ with K = capacity × area; never below 0 nor (from below) above K."""
    s = np.asarray(stock, dtype=np.int64)
    k = stock_dm3(area_cmu, capacity_m3_per_mu)
    kf = np.maximum(k, 1).astype(float)
    delta = np.floor(rate * s * (1.0 - s / kf)).astype(np.int64)
    out = s + delta
    grew_past = (s <= k) & (out > k)
    out[grew_past] = k[grew_past]
    return np.maximum(out, 0)


def survived_area(planted_cmu: int, share: float) -> int:
    """Rule F10: the part of a planting that survives (share clipped to [0, 1]), rounded down, cmu."""
    return int(np.floor(int(planted_cmu) * min(max(float(share), 0.0), 1.0)))


@dataclass(frozen=True)
class Maintenance:
    """Rule F10 / F6: one year's maintenance account of the forest farm, fen."""

    budget_fen: int  # fiscal budget: base + per mu on the budgeted area
    need_fen: int  # what maintaining the managed area costs
    own_revenue_fen: int  # forest funds forest (F6): concessions and leases
    gap_fen: int  # need − budget (≥ 0): the maintenance gap before F6
    unfunded_fen: int  # need − budget − own revenue (≥ 0): what stays unfunded


def maintenance(base_budget_fen: int, per_mu_budget: Fraction, budgeted_cmu: int, base_cost_fen: int,
                per_mu_cost: Fraction, extra_managed_cmu: int, own_revenue_fen: int) -> Maintenance:
    """Rule F10: budget = base + per-mu standard × budgeted area; need = base cost + per-mu cost × area managed
    beyond the base area; gap = need − budget; F6 revenue fills it (unfunded = gap − revenue, at least 0)."""
    budget = int(base_budget_fen) + int(per_mu_amount_fen(budgeted_cmu, per_mu_budget))
    need = int(base_cost_fen) + int(per_mu_amount_fen(max(extra_managed_cmu, 0), per_mu_cost))
    gap = max(need - budget, 0)
    return Maintenance(budget, need, int(own_revenue_fen), gap, max(gap - int(own_revenue_fen), 0))


# --------------------------------------------------------------------------- forest cover (F9)
def forest_cover(forest_cmu: int, district_km2: Decimal | Fraction) -> Fraction:
    """Rule F9: forest cover = forest area / district area (exact share)."""
    km2 = district_km2 if isinstance(district_km2, Fraction) else decimal_to_rational(district_km2)
    return Fraction(int(forest_cmu)) * M2_PER_CMU / (km2 * 1_000_000)


# --------------------------------------------------------------------------- credit (F3)
def loan_fen(appraised_fen: Fraction | int, loan_to_value: Fraction) -> int:
    """Rule F3: loan on a pledged right: loan-to-value × appraised value, rounded down to the fen."""
    v = Fraction(appraised_fen) * loan_to_value
    return v.numerator // v.denominator


def interest_fen(principal_fen: np.ndarray, rate: Fraction) -> np.ndarray:
    """Rule F3: a year's interest on each principal, half up."""
    p = np.asarray(principal_fen, dtype=np.int64)
    return (p * (2 * rate.numerator) + rate.denominator) // (2 * rate.denominator)
