"""The rights register (``registry`` table) of the water and land markets: initial confirmations (确权) of
water rights (rules W1, W2) and of land rights (L3), and the water right's medium- and long-term deals (W4).
Every run is ``simulate(..., check=True)``."""

from __future__ import annotations

from test_land_setup import const
from test_pledges import land_scenario

from conftest import CHEAP_SAVING, two_holder_water
from rights_market import simulate
from rights_market.ledger import GOVERNMENT
from rights_market.rights.catalogue import RESERVES

COLS = ["time", "year", "right", "product", "event", "parcel", "holder", "counterparty", "quantity", "unit",
        "term_end", "amount_fen", "note"]


def test_w1_w2_each_holders_confirmed_water_right_is_registered_until_its_expiry_year():
    """W1, W2: the farmer (account 0) and the firm (account 1) each get 1,000 m³ of ``water.right`` from the
    government at set-up (day 0, 2021). Validity terms are 5 years for agriculture and 10 for industry, so the
    rights run to 2021 + 5 − 1 = 2025 and 2021 + 10 − 1 = 2030. Nothing else is registered."""
    r = simulate(two_holder_water(), seed=1, check=True)
    assert r.registry[COLS].values.tolist() == [
        [0, 2021, "water", "water.right", "confirm", -1, 0, GOVERNMENT, 1000, "m3", 2025, 0,
         "confirmed right (W1, W2)"],
        [0, 2021, "water", "water.right", "confirm", -1, 1, GOVERNMENT, 1000, "m3", 2030, 0,
         "confirmed right (W1, W2)"]]


def test_w4_a_term_deal_of_the_water_right_is_a_registered_transfer_with_its_term_end():
    """W4: the farmer saves 250 m³ (50 % of its 500 m³ reference use); the firm is short 200 m³ of right. At
    the 2021 year end (day 364) the farmer passes 200 m³ of its right for 5 years at the present value of the
    expected annual price 2.218 yuan over 5 years at 6 %: 9.3430 yuan/m³, 1,868.60 yuan = 186,860 fen. The register shows the transfer to the firm (counterparty the farmer),
    its term ending in 2021 + 5 = 2026, the last year the firm holds it (the right returns at that year end)."""
    s = two_holder_water(water__long_term={"enabled": True, "term_years": 5, "pairs_per_year": 1},
                         water__groups__0__saving=CHEAP_SAVING)
    reg = simulate(s, seed=1, check=True).registry
    assert reg[reg.event == "confirm"].quantity.tolist() == [1000, 1000]
    assert reg[reg.event != "confirm"][COLS].values.tolist() == [
        [364, 2021, "water", "water.right", "transfer", -1, 1, 0, 200, "m3", 2026, 186_860,
         "term deal, 5 years (W4)"]]


def test_w4_a_term_deal_that_ends_reverts_the_right_to_the_farm():
    """W4: with a 1-year term the 2021 deal (200 m³ at 2.218 / 1.06 = 2.0924 yuan = 41,848 fen, term end 2022)
    ends at the
    2022 year end: a ``revert`` row gives the 200 m³ back to the farmer (counterparty the firm)."""
    s = two_holder_water(water__long_term={"enabled": True, "term_years": 1, "pairs_per_year": 1},
                         water__groups__0__saving=CHEAP_SAVING,
                         calendar={"start_year": 2021, "years": 2, "periods_per_year": 1, "sessions_per_year": 1},
                         weather={"type": "sequence", "states": {"normal": {}}, "sequence": ["normal"] * 2})
    reg = simulate(s, seed=1, check=True).registry
    deals = reg[reg.event.isin(["transfer", "revert"])]
    assert deals[["year", "event", "holder", "counterparty", "quantity", "term_end", "amount_fen", "note"]
                 ].values.tolist()[:2] == [
        [2021, "transfer", 1, 0, 200, 2022, 41_848, "term deal, 1 year (W4)"],
        [2022, "revert", 0, 1, 200, 2022, 0, "term deal ended (W4)"]]


def test_l3_every_parcels_confirmed_rights_are_registered_with_their_terms():
    """L3, the tiny land world with one firm: households 0 and 1 of village chaohu (collective = account 2) each
    hold a 15-mu (10,000 m²) farmland parcel and a 250 m² homestead; firm 4 holds a 100,000 m² state industrial
    parcel, 10 years into its 50-year term. Per parcel (ids 0–4, in set-up order) one ``confirm`` row of its
    use-level right, holder = its user, counterparty = the owner it returns to: the management rights run to
    the end of the extended second-round contracts, 2028 + 30 = 2058; homesteads have no term (−1); the firm's
    right to 2021 + 50 − 1 − 10 = 2060, owned by the state (the land reserve). Then the contract rights of the
    two farmland parcels, held by the households, also to 2058."""
    land = {"firms": {"firms": 1, "parcel_m2": const(100_000), "parcel_age_years": const(10)}}
    reg = simulate(land_scenario(land, {"pledges": []}), seed=1, check=True).registry
    res = RESERVES["land"]
    assert (reg.event == "confirm").all() and (reg.time == 0).all() and (reg.year == 2021).all()
    assert (reg.right == "land").all() and (reg.unit == "m2").all() and (reg.note == "confirmed right (L3)").all()
    assert reg[["product", "parcel", "holder", "counterparty", "quantity", "term_end"]].values.tolist() == [
        ["land.management", 0, 0, 2, 10_000, 2058],
        ["land.management", 1, 1, 2, 10_000, 2058],
        ["land.homestead", 2, 0, 2, 250, -1],
        ["land.homestead", 3, 1, 2, 250, -1],
        ["land.state_construction", 4, 4, res, 100_000, 2060],
        ["land.contract", 0, 0, 2, 10_000, 2058],
        ["land.contract", 1, 1, 2, 10_000, 2058]]
