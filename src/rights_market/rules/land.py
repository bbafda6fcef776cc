"""Pure rules of the land-rights market (土地权): use control, first refusal, votes, shares, idle land,
pre-registration, grading, term prices, price monitoring, restoration quota and the land-per-GDP target.

No SimPy, no world, no randomness: integers in, integers (or reason strings) out, so every rule can be
checked by hand. Units: areas in m² (1 mu = 10000/15 m², :data:`~rights_market.units.M2_PER_MU`), money in
fen, prices in ticks (0.0001 yuan) per m² (or per m² and year for rents), shares as exact
:class:`~fractions.Fraction`. The policy (:mod:`rights_market.rights.land`) calls these and applies results.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..units import M2_PER_MU, TICKS_PER_FEN, div_round_half_up

# --------------------------------------------------------------------------- land classes and codes
#: Land classes of a parcel (rule L3), in code order.
CLASSES = (
    "basic_farmland",           # 永久基本农田
    "general_farmland",         # 一般耕地
    "homestead",                # 宅基地
    "collective_construction",  # 集体经营性建设用地
    "state_construction",       # 国有建设用地
    "mining_wasteland",         # 工矿废弃地
    "unused_wasteland",         # 国有未利用荒地
)
BASIC, GENERAL, HOMESTEAD, COLL_CON, STATE_CON, MINING, UNUSED = range(len(CLASSES))
FARMLAND_CLASSES = (BASIC, GENERAL)
CONSTRUCTION_CLASSES = (HOMESTEAD, COLL_CON, STATE_CON)

#: Uses of a parcel; construction uses have benchmark prices (rule L11).
USES = ("farming", "residence", "industrial", "new_industry", "commercial", "none")
FARMING, RESIDENCE, INDUSTRIAL, NEW_INDUSTRY, COMMERCIAL, NO_USE = range(len(USES))

#: Per-mu efficiency grades (rule L14); ``new`` = not graded yet (no land or no full year of output).
GRADES = ("A", "B", "C", "D", "new")
GRADE_A, GRADE_B, GRADE_C, GRADE_D, GRADE_NEW = range(len(GRADES))

# Rejection reasons (orders_rejected.reason) of the land rules.
R_BASIC = "basic_farmland"              # rule L2
R_FARMLAND_LOSS = "farmland_loss"       # rule L2
R_VILLAGE_QUOTA = "no_planning_quota"   # rule L1
R_TOWNSHIP_QUOTA = "no_township_quota"  # rule L1
R_IDLE_TOO_LONG = "idle_not_transferable"  # rule L4
R_IDLE_FEE = "idle_fee_unpaid"          # rule L4
R_INVESTMENT = "investment_below_threshold"  # rule L5
R_TERM = "term_exceeds_contract"        # rule L10
R_VOTE = "vote_failed"                  # rule L10
R_GRADE = "grade_excluded"              # rule L14
R_SUPPORTING = "supporting_land_over_cap"  # rule L12
R_BUDGET = "reserve_budget"             # rule X2: the land reserve cannot pay
R_STANDARD = "below_standard"           # rule L13: fails the industry condition of standard land


def mu_of(area_m2: int) -> float:
    """Area in mu (亩) of ``area_m2`` m², for reports: 1 mu = 10000/15 m² (:data:`~rights_market.units.M2_PER_MU`)."""
    return float(Fraction(int(area_m2)) / M2_PER_MU)


def per_mu_to_per_m2_ticks(ticks_per_mu: int) -> int:
    """A price per mu (ticks) → per m² (ticks), rounded half up: ÷ (10000/15)."""
    per_m2 = Fraction(int(ticks_per_mu)) / M2_PER_MU
    return div_round_half_up(per_m2.numerator, per_m2.denominator)


def share_of(amount: int, share: Fraction) -> int:
    """``amount × share`` rounded half up (exact)."""
    return div_round_half_up(int(amount) * share.numerator, share.denominator)


def ceil_share(amount: int, share: Fraction) -> int:
    """``amount × share`` rounded up: the least whole amount that is at least the share ("not less than")."""
    return -((-int(amount) * share.numerator) // share.denominator)


# --------------------------------------------------------------------------- L1 / L2: conversions
@dataclass(frozen=True)
class ConversionScreen:
    """Outcome of :func:`screen_conversions`, per request in input order.

    ``reason``: ``""`` if accepted, else :data:`R_BASIC`, :data:`R_VILLAGE_QUOTA`, :data:`R_TOWNSHIP_QUOTA`,
    :data:`R_FARMLAND_LOSS` or :data:`R_BUDGET`. ``quota_used``: m² of new cultivated-land quota retired for each accepted
    request (0 for refused ones and for non-farmland). ``village_used``/``township_used``: planning quota
    (m²) used after all requests.
    """

    reason: np.ndarray
    quota_used: np.ndarray
    village_used: np.ndarray
    township_used: int

    @property
    def accepted(self) -> np.ndarray:
        return self.reason == ""


def screen_conversions(
    cls: np.ndarray, area: np.ndarray, village: np.ndarray, priority: np.ndarray, *, quota_stock: int,
    balance_ratio: Fraction, village_quota: np.ndarray, village_used: np.ndarray, village_flex_share: Fraction,
    township_quota: int, township_used: int, township_flex_share: Fraction,
    compensation_fen: np.ndarray | None = None, cash_fen: int | None = None,
) -> ConversionScreen:
    """Check requests to turn parcels into construction land, in order (rules L2 and L1).

    Rule L2 (use control): permanent basic farmland never converts (:data:`R_BASIC`); farmland may not be
    lost, so a farmland parcel converts only if ``area × balance_ratio`` of new cultivated-land quota is
    retired for it (占补平衡) from ``quota_stock`` (else :data:`R_FARMLAND_LOSS`). Rule L1 (planning quotas):
    a conversion uses new construction land quota of its village plan (``village`` ≥ 0) and of the township
    plan. A share of each is flexible (机动/留白: villages 5 %, townships at least 10 %, rounded up) and only
    ``priority`` requests (key industries, major projects, ecological restoration) may use it: an ordinary
    request must fit in quota − flexible part, a priority request in the whole quota (else
    :data:`R_VILLAGE_QUOTA` / :data:`R_TOWNSHIP_QUOTA`). If ``cash_fen`` is given, the requester (the land
    reserve) must also be able to pay each request's ``compensation_fen`` (else :data:`R_BUDGET`, rule X2).
    Checks run in that order; earlier accepted requests use quota and cash before later ones. Areas in m².
    """
    n = len(cls)
    reason = np.full(n, "", dtype=object)
    used_q = np.zeros(n, dtype=np.int64)
    v_used = np.asarray(village_used, dtype=np.int64).copy()
    t_used = int(township_used)
    stock = int(quota_stock)
    cash = None if cash_fen is None else int(cash_fen)
    t_ordinary = int(township_quota) - ceil_share(township_quota, township_flex_share)
    for i in range(n):
        a, c, v, pri = int(area[i]), int(cls[i]), int(village[i]), bool(priority[i])
        if c == BASIC:
            reason[i] = R_BASIC
            continue
        if v >= 0:
            q = int(village_quota[v])
            limit = q if pri else q - ceil_share(q, village_flex_share)
            if int(v_used[v]) + a > limit:
                reason[i] = R_VILLAGE_QUOTA
                continue
        if t_used + a > (int(township_quota) if pri else t_ordinary):
            reason[i] = R_TOWNSHIP_QUOTA
            continue
        need = ceil_share(a, balance_ratio) if c == GENERAL else 0
        if need > stock:
            reason[i] = R_FARMLAND_LOSS
            continue
        if cash is not None and compensation_fen is not None:
            if int(compensation_fen[i]) > cash:
                reason[i] = R_BUDGET
                continue
            cash -= int(compensation_fen[i])
        stock -= need
        used_q[i] = need
        t_used += a
        if v >= 0:
            v_used[v] += a
    return ConversionScreen(reason.astype(str), used_q, v_used, t_used)


# --------------------------------------------------------------------------- L10: rural market
def first_refusal(offer_ticks: int, member_ids: np.ndarray, member_values: np.ndarray) -> int:
    """Rule L10 (同等条件下本集体经济组织成员享有优先权): the member who takes a matched outside offer.

    Members of the collective are offered the deal on the outside offer's terms (``offer_ticks``); every
    member whose value (ticks, same unit) is at least the offer is willing. The willing member with the
    highest value takes it (ties: lowest account id). Returns that member's account id, or −1 if none is
    willing (the outside bidder keeps the deal).
    """
    ids = np.asarray(member_ids, dtype=np.int64)
    vals = np.asarray(member_values, dtype=np.int64)
    willing = np.flatnonzero(vals >= int(offer_ticks))
    if not willing.size:
        return -1
    order = np.lexsort((ids[willing], -vals[willing]))
    return int(ids[willing[order[0]]])


def term_within_contract(start_year: int, term_years: int, contract_end_year: int) -> bool:
    """Rule L10: a circulation of management rights may not outlast the contract (流转期限不得超过承包期的
    剩余期限): the years ``start_year .. start_year + term − 1`` must end by ``contract_end_year``."""
    return term_years >= 1 and start_year + term_years - 1 <= contract_end_year


def vote_passes(yes: int, members: int, numerator: int, denominator: int) -> bool:
    """Rule L10: a democratic decision passes with at least ``numerator/denominator`` of the members (or
    members' representatives) voting yes — Land Administration Law art. 63: two thirds (exact)."""
    return members > 0 and yes * denominator >= numerator * members


def split_amount(amount: int, shares: list[Fraction]) -> np.ndarray:
    """Split ``amount`` fen by ``shares`` (summing to 1) into whole fen that sum to ``amount`` exactly:
    each part is rounded down, the fen left over go one each to the largest remainders (ties: first)."""
    if sum(shares, Fraction(0)) != 1:
        raise ValueError("shares must sum to 1")
    amount = int(amount)
    exact = [amount * s for s in shares]
    parts = np.array([int(e.numerator // e.denominator) for e in exact], dtype=np.int64)
    left = amount - int(parts.sum())
    rema = [e - int(e.numerator // e.denominator) for e in exact]
    for k in sorted(range(len(shares)), key=lambda j: (-rema[j], j))[:left]:
        parts[k] += 1
    return parts


def split_equally(amount: int, n: int) -> np.ndarray:
    """``amount`` fen in ``n`` whole parts that differ by at most one fen and sum to ``amount``."""
    if n <= 0:
        raise ValueError("n must be positive")
    base, rem = divmod(int(amount), n)
    out = np.full(n, base, dtype=np.int64)
    out[:rem] += 1
    return out


# --------------------------------------------------------------------------- L4 / L5: idle land, pre-registration
def idle_fee_fen(price_basis_fen: int, fee_share: Fraction) -> int:
    """Rule L4: the idle-land fee (土地闲置费), a share of the land price paid (default 20 %)."""
    return share_of(price_basis_fen, fee_share)


def idle_transfer_refusal(gov_caused: bool, idle_years: int, fee_due: bool, fee_paid: bool,
                          max_firm_idle_years: int) -> str:
    """Rule L4: may idle industrial land be transferred? ``""`` if yes, else the reason.

    Land idle for government reasons may always be transferred. Land idle for the firm's own reasons may be
    transferred only while idle for under ``max_firm_idle_years`` (2) years (:data:`R_IDLE_TOO_LONG`) and
    with the idle fee paid if one is due (:data:`R_IDLE_FEE`).
    """
    if gov_caused:
        return ""
    if idle_years >= max_firm_idle_years:
        return R_IDLE_TOO_LONG
    if fee_due and not fee_paid:
        return R_IDLE_FEE
    return ""


def investment_reached(invested_fen: int, planned_fen: int, threshold: Fraction) -> bool:
    """Rule L5: whether ``invested ≥ threshold × planned`` (25 % of the planned total investment), exactly."""
    return int(invested_fen) * threshold.denominator >= threshold.numerator * int(planned_fen)


def transfer_route(invested_fen: int, planned_fen: int, threshold: Fraction, preregistration: bool) -> str:
    """Rule L5: how industrial land can change hands. ``"normal"`` once the investment threshold is reached;
    below it ``"pre_registration"`` (预告登记) if allowed, else ``""`` (the transfer is refused with
    :data:`R_INVESTMENT`)."""
    if investment_reached(invested_fen, planned_fen, threshold):
        return "normal"
    return "pre_registration" if preregistration else ""


def split_sizes(area_m2: int, max_lot_m2: int) -> np.ndarray:
    """Rule L5 (分割转让): split a parcel of ``area_m2`` into the fewest lots of at most ``max_lot_m2``, as
    equal as possible (sizes differ by at most 1 m²), summing to the parcel's area exactly."""
    if max_lot_m2 <= 0:
        raise ValueError("max_lot_m2 must be positive")
    k = -(-int(area_m2) // int(max_lot_m2))
    return split_equally(int(area_m2), max(k, 1))


# --------------------------------------------------------------------------- L13 / L15 / L12: prices
def term_price_ticks(full_term_ticks: np.ndarray | int, term_years: np.ndarray | int,
                     full_term_years: np.ndarray | int) -> np.ndarray:
    """Rule L13 (弹性年期): the price of a term shorter than the legal maximum, pro rata to the years:
    ``full-term price × term / full term``, rounded half up to a tick."""
    p = np.asarray(full_term_ticks, dtype=np.int64) * np.asarray(term_years, dtype=np.int64)
    d = np.asarray(full_term_years, dtype=np.int64)
    return np.asarray((2 * p + d) // (2 * d), dtype=np.int64)


def land_price_difference_fen(area_m2: int, new_ticks: int, old_ticks: int) -> int:
    """Rules L15 and L4: the land price difference (补齐土地出让价款差额) to change the use of ``area_m2``
    from a use with benchmark ``old_ticks`` to one with ``new_ticks`` (per m²); never negative."""
    diff = max(int(new_ticks) - int(old_ticks), 0)
    return div_round_half_up(int(area_m2) * diff, TICKS_PER_FEN)


def supporting_area(area_m2: int, requested: Fraction, cap: Fraction) -> tuple[int, int]:
    """Rule L12: supporting construction land of a mixed-use project: at most ``cap`` (5 %) of its total
    area. Returns ``(granted, refused)`` m² of the requested supporting area (both rounded down)."""
    want = int(area_m2) * requested.numerator // requested.denominator
    granted = min(want, int(area_m2) * cap.numerator // cap.denominator)
    return granted, want - granted


def blended_price_ticks(areas: np.ndarray, ticks: np.ndarray) -> int:
    """Rule L12: one price per m² of a lot made of parts with different benchmarks (area-weighted mean,
    half up)."""
    a = np.asarray(areas, dtype=np.int64)
    return div_round_half_up(int((a * np.asarray(ticks, dtype=np.int64)).sum()), int(a.sum()))


# --------------------------------------------------------------------------- L14: per-mu grading
def grade_firms(output_fen: np.ndarray, tax_fen: np.ndarray, area_m2: np.ndarray,
                output_thresholds_fen_per_mu: tuple[int, int, int],
                tax_thresholds_fen_per_mu: tuple[int, int, int]) -> np.ndarray:
    """Rule L14 (亩均论英雄): grade firms A/B/C/D by output and tax per mu of the land they use.

    An indicator reaches grade A if its value per mu is at least the first threshold, B the second, C the
    third, else D. A firm's grade is the lower of its two indicator grades. Firms using no land are
    :data:`GRADE_NEW`. Exact: with ``M2_PER_MU = n/d``, ``value / (area / M2_PER_MU) ≥ t`` ⇔
    ``value × n ≥ t × d × area``.
    """
    out = np.asarray(output_fen, dtype=np.int64)
    tax = np.asarray(tax_fen, dtype=np.int64)
    area = np.asarray(area_m2, dtype=np.int64)

    def one(v: np.ndarray, th: tuple[int, int, int]) -> np.ndarray:
        g = np.full(v.size, GRADE_D, dtype=np.int8)
        for code, t in zip((GRADE_C, GRADE_B, GRADE_A), th[::-1], strict=True):
            g[v * M2_PER_MU.numerator >= int(t) * M2_PER_MU.denominator * area] = code
        return g

    grade = np.maximum(one(out, output_thresholds_fen_per_mu), one(tax, tax_thresholds_fen_per_mu))
    return np.where(area > 0, grade, GRADE_NEW).astype(np.int8)


def grade_adjustment_fen(amount_fen: int, multiplier: Fraction) -> int:
    """Rule L14: the differentiated land price by grade: a winner of grade g pays ``amount × (m_g − 1)``
    more (negative: a rebate), rounded half up."""
    return div_round_half_up(int(amount_fen) * (multiplier.numerator - multiplier.denominator), multiplier.denominator)


# --------------------------------------------------------------------------- L16: price monitoring
def price_flags(price_ticks: np.ndarray, benchmark_ticks: np.ndarray, band: Fraction) -> np.ndarray:
    """Rule L16: −1 where a price is more than ``band`` below its benchmark, +1 more than ``band`` above,
    0 inside (exact). Default band 20 %: a declared price over 20 % below the standard land price lets the
    government buy first (国办发〔2019〕34号)."""
    p = np.asarray(price_ticks, dtype=np.int64)
    b = np.asarray(benchmark_ticks, dtype=np.int64)
    n, d = band.numerator, band.denominator
    low = p * d < b * (d - n)
    high = p * d > b * (d + n)
    return np.where(low, -1, np.where(high, 1, 0)).astype(np.int8)


# --------------------------------------------------------------------------- L8 / L9: restoration
def restoration_quota_m2(area_m2: int, accepted_share: Fraction) -> int:
    """Rules L8, L9: new cultivated-land quota (新增耕地指标) from restoring ``area_m2`` to farmland: the
    accepted share of it (验收), rounded down to whole m²."""
    return int(area_m2) * accepted_share.numerator // accepted_share.denominator


# --------------------------------------------------------------------------- L17: land per GDP
def land_per_gdp(area_m2: int, gdp_fen: int) -> float:
    """Rule L17: construction land per unit of GDP, m² per 10,000 yuan (for reports)."""
    return float("nan") if gdp_fen <= 0 else area_m2 * 1_000_000 / gdp_fen


def target_met(area_m2: int, gdp_fen: int, base_area_m2: int, base_gdp_fen: int, change: Fraction) -> bool:
    """Rule L17: whether land per GDP has changed by at most ``change`` (e.g. −3/100) from the base year,
    exactly: ``(a/g) ≤ (a0/g0) × (1 + change)``."""
    if gdp_fen <= 0 or base_gdp_fen <= 0:
        return False
    lhs = int(area_m2) * int(base_gdp_fen) * change.denominator
    rhs = int(base_area_m2) * int(gdp_fen) * (change.denominator + change.numerator)
    return lhs <= rhs


# --------------------------------------------------------------------------- L11: primary market response
def start_price_ticks(base_ticks: int, factor: Fraction, floor_share: Fraction) -> int:
    """Rule L11: the start price of a lot whose benchmark-based start is ``base_ticks`` after re-listing cuts
    (``factor`` ≤ 1 of it), never below ``floor_share`` of it rounded up (招拍挂: 标底或者底价不得低于国家规定的最低价
    标准, MLR order 39 art. 10), and at least one tick."""
    return max(share_of(base_ticks, factor), ceil_share(base_ticks, floor_share), 1)


def relist_factor(factor: Fraction, cut: Fraction, floor_share: Fraction) -> Fraction:
    """Rule L11: an unsold lot's start, as a share of its benchmark start, for the next listing: cut by ``cut``
    and held at ``floor_share``."""
    return max(factor * (1 - cut), floor_share)


def next_plan_m2(plan_m2: int, offered: int, sold: int, low: Fraction, high: Fraction, step: Fraction,
                 least_m2: int, most_m2: int) -> int:
    """Rule L11: next year's supply plan (m²) from this year's sell-through ``sold / offered``: shrunk by
    ``step`` below ``low``, grown by ``step`` at or above ``high``, else unchanged; always within
    ``[least_m2, most_m2]``. No lots offered: unchanged (within the bounds). Rounded half up."""
    plan = int(plan_m2)
    if offered > 0:
        through = Fraction(int(sold), int(offered))
        if through < low:
            plan = share_of(plan, 1 - step)
        elif through >= high:
            plan = share_of(plan, 1 + step)
    return min(max(plan, int(least_m2)), int(most_m2))
