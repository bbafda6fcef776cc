"""The pure land rules (rules/land.py), each against a hand-worked expectation from the plan or the law."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from rights_market.rules.land import (
    BASIC,
    GENERAL,
    GRADE_A,
    GRADE_B,
    GRADE_C,
    GRADE_D,
    GRADE_NEW,
    R_BASIC,
    R_FARMLAND_LOSS,
    R_IDLE_FEE,
    R_IDLE_TOO_LONG,
    R_TOWNSHIP_QUOTA,
    R_VILLAGE_QUOTA,
    STATE_CON,
    blended_price_ticks,
    ceil_share,
    first_refusal,
    grade_adjustment_fen,
    grade_firms,
    idle_fee_fen,
    idle_transfer_refusal,
    land_per_gdp,
    land_price_difference_fen,
    price_flags,
    restoration_quota_m2,
    screen_conversions,
    split_amount,
    split_equally,
    split_sizes,
    supporting_area,
    target_met,
    term_price_ticks,
    term_within_contract,
    transfer_route,
    vote_passes,
)

F = Fraction


def screen(cls, area, village, priority, *, quota=0, vq=(100_000,), vused=(0,), tq=1_000_000, tused=0):
    return screen_conversions(np.array(cls), np.array(area), np.array(village), np.array(priority),
                              quota_stock=quota, balance_ratio=F(1), village_quota=np.array(vq),
                              village_used=np.array(vused), village_flex_share=F(5, 100), township_quota=tq,
                              township_used=tused, township_flex_share=F(10, 100))


def test_l2_permanent_basic_farmland_never_converts_even_with_quota():
    res = screen([BASIC], [1_000], [0], [True], quota=10_000)
    assert res.reason.tolist() == [R_BASIC] and res.quota_used.tolist() == [0]


def test_l2_general_farmland_converts_only_by_retiring_as_much_quota():
    """L2 (耕地数量不减少, 占补平衡): 6,000 m² of quota covers the first 5,000 m² request, not the second."""
    res = screen([GENERAL, GENERAL, STATE_CON], [5_000, 5_000, 3_000], [0, 0, -1], [False] * 3, quota=6_000)
    assert res.reason.tolist() == ["", R_FARMLAND_LOSS, ""]
    assert res.quota_used.tolist() == [5_000, 0, 0]
    assert res.village_used.tolist() == [5_000] and res.township_used == 8_000


def test_l1_village_flexible_quota_only_for_priority_projects():
    """L1: a village plan of 20,000 m² keeps 5 % (1,000 m²) flexible: an ordinary 19,500 m² request is refused,
    a priority one fits."""
    res = screen([STATE_CON, STATE_CON], [19_500, 19_500], [0, 0], [False, True], vq=(20_000,), vused=(0,))
    assert res.reason.tolist() == [R_VILLAGE_QUOTA, ""]
    res = screen([STATE_CON], [19_000], [0], [False], vq=(20_000,))
    assert res.reason.tolist() == [""]


def test_l1_township_keeps_at_least_ten_percent():
    """L1: 不少于10%: of a 100,001 m² township quota at least ⌈10,000.1⌉ = 10,001 m² stay for priority use."""
    assert ceil_share(100_001, F(1, 10)) == 10_001
    res = screen([STATE_CON, STATE_CON], [90_001, 90_000], [-1, -1], [False, False], tq=100_001)
    assert res.reason.tolist() == [R_TOWNSHIP_QUOTA, ""]


def test_l10_first_refusal_goes_to_the_willing_member_paying_most():
    """L10: an outside offer of 7,500 ticks: members valuing 7,000 / 8,000 / 8,000 — the 8,000 with the lower
    id takes it on the same terms; nobody at 7,499 or less means the outsider keeps it."""
    assert first_refusal(7_500, np.array([5, 9, 7]), np.array([7_000, 8_000, 8_000])) == 7
    assert first_refusal(7_500, np.array([5, 9]), np.array([7_500, 7_499])) == 5
    assert first_refusal(7_500, np.array([5, 9]), np.array([7_499, 1])) == -1
    assert first_refusal(7_500, np.array([], dtype=np.int64), np.array([], dtype=np.int64)) == -1


def test_l10_circulation_term_within_the_remaining_contract():
    assert term_within_contract(2021, 38, 2058)
    assert not term_within_contract(2021, 39, 2058)


def test_l10_two_thirds_of_the_representatives_decide():
    """L10 (Land Administration Law art. 63): 20 of 30 pass, 19 fail; of 31, 21 are needed (20.67)."""
    assert vote_passes(20, 30, 2, 3) and not vote_passes(19, 30, 2, 3)
    assert vote_passes(21, 31, 2, 3) and not vote_passes(20, 31, 2, 3)
    assert not vote_passes(0, 0, 2, 3)


def test_l10_revenue_shares_are_exact_to_the_fen():
    """L10 收益分配: 1,001 fen by 50/30/20 → 500.5, 300.3, 200.2 → the leftover fen to the largest remainder."""
    assert split_amount(1_001, [F(1, 2), F(3, 10), F(1, 5)]).tolist() == [501, 300, 200]
    assert split_amount(57_600_000, [F(1, 2), F(3, 10), F(1, 5)]).tolist() == [28_800_000, 17_280_000, 11_520_000]
    assert split_equally(10, 3).tolist() == [4, 3, 3]


def test_l4_idle_land_transfer_conditions():
    """L4: government-caused idle land transfers whatever its age; firm-caused only under 2 years and with the
    idle fee paid when one is due."""
    assert idle_transfer_refusal(True, 5, True, False, 2) == ""
    assert idle_transfer_refusal(False, 0, False, False, 2) == ""
    assert idle_transfer_refusal(False, 1, True, True, 2) == ""
    assert idle_transfer_refusal(False, 1, True, False, 2) == R_IDLE_FEE
    assert idle_transfer_refusal(False, 2, True, True, 2) == R_IDLE_TOO_LONG


def test_l4_idle_fee_is_twenty_percent_of_the_land_price():
    assert idle_fee_fen(120_000_000, F(1, 5)) == 24_000_000
    assert idle_fee_fen(1_234_567, F(1, 5)) == 246_913  # 246,913.4 rounds down


def test_l5_under_a_quarter_of_the_investment_transfers_by_pre_registration():
    assert transfer_route(249, 1_000, F(1, 4), True) == "pre_registration"
    assert transfer_route(250, 1_000, F(1, 4), True) == "normal"
    assert transfer_route(249, 1_000, F(1, 4), False) == ""


def test_l5_large_parcels_split_into_equal_lots():
    sizes = split_sizes(100_001, 20_000)
    assert sizes.tolist() == [16_667] * 5 + [16_666] and int(sizes.sum()) == 100_001
    assert split_sizes(40_000, 20_000).tolist() == [20_000, 20_000]


def test_l13_flexible_term_price_is_pro_rata():
    """L13 弹性年期: 120 yuan/m² for 50 years → 48 yuan/m² for 20 years (rounded half up to a tick)."""
    assert term_price_ticks(1_200_000, 20, 50).tolist() == 480_000
    assert term_price_ticks(np.array([3, 5]), 1, 2).tolist() == [2, 3]


def test_l12_supporting_land_capped_at_five_percent():
    assert supporting_area(10_000, F(8, 100), F(5, 100)) == (500, 300)
    assert supporting_area(10_000, F(3, 100), F(5, 100)) == (300, 0)
    assert blended_price_ticks(np.array([9_500, 500]), np.array([1_200_000, 6_000_000])) == 1_440_000


def test_l15_land_price_difference_to_change_use():
    """L15: industrial 120 → commercial 600 yuan/m² on 1,000 m² = 480,000 yuan; never negative."""
    assert land_price_difference_fen(1_000, 6_000_000, 1_200_000) == 48_000_000
    assert land_price_difference_fen(1_000, 1_200_000, 6_000_000) == 0


def test_l14_grades_by_output_and_tax_per_mu():
    """L14: 10,000 m² = 15 mu. Output 30 M yuan = 2 M/mu (A); tax 1.2 M = 80,000/mu (A) → A. The same output
    with tax one fen short of A → B (the lower indicator). 6 M yuan output = 400,000/mu (C). No land → new."""
    yuan = 100
    out = np.array([30_000_000, 30_000_000, 6_000_000, 5_999_999, 0]) * yuan
    tax = np.array([1_200_000 * yuan, 1_200_000 * yuan - 1, 1_200_000 * yuan, 1_200_000 * yuan, 0])
    area = np.array([10_000, 10_000, 10_000, 10_000, 0])
    g = grade_firms(out, tax, area, (2_000_000 * yuan, 1_000_000 * yuan, 400_000 * yuan),
                    (80_000 * yuan, 40_000 * yuan, 12_000 * yuan))
    assert g.tolist() == [GRADE_A, GRADE_B, GRADE_C, GRADE_D, GRADE_NEW]


def test_l14_price_multiplier_by_grade():
    assert grade_adjustment_fen(120_000_000, F(9, 10)) == -12_000_000
    assert grade_adjustment_fen(120_000_000, F(11, 10)) == 12_000_000
    assert grade_adjustment_fen(333, F(6, 5)) == 67  # 66.6
    assert grade_adjustment_fen(100, F(1)) == 0


def test_l16_prices_more_than_the_band_off_the_benchmark_are_flagged():
    """L16: band 20 % around 100 yuan: exactly 80 and 120 are inside; a tick beyond is flagged."""
    b = 1_000_000
    flags = price_flags(np.array([800_000, 799_999, 1_200_000, 1_200_001]), np.array([b] * 4), F(1, 5))
    assert flags.tolist() == [0, -1, 0, 1]


def test_l8_quota_is_the_accepted_share_of_restored_farmland():
    assert restoration_quota_m2(10_000, F(9, 10)) == 9_000
    assert restoration_quota_m2(10_001, F(1, 3)) == 3_333


def test_l17_land_per_gdp_target_exactly():
    """L17: 100 m² per 1,000 fen in the base year; 97 m² per 1,000 fen is exactly −3 % (met), 97.01 is not."""
    assert target_met(97, 1_000, 100, 1_000, F(-3, 100))
    assert not target_met(9_701, 100_000, 100, 1_000, F(-3, 100))
    assert land_per_gdp(10_000, 1_000_000) == 10_000.0  # m² per 10,000 yuan
