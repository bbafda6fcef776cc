"""Every visible word of the report, in English and Chinese.

``LABELS[lang][key]`` is a plain string, possibly with ``str.format`` fields. The report code never writes
visible text itself: it looks it up here through :class:`Labels`. Code values from the tables are looked
up under ``"<prefix>.<code>"``: ``right``, ``mech`` (mechanisms), ``kind`` (charge kinds), ``reason``
(rejection reasons), ``action`` (reserve actions), ``event`` (registry events), ``metric`` (KPI metrics),
``product``, ``pollutant``, ``sector``, ``unit``, ``inst`` (institutions). Patterned names get a label built
from their parts (``surcharge_revenue_band_<k>``, ``<metric>_<pollutant>``, ``<metric>_<mechanism>``,
``pledged:<product>``, ``<product>.pledged``; templates under ``pattern.``). A code without any label is
shown as it is, so a new reason or mechanism still shows up.

Some labels equal their code in English on purpose: unit symbols (``kg``, ``t``, ``mu``, ``%``) and
pollutant formulas (``NOx``, ``SO2``, ``COD``, ``NH3-N``).

Both languages must have exactly the same keys (checked by the tests).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

LANGS: tuple[str, ...] = ("en", "zh")

_EN: dict[str, str] = {
    # --- document ---
    "report.title": "Rights market simulation report",
    "report.generated_by": "Written by rights-market {version} from the tables of this run directory.",
    "header.scenario": "Scenario",
    "header.seed": "Random seed",
    "header.version": "Package version",
    "header.hash": "Scenario hash",
    "header.wall": "Run time",
    "header.seconds": "{seconds} s",
    "header.unknown": "unknown",
    "header.sep": ":",
    "header.rights": "Rights in this run",
    "section.summary": "Summary",
    "section.right": "{right}",
    "section.figures": "Figures",
    "section.tables": "Tables",
    "section.how_to_read": "How to read this report",
    "run.empty": "This run contains no trades, charges, reserve actions or indicators for any right.",
    # --- summary sentences ---
    "summary.products": "Products: {products}.",
    "summary.trades": "{count} trades moved {volume} {unit} in total.",
    "summary.trades_one": "{count} trade moved {volume} {unit}.",
    "summary.no_trades": "No trades took place in this run.",
    "summary.price_above": (
        "The volume-weighted mean price was {price} {punit}, {pct} above the base price of {base} {punit}."
    ),
    "summary.price_below": (
        "The volume-weighted mean price was {price} {punit}, {pct} below the base price of {base} {punit}."
    ),
    "summary.price_equal": "The volume-weighted mean price was {price} {punit}, equal to the base price.",
    "summary.price_no_base": "The volume-weighted mean price was {price} {punit}; no base price was recorded.",
    "summary.base_range": (
        "Base prices ranged from {low} to {high} {punit} over the years; the comparison uses their average "
        "weighted by the volume traded in each year."
    ),
    "summary.surcharge": "Surcharges on use above plan brought in {amount} yuan.",
    "summary.no_surcharge": "No surcharges were charged.",
    "summary.reserve": "At the end of the run the reserve held {stock} {unit} and {cash} yuan in cash.",
    "summary.no_reserve": "The reserve took no actions.",
    "summary.use_cap": "In {year}, use was {use} {unit} against a cap of {cap} {unit} ({share} of the cap).",
    "summary.years_over_cap": "Use exceeded the cap in {over} of {years} years.",
    "summary.never_over_cap": "Use stayed within the cap in every year ({years} years).",
    "summary.no_use_cap": "No use or cap figures were recorded.",
    "summary.rejected": "{count} orders were rejected.",
    "summary.rejected_one": "{count} order was rejected.",
    "summary.no_rejected": "No orders were rejected.",
    "summary.product_id": "{name} [{id}]",
    "summary.series": "{name} — {text}",
    "summary.base_range_relations": (
        "Base prices of the trading relations ranged from {low} to {high} {punit}; the comparison uses their "
        "average weighted by the volume traded."
    ),
    "summary.term_note": "These prices are for the whole term of the deals, not for one year.",
    "summary.reserve_item": "{qty} {unit} of {product}",
    "summary.reserve_products": "At the end of the run the reserve held {stocks}, and {cash} yuan in cash.",
    "list.sep": ", ",
    "sentence.sep": " ",
    "qty.unit": "{qty} {unit}",
    # --- figures ---
    "fig.year": "Year",
    "fig.prices.title": "Trade prices",
    "fig.prices.y": "Price ({punit})",
    "fig.prices.trades": "Trades ({mechanism})",
    "fig.prices.mean": "Volume-weighted mean per year",
    "fig.prices.base": "Base price",
    "fig.prices.base_relation": "Base price {relation}",
    "fig.prices.relations_more": "{first} and {more} other relations",
    "fig.prices.caption": "Trade prices over time against the base price.",
    "fig.prices.title_series": "Trade prices: {name}",
    "fig.prices.y_rent": "Yearly rent ({punit})",
    "fig.prices.y_term": "Price for the whole term ({punit})",
    "fig.prices.trades_other": "Trades (other mechanisms)",
    "fig.prices.base_band": "Base prices of {n} relations ({low}–{high})",
    "fig.prices.caption_series": "Prices of {name} over time against the base prices of its trading relations.",
    "fig.prices.term_note": (
        "Term deals (rule W4) are priced per m³ of annual right for the whole multi-year term, so they are "
        "shown apart from the yearly water prices."
    ),
    "fig.prices.rent_note": "Leases are shown with their yearly rent, apart from sales.",
    "fig.volume.title_products": "Traded volume per year by product and mechanism",
    "fig.volume.caption_products": (
        "Traded volume per year of each product (each panel has its own scale and unit), split by trading "
        "mechanism."
    ),
    "fig.reserve.stock_of": "Stock: {product}",
    "fig.reserve.caption_products": (
        "Reserve stock of each product (upper panels) and the reserve's cash (lower panel) after each reserve "
        "action."
    ),
    "series.price": "{product}, sales",
    "series.rent": "{product}, leases",
    "series.term": "{product}, term deals",
    "fig.volume.title": "Traded volume per year by mechanism",
    "fig.volume.y": "Volume ({unit})",
    "fig.volume.caption": "Traded volume per year, split by trading mechanism.",
    "fig.surcharge.title": "Surcharge revenue by band",
    "fig.surcharge.y": "Revenue ({money})",
    "fig.surcharge.band": "Band {band}",
    "fig.surcharge.caption": "Surcharge revenue per year, stacked by surcharge band.",
    "fig.reserve.title": "Reserve stock and cash",
    "fig.reserve.stock": "Stock ({unit})",
    "fig.reserve.cash": "Cash ({money})",
    "fig.reserve.stock_product": "Stock {product} ({unit})",
    "fig.reserve.cash_product": "Cash {product} ({money})",
    "fig.reserve.caption": "Reserve stock (left axis) and cash (right axis) after each reserve action.",
    "fig.use.title": "Use against cap",
    "fig.use.y": "Volume ({unit})",
    "fig.use.use": "Use",
    "fig.use.cap": "Cap",
    "fig.use.planned": "Planned",
    "fig.use.over": "Use above cap",
    "fig.use.caption": "Use per year (bars) against the cap and the planned amount (lines).",
    "fig.font_note": (
        "Figure labels are in English because no font with Chinese characters is installed on this computer."
    ),
    "empty.trades": "No trades took place in this run, so there are no price or volume figures.",
    "empty.surcharge": "No surcharges were charged, so there is no surcharge figure.",
    "empty.reserve": "The reserve took no actions, so there is no reserve figure.",
    "empty.use": "No use or cap indicators were recorded, so there is no use figure.",
    # number scales for axes
    "scale.unit": "{scale} {unit}",
    "scale.3": "thousand",
    "scale.6": "million",
    "scale.9": "billion",
    "scale.4": "ten thousand",
    "scale.8": "hundred million",
    # --- tables ---
    "table.kpis": "Indicators per year",
    "table.kpis.note": "Where an indicator has several values in one year, the last one of the year is shown.",
    "table.kpis_product": "Indicators of {product}",
    "table.kpis_right": "Indicators of the right as a whole",
    "col.indicator": "Indicator",
    "col.product": "Product",
    "col.quantity_units": "Quantity",
    "table.buyers": "Top buyers (by quantity bought)",
    "table.sellers": "Top sellers (by quantity sold)",
    "table.charges": "Charges by kind and band",
    "table.surcharge_years": "Surcharge revenue by band and year (yuan)",
    "table.rejected": "Rejected orders by reason",
    "col.year": "Year",
    "col.rank": "Rank",
    "col.holder": "Account",
    "col.name": "Name",
    "col.group": "Group",
    "col.sector": "Sector",
    "col.trades": "Trades",
    "col.quantity": "Quantity ({unit})",
    "col.amount": "Amount (yuan)",
    "col.mean_price": "Mean price ({punit})",
    "col.kind": "Kind",
    "col.band": "Band",
    "col.count": "Count",
    "col.reason": "Reason",
    "col.share": "Share",
    "col.total": "Total",
    "col.metric_unit": "{metric} ({unit})",
    "band.none": "—",
    "band.n": "Band {band}",
    "empty.kpis": "No indicators were recorded.",
    "empty.holders": "No trades, so no buyers or sellers to list.",
    "empty.charges": "No charges were recorded.",
    "empty.rejected": "No orders were rejected.",
    # --- how to read ---
    "howto.intro": (
        "Each right in the run has its own section: a short summary, figures and tables. All numbers come "
        "from the tables in this run directory; nothing is estimated for the report."
    ),
    "howto.units": (
        "Units: quantities are shown in the unit people use for each product, converted from the base unit "
        "of the tables: emissions and carbon in tonnes (t = 1,000 kg), energy-use quota in tonnes of coal "
        "equivalent (tce = 1,000 kgce), forest areas in mu (1 mu = 100 × 0.01 mu), farmland (management, "
        "contract, wasteland, farmland quota) in mu (1 mu = 10,000/15 m² ≈ 666.7 m²); water stays in m³, "
        "construction land and homesteads in m². Prices are in yuan per shown unit, so an emission price of "
        "2.00 yuan/kg reads 2,000 yuan/t. Money is in yuan; totals and mean prices are computed exactly from "
        "the money in fen (0.01 yuan) and the quantities in base units, and only then shown in yuan, so they "
        "agree to the fen with the accounts. Years are calendar years; a year of the simulation has 365 days."
    ),
    "howto.scales": (
        "Large numbers on figure axes are shown in thousands, millions or billions; the axis title says "
        "which. Tables always show full numbers."
    ),
    "howto.prices": (
        "Trade prices: one chart per product (and, where a product is both sold and leased, one for sales and "
        "one for leases), each with its own price axis. Each dot is one trade (colour = trading mechanism), "
        "placed at the day it happened. The thick line is the volume-weighted mean price of each year (large "
        "trades count more). Dashed step lines are the base prices of the product's trading relations; where "
        "a product has many relations with different base prices, the shaded band shows the range from the "
        "lowest to the highest. Leases are shown with their yearly rent; multi-year water term deals (W4) "
        "with their price for the whole term. Dots far above the base price mean scarce rights; dots far "
        "below mean a surplus."
    ),
    "howto.volume": (
        "Traded volume: the height of each bar is the quantity that changed hands in the year; the coloured "
        "parts show how much went through each mechanism (continuous trading, call auction, negotiation, "
        "reserve, ...). A right with several products has one panel per product, each with its own scale and "
        "unit."
    ),
    "howto.surcharge": (
        "Surcharge revenue: money paid for use above plan or quota, per year. Band 1 is the first band "
        "above plan (lowest surcharge rate), higher bands are charged at higher rates. A tall band 3 means "
        "much use far above plan."
    ),
    "howto.reserve": (
        "Reserve: the solid lines are the quantities the government reserve holds, the dashed line its cash in "
        "yuan (one cash account for all products of a right). The reserve buys when prices are low (stock "
        "up, cash down) and sells or releases when prices are high or rights are short (stock down, cash up)."
    ),
    "howto.use": (
        "Use against cap: bars are the actual use of each year, the solid line the total cap, the dotted "
        "line the planned use. Red bars are years in which use exceeded the cap."
    ),
    "howto.kpis": (
        "Indicators per year: the unit of each indicator is in brackets. Up to eight indicators are shown as "
        "columns with one row per year; more are shown as rows with one column per year. Indicators kept per "
        "product (such as each pollutant's) are in a table of their own. Shares (unit 1) are fractions: 0.95 "
        "means 95 %."
    ),
    "howto.holders": (
        "Top buyers and sellers: accounts ranked by quantity traded, one table per product when a right has "
        "several. Accounts with a negative number are institutions (the reserve, the government, the fiscal "
        "account, the water supplier, collectives, the rest of the economy), not holders."
    ),
    "howto.charges": (
        "Charges: every tariff, surcharge, use fee, proceeds share, penalty, tax and fee, added up by kind "
        "and band. Band “—” means the charge has no band."
    ),
    "howto.rejected": (
        "Rejected orders: orders the market refused, counted by reason (price below the floor, holding "
        "limit exceeded, not eligible, not enough rights, ...)."
    ),
    # --- codes: rights ---
    "right.water": "Water rights",
    "right.emission": "Emission rights",
    "right.land": "Land rights",
    "right.forest": "Mountain-forest rights",
    "right.links": "Cross-right links (pledges and projects)",
    "right.teaching": "Teaching market",
    # --- codes: mechanisms ---
    "mech.cda": "Continuous trading",
    "mech.call": "Call auction",
    "mech.negotiation": "Negotiated transfer",
    "mech.reserve": "Reserve",
    "mech.listing": "Listing",
    "mech.auction": "Auction",
    "mech.tender": "Tender",
    "mech.directed": "Directed transfer",
    # --- codes: charge kinds ---
    "kind.tariff": "Tariff (within quota, block price)",
    "kind.surcharge": "Surcharge (above plan)",
    "kind.use_fee": "Use fee",
    "kind.proceeds_share": "Proceeds share",
    "kind.penalty": "Penalty",
    "kind.tax": "Tax",
    "kind.fee": "Fee",
    "kind.rent": "Rent",
    "kind.dividend": "Dividend on land put in as shares",
    "kind.compensation": "Compensation for converted farmland",
    "kind.restoration_cost": "Restoration cost (wasteland)",
    "kind.adjustment_fee": "Land value-added adjustment fee",
    "kind.grade_surcharge": "Surcharge for a low per-mu efficiency grade",
    "kind.grade_rebate": "Rebate for a high per-mu efficiency grade",
    "kind.idle_fee": "Idle-land fee",
    "kind.land_price_difference": "Land price difference (change of use)",
    "kind.loan": "Loan granted on pledged rights",
    "kind.interest": "Loan interest",
    "kind.loan_repayment": "Loan repayment (principal)",
    "kind.repayment": "Loan repayment (principal)",  # the old name of loan_repayment (runs written before)
    "kind.notice": "Notice to complete a purchase (no money)",
    "kind.budget": "Forest farm budget (from the fiscal account)",
    "kind.planting_budget": "Afforestation budget (from the fiscal account)",
    "kind.planting": "Planting cost",
    "kind.maintenance": "Maintenance spending",
    "kind.concession": "Concession fee",
    "kind.lease": "Under-forest lease",
    "kind.income": "Under-forest income",
    "kind.insurance": "Forest insurance premium",
    "kind.insurance_claim": "Forest insurance payout",
    "kind.capital": "Project capital for rights",
    "kind.abatement": "Abatement cost",
    # --- codes: rejection reasons ---
    "reason.below_floor": "Price below the floor",
    "reason.over_holding_limit": "Holding limit exceeded",
    "reason.not_eligible": "Not eligible",
    "reason.insufficient_rights": "Not enough rights",
    "reason.off_platform": "Off the platform",
    "reason.non_positive": "Quantity or price not positive",
    "reason.protected_use": "Protected use (may not be sold)",
    "reason.above_ceiling": "Price above the ceiling",
    "reason.invalid_side": "Neither a buy nor a sell order",
    "reason.duplicate_id": "Duplicate order number",
    "reason.already_registered": "Already registered for the listing",
    "reason.listing_not_open": "Listing not open yet",
    "reason.listing_closed": "Listing closed",
    "reason.below_start": "Bid below the start price",
    "reason.below_increment": "Raise below the minimum increment",
    "reason.already_leading": "Already the highest bidder",
    "reason.not_registered": "Not registered for the listing",
    "reason.round_closed": "Bidding round closed",
    "reason.not_bidding": "No bidding round open",
    "reason.no_bidder": "Unsold: nobody registered",
    "reason.no_bid": "Unsold: no bid",
    "reason.reserve_not_met": "Unsold: reserve price not reached",
    "reason.no_valid_bid": "Unsold: no valid tender",
    "reason.duplicate_bid": "Second bid in the same tender",
    "reason.late": "Tender after the deadline",
    "reason.invalid_score": "Invalid tender score",
    "reason.outside_bounds": "Price outside the agreed range",
    "reason.not_designated": "Not the designated buyer",
    "reason.no_agreement": "No price agreed",
    "reason.not_improving": "Bid or ask does not improve the best price",
    "reason.self_trade": "Would trade with itself",
    "reason.pledged": "Rights pledged as collateral",
    "reason.basic_farmland": "Permanent basic farmland (never converted)",
    "reason.farmland_loss": "No quota to balance the farmland lost",
    "reason.no_planning_quota": "Village construction quota used up",
    "reason.no_township_quota": "Township construction quota used up",
    "reason.reserve_budget": "Land reserve cannot pay",
    "reason.term_exceeds_contract": "Term longer than the contract",
    "reason.vote_failed": "Not approved by two thirds of the members' representatives",
    "reason.grade_excluded": "Firm's per-mu efficiency grade excluded",
    "reason.below_standard": "Fails the conditions of standard land",
    "reason.supporting_land_over_cap": "Supporting construction land above the cap",
    "reason.idle_not_transferable": "Idle land not transferable",
    "reason.idle_fee_unpaid": "Idle-land fee not paid",
    "reason.investment_below_threshold": "Too little investment made, no pre-registration",
    "reason.no_buyer": "No buyer",
    "reason.not_disposed": "Zombie firm's land not disposed of",
    "reason.market_closed": "Market closed",
    "reason.not_whole_lots": "Not a whole number of lots",
    "reason.off_tick": "Price not on the price step",
    "reason.too_many_orders": "Too many open orders",
    "reason.insufficient_cash": "Not enough cash",
    # --- codes: institutions (negative account ids) ---
    "inst.-1": "Reserve",
    "inst.-2": "Government (issuer)",
    "inst.-3": "Fiscal account",
    "inst.-4": "Water supplier",
    "inst.-5": "Collectives",
    "inst.-6": "Rest of the economy",
    "inst.-7": "Rights used up",
    "inst.-8": "Issuer (new and expired rights)",
    "inst.-9": "Emission reserve",
    "inst.-10": "Land reserve",
    "inst.-11": "Forest reserve",
    "inst.group": "Institution",
    # --- codes: sectors ---
    "sector.agriculture": "Agriculture",
    "sector.industry": "Industry",
    "sector.domestic": "Domestic",
    "sector.ecology": "Ecology",
    "sector.services": "Services",
    "sector.thermal_power": "Thermal power",
    "sector.reserve": "Reserve",
    "sector.forestry": "Forestry",
    "sector.state_forest_farm": "State forest farm",
    "sector.forest_farm": "Forest farm",
    "sector.household": "Households",
    "sector.operator": "Operators",
    "sector.firm": "Firms",
    "sector.afforestation": "Afforestation lots",
    "sector.government": "Government",
    "sector.collective": "Collective",
    # --- land trading relations (rights/land*.py): "[lease:<n>y ]<mode words> <seller>-><buyer>[ (<note>)]"
    #     with ";flag=low|high" of rule L16; read by Labels.relation
    "relation.with_mode": "{mode}: {parties}",
    "relation.parties": "{seller} → {buyer}",
    "relation.lease": "{years}-year lease",
    "relation.list_sep": ", ",
    "relation.word_sep": " ",
    "relation.note": "{relation} ({note})",
    "relation.flagged": "{relation} (price flagged {flag})",
    "relation.flag.low": "low",
    "relation.flag.high": "high",
    "relation.word.primary": "primary",
    "relation.word.secondary": "secondary",
    "relation.word.sale": "sale",
    "relation.word.flexible_term": "flexible-term sale",
    "relation.word.long_lease": "long lease",
    "relation.word.lease_then_sell": "lease then sell",
    "relation.word.mixed": "mixed-use",
    "relation.word.standard": "standard plot",
    "relation.word.share-holding": "share-holding",
    "relation.word.subcontract": "subcontract",
    "relation.word.idle": "idle",
    "relation.word.homestead": "homestead",
    "relation.word.zombie": "zombie firm",
    "relation.word.buyback": "buyback",
    "relation.word.split": "split",
    "relation.word.preemption": "pre-emption",
    "relation.word.normal": "normal",
    "relation.word.pre_registration": "pre-registration",
    "relation.word.voluntary": "voluntary",
    "relation.word.redevelopment": "redevelopment",
    "relation.word.saved": "saved",
    "relation.word.land": "land",
    "relation.party.member": "Village member",
    "relation.party.cooperative": "Cooperative",
    "relation.party.family_farm": "Family farm",
    "relation.party.lessee": "Lessee",
    "relation.party.tenant": "Tenant",
    "relation.party.restorer": "Restorers",
    "relation.party.other districts": "Other districts",
    "relation.note.first refusal": "first refusal",
    "relation.note.vote passed": "vote passed",
    "relation.note.L6": "rule L6",
    # --- codes: units ---
    "unit.m3": "m³",
    "unit.m2": "m²",
    "unit.kg": "kg",
    "unit.t": "t",
    "unit.mu": "mu",
    "unit.tce": "tce",
    "unit.kgce": "kgce",
    "unit.0.01mu": "0.01 mu",
    "unit.per_year": "{punit} per year",
    "unit.yuan": "yuan",
    "unit.1": "",
    "unit.%": "%",
    "unit.yr": "year",
    "unit.10k yuan": "10,000 yuan",
    "unit.unit": "unit",
    "unit.base units": "base units",
    # --- codes: KPI metrics ---
    "metric.cap": "Cap",
    "metric.confirmed": "Confirmed rights",
    "metric.deliverable_share": "Deliverable share",
    "metric.planned": "Planned use",
    "metric.use": "Use",
    "metric.use_over_cap": "Use / cap",
    "metric.traded_volume": "Traded volume",
    "metric.trade_count": "Trades",
    "metric.mean_price": "Mean price",
    "metric.base_price": "Base price",
    "metric.surcharge_revenue": "Surcharge revenue",
    "metric.tariff_revenue": "Tariff revenue",
    "metric.reserve_stock": "Reserve stock",
    "metric.reserve_cash": "Reserve cash",
    "metric.unmet_need": "Unmet need",
    "metric.rejected_orders": "Rejected orders",
    "metric.efficiency": "Efficiency",
    "metric.surcharge_revenue_band": "Surcharge revenue band {band}",
    "metric.dry_year": "Dry year (1 = yes)",
    "metric.reserve_rights": "Reserve rights",
    "metric.rights": "Rights held",
    "metric.paid": "Paid-for rights",
    "metric.unpaid": "Rights not yet paid for",
    "metric.unabated": "Emissions before abatement",
    "metric.abatement": "Abatement",
    "metric.emissions": "Emissions",
    "metric.abatement_cost": "Abatement cost",
    "metric.excess": "Emissions above rights",
    "metric.violators": "Units emitting above their rights",
    "metric.penalty_revenue": "Penalty revenue",
    "metric.floor_rejections": "Orders rejected below the floor price",
    "metric.floor_trade_share": "Share of trades at the floor price",
    "metric.use_fee_revenue": "Use fee revenue",
    "metric.back_payment_revenue": "Back-payment revenue",
    "metric.pledged": "Pledged rights",
    "metric.leased": "Leased rights",
    "metric.notices": "Units given notice",
    "metric.allocated": "Allocated",
    "metric.surrendered": "Surrendered",
    "metric.shortfall": "Shortfall",
    "metric.compliance_rate": "Compliance rate",
    "metric.active_units": "Active emitting units",
    "metric.closures": "Closures",
    "metric.fiscal_balance": "Fiscal account balance",
    "metric.leases": "Leases",
    "metric.mortgage_credit": "Mortgage credit granted",
    "metric.mortgage_loans": "Mortgage loans",
    "metric.not_eligible_rejections": "Orders rejected: not eligible",
    "metric.off_platform_rejections": "Orders rejected: off the platform",
    "metric.pledged_rejections": "Orders rejected: rights pledged",
    "metric.renewed": "Rights renewed (1 = yes)",
    "metric.reserve_balance_gap": "Reserve balance gap",
    "metric.reserve_budget": "Reserve budget",
    "metric.reserve_income": "Reserve income",
    "metric.reserve_spending": "Reserve spending",
    "metric.carbon_allocated": "Carbon allowances allocated",
    "metric.carbon_emissions": "CO2 emissions of key emitters",
    "metric.carbon_surrendered": "Carbon allowances surrendered",
    "metric.carbon_shortfall": "Carbon emissions not covered",
    "metric.carbon_compliance_rate": "Carbon compliance rate",
    "metric.carbon_abatement_cost": "Carbon abatement cost",
    "metric.carbon_traded_volume": "Carbon allowances traded",
    "metric.carbon_mean_price": "Carbon allowances: mean price",
    "metric.farmland_area": "Farmland",
    "metric.farmland_area_mu": "Farmland",
    "metric.basic_farmland_area": "Permanent basic farmland",
    "metric.farmland_balance": "Farmland gained since the start",
    "metric.farmland_balance_mu": "Farmland gained since the start",
    "metric.construction_area": "Construction land",
    "metric.gdp": "District GDP",
    "metric.construction_land_per_gdp": "Construction land per 10,000 yuan of GDP",
    "metric.construction_land_per_gdp_change": "Construction land per GDP: change since the start",
    "metric.construction_land_per_gdp_target": "Construction land per GDP: target change",
    "metric.construction_land_per_gdp_target_met": "Construction land per GDP: target met (1 = yes)",
    "metric.trades": "Trades",  # land; trade_count in runs written after its rename
    "metric.traded_m2": "Area traded",
    "metric.first_refusal_exercised": "Right of first refusal exercised by a member",
    "metric.first_refusal_declined": "Right of first refusal declined (left to an outsider)",
    "metric.circulated_m2": "Farmland management rights circulated",
    "metric.homestead_leases": "Idle homesteads leased",
    "metric.collective_sold": "Collective construction land sold",
    "metric.votes_failed": "Proposals refused by the members' vote",
    "metric.conversions_requested": "Farmland conversion requests",
    "metric.conversions_accepted": "Farmland conversions approved",
    "metric.quota_created": "New cultivated-land quota created (m²)",
    "metric.quota_retired": "Cultivated-land quota retired for conversions (m²)",
    "metric.quota_traded": "New cultivated-land quota traded (m²)",
    "metric.restorations_started": "Mining wasteland restorations started",
    "metric.restored_farmland_m2": "Wasteland restored to farmland",
    "metric.restored_construction_m2": "Wasteland restored to construction land",
    "metric.wasteland_contracts": "Unused state wasteland contracted out",
    "metric.lots_offered": "Primary market lots offered",
    "metric.lots_sold": "Primary market lots sold",
    "metric.lots_unsold": "Primary market lots unsold",
    "metric.mixed_lots": "Lots with supporting commercial land",
    "metric.supplied_m2": "Area supplied (primary market)",
    "metric.flags_low": "Prices below the monitoring band",
    "metric.flags_high": "Prices above the monitoring band",
    "metric.preemptions": "Government preemptions",
    "metric.idle_parcels_new": "Parcels newly idle",
    "metric.idle_recovered_m2": "Idle land recovered",
    "metric.prereg_transfers": "Transfers by pre-registration",
    "metric.prereg_registered": "Pre-registered transfers completed",
    "metric.splits": "Parcels split for sale",
    "metric.transitions_started": "New-industry transitions started",
    "metric.lease_then_sell_declined": "Tenants who did not buy after the lease",
    "metric.zombies_disposed": "Zombie firms disposed of",
    "metric.redevelopments": "Low-efficiency land redeveloped",
    "metric.external_transfer_m2": "Land rights moved by pledges and projects",
    "metric.rejected": "Requests and orders rejected",
    "metric.rent_paid": "Rent and dividends paid",
    "metric.idle_fee_revenue": "Idle-land fee revenue",
    "metric.price_to_benchmark": "Trade price / benchmark price",
    "metric.grade_A": "Firms of per-mu efficiency grade A",
    "metric.grade_B": "Firms of per-mu efficiency grade B",
    "metric.grade_C": "Firms of per-mu efficiency grade C",
    "metric.grade_D": "Firms of per-mu efficiency grade D",
    "metric.grade_new": "Firms not graded yet",
    "metric.idle_area": "Idle state construction land",
    "metric.reserve_quota": "Quota held by the reserve",
    "metric.benchmark_industrial": "Benchmark price of industrial land",
    "metric.managed_area": "Area managed by the forest farm",
    "metric.managed_area_target": "Area managed by the forest farm: target",
    "metric.growing_stock": "Growing stock of the forest farm",
    "metric.growing_stock_target": "Growing stock of the forest farm: target",
    "metric.growing_stock_total": "Growing stock of all parcels",
    "metric.growth_rate": "Growth rate of the growing stock",
    "metric.forest_area": "Forest area",
    "metric.forest_cover": "Forest cover",
    "metric.forest_cover_target": "Forest cover target",
    "metric.forest_cover_gap": "Forest cover: gap to the target",
    "metric.maintenance_budget": "Maintenance budget",
    "metric.maintenance_need": "Maintenance need",
    "metric.maintenance_spent": "Maintenance spending",
    "metric.maintenance_gap": "Maintenance gap (need − budget)",
    "metric.maintenance_unfunded": "Maintenance gap left after own revenue",
    "metric.own_revenue": "Own revenue (concessions, under-forest leases)",
    "metric.investment_margin": "Afforestation investment beyond planting cost",
    "metric.planted_area": "Area planted",
    "metric.survived_area": "Planted area survived",
    "metric.incorporated_area": "Area taken into the forest farm",
    "metric.plantable_area": "Land left to plant",
    "metric.transfers": "Management-right transfers",  # forest; trade_count in runs written after its rename
    "metric.transferred_area": "Management rights transferred",
    "metric.registrations": "Management rights registered",
    "metric.registered_area": "Management rights on the register",
    "metric.pledges": "New forest-right mortgages",
    "metric.pledged_area": "Forest rights pledged",
    "metric.loans_outstanding": "Loans outstanding",
    "metric.defaults": "Loans defaulted",
    "metric.insurance_losses": "Insured parcels hit by losses",
    "metric.energy_quota_issued": "Energy-use quota issued",
    "metric.energy_quota_used": "Energy-use quota used by firms",
    "metric.energy_unmet": "Energy need not covered by quota",
    "metric.energy_quota_cost": "Investment per t of standard coal of quota",
    "metric.construction_quota_issued": "Construction-land quota issued (land for forest)",
    "metric.ecological_value": "Ecological value",
    "metric.ecological_value_water_conservation": "Ecological value: water conservation",
    "metric.ecological_value_soil_retention": "Ecological value: soil retention",
    "metric.ecological_value_carbon_oxygen": "Ecological value: carbon fixation and oxygen release",
    "metric.ecological_value_purification": "Ecological value: purification",
    "metric.ecological_value_windbreak_sand": "Ecological value: windbreak and sand fixation",
    "metric.economic_value": "Economic value",
    "metric.social_value": "Social value",
    "metric.timber_value": "Value of the growing stock",
    "metric.reserve_area": "Management rights held by the reserve",
    "metric.projects_started": "Projects started so far",
    "metric.projects_blocked": "Projects waiting for a right",
    "metric.surplus": "Realised surplus",
    "metric.shouts": "Bids and asks made",
    "metric.smith_alpha": "Smith's α (price spread around equilibrium)",
    "metric.profit_dispersion": "Profit dispersion",
    "metric.p0": "Equilibrium price P0",
    "metric.q0": "Equilibrium quantity Q0",
    "metric.realised_gains": "Gains from trade realised",
    "metric.max_gains": "Maximum gains from trade",
    "metric.total_surplus": "Total surplus of the active seats",
    "metric.equilibrium_quantity": "Equilibrium quantity",
    "metric.equilibrium_price_low": "Equilibrium price: low end",
    "metric.equilibrium_price_high": "Equilibrium price: high end",
    # --- codes: products ---
    "product.water.annual": "Annual water (this year's use)",
    "product.water.right": "Water use rights (multi-year)",
    "product.emission.NOx": "NOx (nitrogen oxides)",
    "product.emission.SO2": "SO2 (sulphur dioxide)",
    "product.emission.COD": "COD (chemical oxygen demand)",
    "product.emission.NH3-N": "NH3-N (ammonia nitrogen)",
    "product.emission.carbon": "Carbon emission allowances",
    "product.land.management": "Farmland management rights",
    "product.land.contract": "Farmland contract rights",
    "product.land.homestead": "Homestead use rights",
    "product.land.wasteland": "Wasteland contracts",
    "product.land.farmland_quota": "Farmland balance quota",
    "product.land.collective_construction": "Collective construction land",
    "product.land.state_construction": "State construction land",
    "product.land.construction_quota": "Construction land quota",
    "product.forest.management": "Forest management rights",
    "product.forest.contract": "Forest contract rights",
    "product.forest.ownership": "Forest ownership",
    "product.forest.management.pledged": "Pledged forest management rights",
    "product.forest.energy_quota": "Energy-use quota",
    "product.teaching.unit": "Teaching-market units",
    "pollutant.NOx": "NOx",
    "pollutant.SO2": "SO2",
    "pollutant.COD": "COD",
    "pollutant.NH3-N": "NH3-N",
    "pollutant.VOCs": "VOCs",
    "action.budget": "Budget received",
    "action.buy": "Bought into the reserve",
    "action.sell": "Sold",
    "action.release": "Released",
    "action.reclaim": "Reclaimed free",
    "action.expire": "Expired",
    "action.issue": "New quota issued",
    "action.retire": "Quota retired (farmland balance)",
    "event.confirm": "Rights confirmed",
    "event.afforest": "New parcel from afforestation",
    "event.incorporate": "Taken into the forest farm",
    "event.transfer": "Transfer",
    "event.register": "Management right registered",
    "event.revert": "Term ended, right returned",
    "event.pledge": "Pledged for a loan",
    "event.release": "Pledge released (loan repaid)",
    "event.forfeit": "Collateral forfeited (loan defaulted)",
    "event.collateral_lost": "Collateral no longer held",
    "event.issue": "Quota issued",
    "event.project_start": "Project started",
    "pattern.metric_pollutant": "{metric} ({pollutant})",
    "pattern.metric_mechanism": "{metric}: {mechanism}",
    "pattern.metric_pledged": "Pledged as collateral: {product}",
    "pattern.product_pledged": "{product}, pledged",
    "pattern.product_pollutant": "Emission rights: {pollutant}",
    # --- comparisons and studies (rights_market.compare) ---
    "cmp.title": "Comparison of scenarios",
    "cmp.title_study": "Results of a study: {name}",
    "cmp.generated_by": "Written by rights-market {version} from the run directories named in the table of variants.",
    "cmp.section.variants": "Baseline and variants",
    "cmp.section.changes": "What differs from the baseline",
    "cmp.section.how_to_read": "How to read this comparison",
    "cmp.baseline": "{label} (baseline)",
    "cmp.col.variant": "Variant",
    "cmp.col.source": "Source",
    "cmp.col.scenario": "Scenario",
    "cmp.col.hash": "Scenario hash",
    "cmp.col.runs": "Runs",
    "cmp.col.seeds": "Seeds",
    "cmp.col.metric": "Indicator",
    "cmp.col.unit": "Unit",
    "cmp.col.change": "Δ {label}",
    "cmp.col.right": "Right",
    "cmp.col.year": "Year",
    "cmp.col.median": "Median",
    "cmp.col.low": "5 %",
    "cmp.col.high": "95 %",
    "cmp.col.replication": "Replication",
    "cmp.col.seed": "Seed",
    "cmp.col.mean": "Mean over the years",
    "cmp.col.last": "Last year",
    "cmp.col.path": "Setting",
    "cmp.col.base_value": "Value in the baseline",
    "cmp.col.value": "Value in the variant",
    "cmp.changes.none": "{label}: the same scenario as the baseline.",
    "cmp.changes.head": "{label}:",
    "cmp.changes.item": "{path}: {base} → {value}",
    "cmp.changes.more": "… and {more} more differences (all of them in the workbook).",
    "cmp.table.kpis": "Indicators of the variants",
    "cmp.table.note": (
        "Each cell is the median over the runs of a variant of each run's mean over its years; with several "
        "runs the range of the middle 90 % of the runs (5 % to 95 %) follows in brackets. Δ is the change of "
        "the median against the baseline."
    ),
    "cmp.empty.kpis": "No indicators were recorded for this right.",
    "cmp.fig.caption": "{metric} per year: the median of the runs of each variant (line) and, with several runs, the middle 90 % of the runs (band).",
    "cmp.fig.band": "{label}: 5–95 %",
    "cmp.fig.more": "The figures show the first {shown} of {total} variants; the tables and the workbook show them all.",
    "cmp.howto.intro": (
        "Each variant is a scenario run one or more times with different random seeds (replications). The "
        "baseline is the first variant; every other one is compared with it."
    ),
    "cmp.howto.seeds": (
        "Variants run here use the same seeds, replication by replication (common random numbers), so the "
        "differences between them come from their settings, not from chance."
    ),
    "cmp.howto.median": (
        "Median: half of the runs of a variant lie above it, half below. The band (5 % to 95 %) holds the "
        "middle 90 % of the runs: the wider it is, the more the outcome depends on chance (weather, who "
        "trades when)."
    ),
    "cmp.howto.change": (
        "Δ: the median of a variant against the median of the baseline, in per cent. Shares (unit 1) are "
        "fractions: 0.95 means 95 %."
    ),
    "cmp.sheet.variants": "Variants",
    "cmp.sheet.changes": "Differences",
    "cmp.sheet.kpis": "{right} indicators",
    "cmp.sheet.yearly": "Per year",
    "cmp.sheet.runs": "Runs",
    "xlsx.charges_by_holder": "Charges by holder",
}

_ZH: dict[str, str] = {
    # --- document ---
    "report.title": "四权交易市场仿真报告",
    "report.generated_by": "本报告由 rights-market {version} 根据本运行目录中的数据表生成。",
    "header.scenario": "情景",
    "header.seed": "随机种子",
    "header.version": "软件版本",
    "header.hash": "情景哈希",
    "header.wall": "运行用时",
    "header.seconds": "{seconds} 秒",
    "header.unknown": "未知",
    "header.sep": "：",
    "header.rights": "本次运行涉及的权利",
    "section.summary": "概要",
    "section.right": "{right}",
    "section.figures": "图表",
    "section.tables": "数据表",
    "section.how_to_read": "阅读说明",
    "run.empty": "本次运行没有任何权利的交易、收费、收储操作或指标记录。",
    # --- summary sentences ---
    "summary.products": "交易品种：{products}。",
    "summary.trades": "共成交 {count} 笔，交易量合计 {volume} {unit}。",
    "summary.trades_one": "共成交 {count} 笔，交易量 {volume} {unit}。",
    "summary.no_trades": "本次运行没有发生交易。",
    "summary.price_above": "按交易量加权的平均成交价为 {price} {punit}，比基准价 {base} {punit} 高 {pct}。",
    "summary.price_below": "按交易量加权的平均成交价为 {price} {punit}，比基准价 {base} {punit} 低 {pct}。",
    "summary.price_equal": "按交易量加权的平均成交价为 {price} {punit}，与基准价持平。",
    "summary.price_no_base": "按交易量加权的平均成交价为 {price} {punit}；未记录基准价。",
    "summary.base_range": "各年基准价在 {low} 至 {high} {punit} 之间；比较时采用按各年交易量加权的平均基准价。",
    "summary.surcharge": "超计划（超定额）累进加价收入合计 {amount} 元。",
    "summary.no_surcharge": "未收取累进加价费用。",
    "summary.reserve": "运行结束时，收储机构持有 {stock} {unit}，资金余额 {cash} 元。",
    "summary.no_reserve": "收储机构没有进行任何操作。",
    "summary.use_cap": "{year} 年实际使用量为 {use} {unit}，总量控制指标为 {cap} {unit}（占指标的 {share}）。",
    "summary.years_over_cap": "在 {years} 年中有 {over} 年使用量超过总量控制指标。",
    "summary.never_over_cap": "各年（共 {years} 年）使用量均未超过总量控制指标。",
    "summary.no_use_cap": "未记录使用量或总量控制指标。",
    "summary.rejected": "共有 {count} 笔委托被拒绝。",
    "summary.rejected_one": "有 {count} 笔委托被拒绝。",
    "summary.no_rejected": "没有委托被拒绝。",
    "summary.product_id": "{name} [{id}]",
    "summary.series": "{name} — {text}",
    "summary.base_range_relations": "各交易关系的基准价在 {low} 至 {high} {punit} 之间；比较时采用按交易量加权的平均基准价。",
    "summary.term_note": "这些价格是整个交易期限的价格，而非一年的价格。",
    "summary.reserve_item": "{product} {qty} {unit}",
    "summary.reserve_products": "运行结束时，收储机构持有{stocks}，资金余额 {cash} 元。",
    "list.sep": "、",
    "sentence.sep": "",
    "qty.unit": "{qty} {unit}",
    # --- figures ---
    "fig.year": "年份",
    "fig.prices.title": "成交价格",
    "fig.prices.y": "价格（{punit}）",
    "fig.prices.trades": "成交（{mechanism}）",
    "fig.prices.mean": "年度交易量加权平均价",
    "fig.prices.base": "基准价",
    "fig.prices.base_relation": "基准价 {relation}",
    "fig.prices.relations_more": "{first} 及其他 {more} 个交易关系",
    "fig.prices.caption": "成交价格随时间的变化及基准价。",
    "fig.prices.title_series": "成交价格：{name}",
    "fig.prices.y_rent": "年租金（{punit}）",
    "fig.prices.y_term": "整个期限的价格（{punit}）",
    "fig.prices.trades_other": "成交（其他交易方式）",
    "fig.prices.base_band": "{n} 个交易关系的基准价（{low}–{high}）",
    "fig.prices.caption_series": "{name}的成交价格随时间的变化及其各交易关系的基准价。",
    "fig.prices.term_note": "多年期交易（规则 W4）的价格按每立方米年度水权、整个期限计算，因此与年度水价分开显示。",
    "fig.prices.rent_note": "出租（流转）按年租金显示，与出让分开。",
    "fig.volume.title_products": "各年交易量（按品种和交易方式）",
    "fig.volume.caption_products": "各品种每年的交易量（每个分图有各自的刻度和单位），按交易方式分列。",
    "fig.reserve.stock_of": "库存：{product}",
    "fig.reserve.caption_products": "每次收储操作后各品种的库存（上方分图）与收储机构的资金（下方分图）。",
    "series.price": "{product}·出让",
    "series.rent": "{product}·出租",
    "series.term": "{product}·多年期交易",
    "fig.volume.title": "各年交易量（按交易方式）",
    "fig.volume.y": "交易量（{unit}）",
    "fig.volume.caption": "各年交易量，按交易方式分列。",
    "fig.surcharge.title": "各档累进加价收入",
    "fig.surcharge.y": "收入（{money}）",
    "fig.surcharge.band": "第 {band} 档",
    "fig.surcharge.caption": "各年累进加价收入，按加价档次堆叠。",
    "fig.reserve.title": "收储库存与资金",
    "fig.reserve.stock": "库存（{unit}）",
    "fig.reserve.cash": "资金（{money}）",
    "fig.reserve.stock_product": "库存 {product}（{unit}）",
    "fig.reserve.cash_product": "资金 {product}（{money}）",
    "fig.reserve.caption": "每次收储操作后的库存（左轴）与资金（右轴）。",
    "fig.use.title": "使用量与总量控制指标",
    "fig.use.y": "数量（{unit}）",
    "fig.use.use": "实际使用量",
    "fig.use.cap": "总量控制指标",
    "fig.use.planned": "计划使用量",
    "fig.use.over": "超过指标的使用量",
    "fig.use.caption": "各年实际使用量（柱）与总量控制指标、计划使用量（线）。",
    "fig.font_note": "本机未安装中文字体，图中标注暂用英文。",
    "empty.trades": "本次运行没有发生交易，因此没有价格图和交易量图。",
    "empty.surcharge": "未收取累进加价费用，因此没有累进加价图。",
    "empty.reserve": "收储机构没有进行任何操作，因此没有收储图。",
    "empty.use": "未记录使用量或总量控制指标，因此没有使用量图。",
    # number scales for axes
    "scale.unit": "{scale}{unit}",
    "scale.3": "千",
    "scale.6": "百万",
    "scale.9": "十亿",
    "scale.4": "万",
    "scale.8": "亿",
    # --- tables ---
    "table.kpis": "年度指标",
    "table.kpis.note": "同一年内某项指标有多个数值时，显示该年最后一个数值。",
    "table.kpis_product": "{product}：年度指标",
    "table.kpis_right": "本权利总体指标",
    "col.indicator": "指标",
    "col.product": "品种",
    "col.quantity_units": "数量",
    "table.buyers": "主要买方（按买入量）",
    "table.sellers": "主要卖方（按卖出量）",
    "table.charges": "按类别和档次汇总的收费",
    "table.surcharge_years": "各年各档累进加价收入（元）",
    "table.rejected": "被拒绝委托（按原因）",
    "col.year": "年份",
    "col.rank": "排名",
    "col.holder": "账户",
    "col.name": "名称",
    "col.group": "群体",
    "col.sector": "行业",
    "col.trades": "成交笔数",
    "col.quantity": "数量（{unit}）",
    "col.amount": "金额（元）",
    "col.mean_price": "平均价格（{punit}）",
    "col.kind": "类别",
    "col.band": "档次",
    "col.count": "笔数",
    "col.reason": "原因",
    "col.share": "占比",
    "col.total": "合计",
    "col.metric_unit": "{metric}（{unit}）",
    "band.none": "—",
    "band.n": "第 {band} 档",
    "empty.kpis": "未记录指标。",
    "empty.holders": "没有交易，因此没有买方或卖方。",
    "empty.charges": "没有收费记录。",
    "empty.rejected": "没有委托被拒绝。",
    # --- how to read ---
    "howto.intro": "本次运行中的每一种权利各占一节，包括概要、图和数据表。所有数字均来自本运行目录中的数据表，报告未作任何估算。",
    "howto.units": (
        "单位：数量按各品种的常用单位显示，由数据表中的基本单位换算而来：排污权和碳排放配额以吨计（1 吨 = 1,000 千克），"
        "能耗指标以吨标准煤计（1 吨标准煤 = 1,000 千克标准煤），林地面积以亩计（1 亩 = 100 × 0.01 亩），耕地（经营权、承包权、"
        "未利用地、占补平衡指标）以亩计（1 亩 = 10,000/15 平方米 ≈ 666.7 平方米）；水以立方米计，建设用地和宅基地以平方米计。"
        "价格以元/显示单位计，例如排污权 2.00 元/千克即 2,000 元/吨。金额以元计；合计和平均价格先以分（0.01 元）和基本单位"
        "精确计算，再换算为元显示，因此与账户金额分毫不差。年份为公历年，仿真中每年按 365 天计。"
    ),
    "howto.scales": (
        "图中坐标轴上的大数按数量级缩写显示（中文图为万、亿；英文图为 thousand、million、billion），"
        "坐标轴标题中注明。数据表中始终显示完整数字。"
    ),
    "howto.prices": (
        "成交价格图：每个品种一张图（同一品种既有出让又有出租时，出让和出租各一张），各有自己的价格坐标轴。每个点代表一笔交易"
        "（颜色表示交易方式），横轴为成交日期。粗线为各年按交易量加权的平均价格（交易量大的成交权重更大）。虚线阶梯为该品种各交易"
        "关系的基准价；交易关系多且基准价不同时，阴影带表示从最低到最高基准价的范围。出租按年租金显示；多年期用水权交易（W4）按整个"
        "期限的价格显示。点远高于基准价说明权利稀缺，远低于基准价说明供过于求。"
    ),
    "howto.volume": (
        "交易量图：每根柱的高度为当年成交的数量，不同颜色表示通过各种交易方式（连续竞价、集合竞价、协议转让、收储等）成交的部分。"
        "一种权利有多个品种时，每个品种一个分图，各有自己的刻度和单位。"
    ),
    "howto.surcharge": (
        "累进加价收入图：每年因超计划（超定额）使用而缴纳的加价费用。第 1 档是超出计划的第一档（加价幅度最低），"
        "档次越高加价越多。第 3 档很高说明有大量使用远超计划。"
    ),
    "howto.reserve": (
        "收储图：实线为政府收储机构持有的数量，虚线为其资金余额（元；同一权利的各品种共用一个资金账户）。价格低时收储买入"
        "（库存增加、资金减少），价格高或权利紧缺时出售或投放（库存减少、资金增加）。"
    ),
    "howto.use": "使用量图：柱为各年实际使用量，实线为总量控制指标，点线为计划使用量。红色柱表示当年使用量超过了总量控制指标。",
    "howto.kpis": (
        "年度指标表：括号内为单位。指标不超过八项时，每项指标一列、每年一行；超过八项时，每项指标一行、每年一列。"
        "按品种记录的指标（如各污染物的指标）单独成表。单位为 1 的指标是比例：0.95 即 95%。"
    ),
    "howto.holders": (
        "主要买方和卖方表：按成交数量排序的账户；一种权利有多个品种时，每个品种一张表。账户编号为负数的是机构（收储机构、政府、"
        "财政、供水单位、村集体、其他经济部门），不是权利持有人。"
    ),
    "howto.charges": "收费表：各项水费、累进加价、有偿使用费、收益分成、罚款、税费和手续费，按类别和档次汇总。档次为“—”表示该项收费不分档。",
    "howto.rejected": "被拒绝委托表：市场拒绝的委托，按原因计数（低于底价、超过持有上限、不具备交易资格、权利不足等）。",
    # --- codes: rights ---
    "right.water": "用水权",
    "right.emission": "排污权",
    "right.land": "土地权",
    "right.forest": "山林权",
    "right.links": "跨权利联动（抵押与项目）",
    "right.teaching": "教学实验市场",
    # --- codes: mechanisms ---
    "mech.cda": "连续竞价",
    "mech.call": "集合竞价",
    "mech.negotiation": "协议转让",
    "mech.reserve": "收储",
    "mech.listing": "挂牌竞价",
    "mech.auction": "拍卖",
    "mech.tender": "招标",
    "mech.directed": "定向转让",
    # --- codes: charge kinds ---
    "kind.tariff": "水价（定额内/阶梯）",
    "kind.surcharge": "累进加价（超计划）",
    "kind.use_fee": "有偿使用费",
    "kind.proceeds_share": "收益分成",
    "kind.penalty": "罚款",
    "kind.tax": "税",
    "kind.fee": "手续费",
    "kind.rent": "租金",
    "kind.dividend": "土地入股分红",
    "kind.compensation": "农用地转用补偿",
    "kind.restoration_cost": "废弃地整治修复费用",
    "kind.adjustment_fee": "土地增值收益调节金",
    "kind.grade_surcharge": "亩均效益评价等级加价",
    "kind.grade_rebate": "亩均效益评价等级优惠",
    "kind.idle_fee": "土地闲置费",
    "kind.land_price_difference": "补缴土地出让价款差额（变更用途）",
    "kind.loan": "抵押贷款发放",
    "kind.interest": "贷款利息",
    "kind.loan_repayment": "偿还贷款本金",
    "kind.repayment": "偿还贷款本金",  # the old name of loan_repayment (runs written before)
    "kind.notice": "告知函（督促完成交易，不涉及金额）",
    "kind.budget": "林场管护经费（财政拨付）",
    "kind.planting_budget": "造林经费（财政拨付）",
    "kind.planting": "造林支出",
    "kind.maintenance": "管护支出",
    "kind.concession": "特许经营费",
    "kind.lease": "林下经营租赁费",
    "kind.income": "林下经营收入",
    "kind.insurance": "森林保险保费",
    "kind.insurance_claim": "森林保险赔付",
    "kind.capital": "项目购买权利资金",
    "kind.abatement": "治理减排成本",
    # --- codes: rejection reasons ---
    "reason.below_floor": "低于底价",
    "reason.over_holding_limit": "超过持有上限",
    "reason.not_eligible": "不具备交易资格",
    "reason.insufficient_rights": "权利不足",
    "reason.off_platform": "场外交易",
    "reason.non_positive": "数量或价格非正",
    "reason.protected_use": "保障性用水（不得出让）",
    "reason.above_ceiling": "高于最高限价",
    "reason.invalid_side": "买卖方向无效",
    "reason.duplicate_id": "委托编号重复",
    "reason.already_registered": "已报名该挂牌项目",
    "reason.listing_not_open": "挂牌尚未开始",
    "reason.listing_closed": "挂牌已结束",
    "reason.below_start": "报价低于起始价",
    "reason.below_increment": "加价低于最小加价幅度",
    "reason.already_leading": "已是最高报价人",
    "reason.not_registered": "未报名竞买",
    "reason.round_closed": "竞价轮次已结束",
    "reason.not_bidding": "不在竞价阶段",
    "reason.no_bidder": "无人报名（流拍）",
    "reason.no_bid": "无人出价（流拍）",
    "reason.reserve_not_met": "未达到保留价（流拍）",
    "reason.no_valid_bid": "无有效投标（流标）",
    "reason.duplicate_bid": "重复投标",
    "reason.late": "逾期投标",
    "reason.invalid_score": "评标分数无效",
    "reason.outside_bounds": "价格超出定向转让价格区间",
    "reason.not_designated": "非指定受让方",
    "reason.no_agreement": "协商未达成一致",
    "reason.not_improving": "报价未优于当前最优价",
    "reason.self_trade": "不得与自己成交",
    "reason.pledged": "权利已抵押",
    "reason.basic_farmland": "永久基本农田（不得转为建设用地）",
    "reason.farmland_loss": "无耕地占补平衡指标",
    "reason.no_planning_quota": "村庄建设用地机动指标已用完",
    "reason.no_township_quota": "乡级建设用地指标已用完",
    "reason.reserve_budget": "土地储备资金不足",
    "reason.term_exceeds_contract": "流转期限超过承包期",
    "reason.vote_failed": "未获三分之二以上成员代表同意",
    "reason.grade_excluded": "企业亩均效益评价等级不符合供地条件",
    "reason.below_standard": "不符合“标准地”准入条件",
    "reason.supporting_land_over_cap": "配套建设用地超过上限",
    "reason.idle_not_transferable": "闲置土地不得转让",
    "reason.idle_fee_unpaid": "土地闲置费未缴清",
    "reason.investment_below_threshold": "开发投资未达标准且未办理预告登记",
    "reason.no_buyer": "无受让方",
    "reason.not_disposed": "“僵尸企业”土地未能处置",
    "reason.market_closed": "市场未开放",
    "reason.not_whole_lots": "数量不是整手",
    "reason.off_tick": "价格不符合最小变动价位",
    "reason.too_many_orders": "挂单数量超过上限",
    "reason.insufficient_cash": "资金不足",
    # --- codes: institutions (negative account ids) ---
    "inst.-1": "收储机构",
    "inst.-2": "政府（一级市场供给方）",
    "inst.-3": "财政",
    "inst.-4": "供水单位",
    "inst.-5": "村集体 / 用水协会",
    "inst.-6": "其他经济部门",
    "inst.-7": "已使用的权利",
    "inst.-8": "权利发放与注销账户",
    "inst.-9": "排污权储备机构",
    "inst.-10": "土地储备机构",
    "inst.-11": "林权收储机构",
    "inst.group": "机构",
    # --- codes: sectors ---
    "sector.agriculture": "农业",
    "sector.industry": "工业",
    "sector.domestic": "生活",
    "sector.ecology": "生态",
    "sector.services": "服务业",
    "sector.thermal_power": "火电",
    "sector.reserve": "收储",
    "sector.forestry": "林业",
    "sector.state_forest_farm": "国有林场",
    "sector.forest_farm": "林场",
    "sector.household": "农户",
    "sector.operator": "经营主体",
    "sector.firm": "企业",
    "sector.afforestation": "造林项目",
    "sector.government": "政府",
    "sector.collective": "村集体",
    # --- 土地交易关系
    "relation.with_mode": "{mode}：{parties}",
    "relation.parties": "{seller} → {buyer}",
    "relation.lease": "租赁 {years} 年",
    "relation.list_sep": "，",
    "relation.word_sep": "",
    "relation.note": "{relation}（{note}）",
    "relation.flagged": "{relation}（价格{flag}预警）",
    "relation.flag.low": "偏低",
    "relation.flag.high": "偏高",
    "relation.word.primary": "一级",
    "relation.word.secondary": "二级",
    "relation.word.sale": "出让",
    "relation.word.flexible_term": "弹性年期出让",
    "relation.word.long_lease": "长期租赁",
    "relation.word.lease_then_sell": "先租后让",
    "relation.word.mixed": "混合用途",
    "relation.word.standard": "标准地",
    "relation.word.share-holding": "入股",
    "relation.word.subcontract": "转包",
    "relation.word.idle": "闲置",
    "relation.word.homestead": "宅基地",
    "relation.word.zombie": "僵尸企业",
    "relation.word.buyback": "回购",
    "relation.word.split": "分割",
    "relation.word.preemption": "优先购买",
    "relation.word.normal": "一般",
    "relation.word.pre_registration": "预告登记",
    "relation.word.voluntary": "自愿",
    "relation.word.redevelopment": "再开发",
    "relation.word.saved": "节余",
    "relation.word.land": "土地",
    "relation.party.member": "本村成员",
    "relation.party.cooperative": "合作社",
    "relation.party.family_farm": "家庭农场",
    "relation.party.lessee": "承租人",
    "relation.party.tenant": "承租方",
    "relation.party.restorer": "复垦主体",
    "relation.party.other districts": "其他地区",
    "relation.note.first refusal": "优先承包",
    "relation.note.vote passed": "表决通过",
    "relation.note.L6": "规则 L6",
    # --- codes: units ---
    "unit.m3": "立方米",
    "unit.m2": "平方米",
    "unit.kg": "千克",
    "unit.t": "吨",
    "unit.mu": "亩",
    "unit.tce": "吨标准煤",
    "unit.kgce": "千克标准煤",
    "unit.0.01mu": "0.01亩",
    "unit.per_year": "{punit}/年",
    "unit.yuan": "元",
    "unit.1": "",
    "unit.%": "%",
    "unit.yr": "年",
    "unit.10k yuan": "万元",
    "unit.unit": "单位",
    "unit.base units": "基本单位",
    # --- codes: KPI metrics ---
    "metric.cap": "总量控制指标",
    "metric.confirmed": "确权量",
    "metric.deliverable_share": "可供比例",
    "metric.planned": "计划使用量",
    "metric.use": "实际使用量",
    "metric.use_over_cap": "使用量 / 指标",
    "metric.traded_volume": "交易量",
    "metric.trade_count": "成交笔数",
    "metric.mean_price": "平均价格",
    "metric.base_price": "基准价",
    "metric.surcharge_revenue": "累进加价收入",
    "metric.tariff_revenue": "水费收入",
    "metric.reserve_stock": "收储库存",
    "metric.reserve_cash": "收储资金",
    "metric.unmet_need": "未满足需求",
    "metric.rejected_orders": "被拒委托数",
    "metric.efficiency": "交易效率",
    "metric.surcharge_revenue_band": "第 {band} 档累进加价收入",
    "metric.dry_year": "枯水年（1 = 是）",
    "metric.reserve_rights": "储备水权",
    "metric.rights": "持有排污权",
    "metric.paid": "已有偿取得的排污权",
    "metric.unpaid": "尚未缴费的排污权",
    "metric.unabated": "治理前排放量",
    "metric.abatement": "减排量",
    "metric.emissions": "排放量",
    "metric.abatement_cost": "减排成本",
    "metric.excess": "超许可排放量",
    "metric.violators": "超许可排放单位数",
    "metric.penalty_revenue": "罚款收入",
    "metric.floor_rejections": "低于底价被拒委托数",
    "metric.floor_trade_share": "按底价成交的比例",
    "metric.use_fee_revenue": "有偿使用费收入",
    "metric.back_payment_revenue": "补缴收入",
    "metric.pledged": "已抵押排污权",
    "metric.leased": "租入排污权",
    "metric.notices": "被通知单位数",
    "metric.allocated": "分配量",
    "metric.surrendered": "清缴量",
    "metric.shortfall": "缺口",
    "metric.compliance_rate": "履约率",
    "metric.active_units": "在产排污单位数",
    "metric.closures": "关停单位数",
    "metric.fiscal_balance": "财政账户余额",
    "metric.leases": "租赁笔数",
    "metric.mortgage_credit": "抵押贷款发放额",
    "metric.mortgage_loans": "抵押贷款笔数",
    "metric.not_eligible_rejections": "因不具备资格被拒委托数",
    "metric.off_platform_rejections": "因场外交易被拒委托数",
    "metric.pledged_rejections": "因权利已抵押被拒委托数",
    "metric.renewed": "排污权已续期（1 = 是）",
    "metric.reserve_balance_gap": "收储资金收支差",
    "metric.reserve_budget": "收储预算",
    "metric.reserve_income": "收储收入",
    "metric.reserve_spending": "收储支出",
    "metric.carbon_allocated": "碳排放配额分配量",
    "metric.carbon_emissions": "重点排放单位二氧化碳排放量",
    "metric.carbon_surrendered": "碳排放配额清缴量",
    "metric.carbon_shortfall": "碳排放配额缺口",
    "metric.carbon_compliance_rate": "碳排放配额清缴履约率",
    "metric.carbon_abatement_cost": "碳减排成本",
    "metric.carbon_traded_volume": "碳排放配额交易量",
    "metric.carbon_mean_price": "碳排放配额平均价格",
    "metric.farmland_area": "耕地面积",
    "metric.farmland_area_mu": "耕地面积",
    "metric.basic_farmland_area": "永久基本农田面积",
    "metric.farmland_balance": "耕地面积较期初增减",
    "metric.farmland_balance_mu": "耕地面积较期初增减",
    "metric.construction_area": "建设用地面积",
    "metric.gdp": "地区生产总值",
    "metric.construction_land_per_gdp": "单位 GDP 建设用地面积",
    "metric.construction_land_per_gdp_change": "单位 GDP 建设用地面积较基期变化",
    "metric.construction_land_per_gdp_target": "单位 GDP 建设用地面积目标变化",
    "metric.construction_land_per_gdp_target_met": "单位 GDP 建设用地面积目标完成（1 = 是）",
    "metric.trades": "成交笔数",  # land; trade_count in runs written after its rename
    "metric.traded_m2": "成交面积",
    "metric.first_refusal_exercised": "本集体成员行使优先受让权次数",
    "metric.first_refusal_declined": "本集体成员放弃优先受让权次数",
    "metric.circulated_m2": "土地经营权流转面积",
    "metric.homestead_leases": "闲置宅基地出租宗数",
    "metric.collective_sold": "集体经营性建设用地入市宗数",
    "metric.votes_failed": "民主表决未通过次数",
    "metric.conversions_requested": "农用地转用申请数",
    "metric.conversions_accepted": "农用地转用批准数",
    "metric.quota_created": "新增耕地指标产生量（平方米）",
    "metric.quota_retired": "占补平衡核销的耕地指标（平方米）",
    "metric.quota_traded": "新增耕地指标交易量（平方米）",
    "metric.restorations_started": "工矿废弃地整治开工数",
    "metric.restored_farmland_m2": "整治复垦为耕地的面积",
    "metric.restored_construction_m2": "整治后转为建设用地的面积",
    "metric.wasteland_contracts": "国有荒地发包宗数",
    "metric.lots_offered": "一级市场推出地块数",
    "metric.lots_sold": "一级市场成交地块数",
    "metric.lots_unsold": "一级市场流拍地块数",
    "metric.mixed_lots": "混合供地地块数",
    "metric.supplied_m2": "一级市场供地面积",
    "metric.flags_low": "低于基准地价监测区间的成交数",
    "metric.flags_high": "高于基准地价监测区间的成交数",
    "metric.preemptions": "政府优先购买次数",
    "metric.idle_parcels_new": "新增闲置地块数",
    "metric.idle_recovered_m2": "收回闲置土地面积",
    "metric.prereg_transfers": "预告登记转让宗数",
    "metric.prereg_registered": "预告登记转让完成登记宗数",
    "metric.splits": "分割转让宗数",
    "metric.transitions_started": "转型发展新产业项目数",
    "metric.lease_then_sell_declined": "先租后让期满未受让的企业数",
    "metric.zombies_disposed": "处置“僵尸企业”数",
    "metric.redevelopments": "低效用地再开发宗数",
    "metric.external_transfer_m2": "因抵押处置和项目转移的土地面积",
    "metric.rejected": "被拒绝的申请和委托数",
    "metric.rent_paid": "支付的租金和分红",
    "metric.idle_fee_revenue": "土地闲置费收入",
    "metric.price_to_benchmark": "成交价与基准地价之比",
    "metric.grade_A": "亩均效益 A 类企业数",
    "metric.grade_B": "亩均效益 B 类企业数",
    "metric.grade_C": "亩均效益 C 类企业数",
    "metric.grade_D": "亩均效益 D 类企业数",
    "metric.grade_new": "尚未评价的企业数",
    "metric.idle_area": "闲置国有建设用地面积",
    "metric.reserve_quota": "储备的耕地指标",
    "metric.benchmark_industrial": "工业用地基准地价",
    "metric.managed_area": "林场管护面积",
    "metric.managed_area_target": "林场管护面积目标",
    "metric.growing_stock": "林场森林蓄积量",
    "metric.growing_stock_target": "林场森林蓄积量目标",
    "metric.growing_stock_total": "全部林地森林蓄积量",
    "metric.growth_rate": "蓄积量年增长率",
    "metric.forest_area": "森林面积",
    "metric.forest_cover": "森林覆盖率",
    "metric.forest_cover_target": "森林覆盖率目标",
    "metric.forest_cover_gap": "森林覆盖率距目标差距",
    "metric.maintenance_budget": "管护经费",
    "metric.maintenance_need": "管护资金需求",
    "metric.maintenance_spent": "管护支出",
    "metric.maintenance_gap": "管护资金缺口（需求 − 经费）",
    "metric.maintenance_unfunded": "以林养林后仍未弥补的管护资金缺口",
    "metric.own_revenue": "以林养林收入（特许经营、林下租赁）",
    "metric.investment_margin": "造林投资超出造林成本部分",
    "metric.planted_area": "造林面积",
    "metric.survived_area": "造林成活面积",
    "metric.incorporated_area": "纳入林场管护的面积",
    "metric.plantable_area": "剩余宜林地面积",
    "metric.transfers": "林地经营权流转笔数",  # forest; trade_count in runs written after its rename
    "metric.transferred_area": "林地经营权流转面积",
    "metric.registrations": "经营权登记笔数",
    "metric.registered_area": "已登记的经营权面积",
    "metric.pledges": "新增林权抵押笔数",
    "metric.pledged_area": "林权抵押面积",
    "metric.loans_outstanding": "贷款余额",
    "metric.defaults": "违约贷款笔数",
    "metric.insurance_losses": "发生保险损失的地块数",
    "metric.energy_quota_issued": "核发的能耗指标",
    "metric.energy_quota_used": "企业使用的能耗指标",
    "metric.energy_unmet": "能耗指标未能满足的用能需求",
    "metric.energy_quota_cost": "每吨标准煤能耗指标的造林投入",
    "metric.construction_quota_issued": "以地换林核发的建设用地指标",
    "metric.ecological_value": "生态效益价值",
    "metric.ecological_value_water_conservation": "生态效益价值：涵养水源",
    "metric.ecological_value_soil_retention": "生态效益价值：固土保水",
    "metric.ecological_value_carbon_oxygen": "生态效益价值：固碳释氧",
    "metric.ecological_value_purification": "生态效益价值：净化环境",
    "metric.ecological_value_windbreak_sand": "生态效益价值：防风固沙",
    "metric.economic_value": "经济效益价值",
    "metric.social_value": "社会效益价值",
    "metric.timber_value": "林木蓄积价值",
    "metric.reserve_area": "收储的林地经营权面积",
    "metric.projects_started": "累计开工项目数",
    "metric.projects_blocked": "因缺少权利而等待的项目数",
    "metric.surplus": "实现的总剩余",
    "metric.shouts": "报价次数",
    "metric.smith_alpha": "史密斯 α（成交价偏离均衡价的程度）",
    "metric.profit_dispersion": "利润离散度",
    "metric.p0": "竞争均衡价格 P0",
    "metric.q0": "竞争均衡数量 Q0",
    "metric.realised_gains": "实现的交易收益",
    "metric.max_gains": "最大可能交易收益",
    "metric.total_surplus": "参与者总剩余",
    "metric.equilibrium_quantity": "均衡数量",
    "metric.equilibrium_price_low": "均衡价格下限",
    "metric.equilibrium_price_high": "均衡价格上限",
    # --- codes: products ---
    "product.water.annual": "年度水量（当年使用）",
    "product.water.right": "用水权（多年期）",
    "product.emission.NOx": "氮氧化物（NOx）",
    "product.emission.SO2": "二氧化硫（SO2）",
    "product.emission.COD": "化学需氧量（COD）",
    "product.emission.NH3-N": "氨氮（NH3-N）",
    "product.emission.carbon": "碳排放配额",
    "product.land.management": "土地经营权",
    "product.land.contract": "土地承包权",
    "product.land.homestead": "宅基地使用权",
    "product.land.wasteland": "未利用地承包经营权",
    "product.land.farmland_quota": "耕地占补平衡指标",
    "product.land.collective_construction": "集体经营性建设用地使用权",
    "product.land.state_construction": "国有建设用地使用权",
    "product.land.construction_quota": "建设用地指标",
    "product.forest.management": "林地经营权",
    "product.forest.contract": "林地承包权",
    "product.forest.ownership": "林地所有权",
    "product.forest.management.pledged": "已抵押的林地经营权",
    "product.forest.energy_quota": "能耗指标",
    "product.teaching.unit": "教学实验商品",
    "pollutant.NOx": "氮氧化物",
    "pollutant.SO2": "二氧化硫",
    "pollutant.COD": "化学需氧量",
    "pollutant.NH3-N": "氨氮",
    "pollutant.VOCs": "挥发性有机物",
    "action.budget": "预算拨款",
    "action.buy": "收储（购入）",
    "action.sell": "出让",
    "action.release": "投放",
    "action.reclaim": "无偿收回",
    "action.expire": "到期失效",
    "action.issue": "新增指标入库",
    "action.retire": "指标核销（占补平衡）",
    "event.confirm": "确权登记",
    "event.afforest": "造林新增地块",
    "event.incorporate": "纳入林场管护",
    "event.transfer": "流转",
    "event.register": "经营权登记",
    "event.revert": "流转期满收回",
    "event.pledge": "抵押登记",
    "event.release": "解除抵押（贷款已还清）",
    "event.forfeit": "抵押物处置（贷款违约）",
    "event.collateral_lost": "抵押物已不再持有",
    "event.issue": "指标核发",
    "event.project_start": "项目开工",
    "pattern.metric_pollutant": "{metric}（{pollutant}）",
    "pattern.metric_mechanism": "{metric}（{mechanism}）",
    "pattern.metric_pledged": "已抵押的{product}",
    "pattern.product_pledged": "已抵押的{product}",
    "pattern.product_pollutant": "排污权：{pollutant}",
    # --- comparisons and studies (rights_market.compare) ---
    "cmp.title": "情景对比报告",
    "cmp.title_study": "研究结果：{name}",
    "cmp.generated_by": "本报告由 rights-market {version} 根据方案表中所列运行目录的数据生成。",
    "cmp.section.variants": "基准方案与对比方案",
    "cmp.section.changes": "与基准方案的差异",
    "cmp.section.how_to_read": "阅读说明",
    "cmp.baseline": "{label}（基准）",
    "cmp.col.variant": "方案",
    "cmp.col.source": "来源",
    "cmp.col.scenario": "情景",
    "cmp.col.hash": "情景哈希",
    "cmp.col.runs": "运行次数",
    "cmp.col.seeds": "随机种子",
    "cmp.col.metric": "指标",
    "cmp.col.unit": "单位",
    "cmp.col.change": "Δ {label}",
    "cmp.col.right": "权利",
    "cmp.col.year": "年份",
    "cmp.col.median": "中位数",
    "cmp.col.low": "5%",
    "cmp.col.high": "95%",
    "cmp.col.replication": "重复序号",
    "cmp.col.seed": "随机种子",
    "cmp.col.mean": "各年平均",
    "cmp.col.last": "最后一年",
    "cmp.col.path": "参数",
    "cmp.col.base_value": "基准值",
    "cmp.col.value": "方案值",
    "cmp.changes.none": "{label}：与基准方案的情景相同。",
    "cmp.changes.head": "{label}：",
    "cmp.changes.item": "{path}：{base} → {value}",
    "cmp.changes.more": "……另有 {more} 处差异（完整列表见工作簿）。",
    "cmp.table.kpis": "各方案指标",
    "cmp.table.note": (
        "每格为该方案各次运行的“各年平均值”的中位数；多次运行时，括号内为中间 90% 运行结果的范围（5% 至 95%）。"
        "Δ 为中位数相对基准方案的变化。"
    ),
    "cmp.empty.kpis": "本权利没有记录任何指标。",
    "cmp.fig.caption": "{metric}逐年变化：各方案多次运行的中位数（线）及中间 90% 运行结果的范围（阴影带）。",
    "cmp.fig.band": "{label}：5%–95%",
    "cmp.fig.more": "图中只显示 {total} 个方案中的前 {shown} 个；表格和工作簿包含全部方案。",
    "cmp.howto.intro": "每个方案是一个情景，用不同的随机种子运行一次或多次（重复运行）。第一个方案为基准方案，其余方案均与之比较。",
    "cmp.howto.seeds": "在此运行的各方案逐次使用相同的随机种子（共同随机数），因此方案之间的差异来自参数设置，而非偶然。",
    "cmp.howto.median": "中位数：一半运行结果高于它，一半低于它。阴影带（5% 至 95%）包含中间 90% 的运行结果：带越宽，结果受偶然因素（天气、交易时机等）的影响越大。",
    "cmp.howto.change": "Δ：方案中位数相对基准方案中位数的变化（百分比）。比率类指标（单位为 1）以小数表示：0.95 即 95%。",
    "cmp.sheet.variants": "方案",
    "cmp.sheet.changes": "差异",
    "cmp.sheet.kpis": "{right}指标",
    "cmp.sheet.yearly": "逐年",
    "cmp.sheet.runs": "各次运行",
    "xlsx.charges_by_holder": "按持有人汇总的收费",
}

LABELS: dict[str, dict[str, str]] = {"en": _EN, "zh": _ZH}


#: Per-pollutant emission KPIs (docs/tables.md, emission KPIs): ``<metric>_<pollutant>``, e.g. ``rights_NOx``.
PER_POLLUTANT_METRICS: tuple[str, ...] = (
    "rights",
    "paid",
    "unpaid",
    "unabated",
    "abatement",
    "emissions",
    "abatement_cost",
    "excess",
    "violators",
    "penalty_revenue",
    "traded_volume",
    "trade_count",
    "mean_price",
    "base_price",
    "floor_rejections",
    "floor_trade_share",
    "use_fee_revenue",
    "back_payment_revenue",
    "reserve_stock",
    "pledged",
    "leased",
    "notices",
)
#: KPIs counted per trading mechanism: ``<metric>_<mechanism>``, e.g. ``trades_listing`` (land).
PER_MECHANISM_METRICS: tuple[str, ...] = ("trades", "trade_count")
BAND_METRIC_PREFIX = "surcharge_revenue_band_"
#: ``pledged:<product>``: the quantity of a product pledged for X3 loans (links).
PLEDGED_METRIC_PREFIX = "pledged:"
#: ``<product>.pledged``: the encumbrance product of pledged rights (X3).
PLEDGED_PRODUCT_SUFFIX = ".pledged"
#: A trading relation (``trades.relation``, rules L3–L16 of the land market): an optional lease term, mode words,
#: ``seller->buyer`` and a remark in brackets, e.g. ``lease:20y primary sale reserve->firm``,
#: ``lease:5y subcontract household->member (first refusal)``, ``secondary normal voluntary split``. The price
#: flag of rule L16 (``;flag=low``) is split off first.
_RELATION = re.compile(
    r"(?:lease:(?P<years>\d+)y\s*)?(?P<mode>[A-Za-z_\- ]*?)\s*"
    r"(?:(?P<seller>[A-Za-z_]+)->(?P<buyer>[A-Za-z_]+(?: [A-Za-z_]+)*?))?\s*(?:\((?P<note>[^()]*)\))?"
)
_RELATION_FLAG = ";flag="
#: A pollutant id as the scenarios name them (``NOx``, ``NH3-N``, ``VOCs``).
_POLLUTANT_ID = re.compile(r"[A-Za-z][A-Za-z0-9\-]*")


class Labels:
    """Look-up of the visible text of one language.

    Code values are looked up by :meth:`code` (and :meth:`metric`, :meth:`unit`, :meth:`right`): an exact
    label first, then, for metrics and products, a label built from the parts of a patterned name (see
    :meth:`_metric_pattern`, :meth:`_product_pattern`), else the code itself.
    """

    def __init__(self, lang: str, table: Mapping[str, Mapping[str, str]] = LABELS) -> None:
        if lang not in table:
            raise ValueError(f"unknown report language {lang!r}; choose one of {sorted(table)}")
        self.lang = lang
        self._text = table[lang]
        #: Labelled codes of some prefixes by their case-folded spelling (classroom runs write ``emission.nox``).
        self._folded = {k.casefold(): k for k in self._text if k.startswith(("product.", "pollutant."))}

    def __call__(self, key: str, **fields: object) -> str:
        """The text under ``key`` with ``fields`` filled in (KeyError if the key is missing)."""
        text = self._text[key]
        return text.format(**fields) if fields else text

    def code(self, prefix: str, code: object) -> str:
        """Label of a code value (``prefix.code``), or the code itself when there is no label."""
        text = self._resolve(prefix, str(code))
        return str(code) if text is None else text

    def has(self, key: str) -> bool:
        """Whether ``key`` (``prefix.code``) has a label, exact or built from a pattern."""
        if key in self._text:
            return True
        prefix, dot, code = key.partition(".")
        return bool(dot) and self._resolve(prefix, code) is not None

    def unit(self, unit: str) -> str:
        """A unit such as ``yuan/m3`` in words of this language (``元/立方米``)."""
        if not unit:
            return ""
        return "/".join(self.code("unit", part) for part in str(unit).split("/"))

    def metric(self, metric: str) -> str:
        """Label of a KPI metric (patterned names included), or the metric itself."""
        return self.code("metric", metric)

    def right(self, right: str) -> str:
        return self.code("right", right)

    def relation(self, relation: object) -> str:
        """A trading relation in words: ``lease:20y primary sale reserve->firm;flag=low`` → ``20-year lease,
        primary sale: Reserve → Firms (price flagged low)``; sectors and institutions by their ``relation.party``
        or ``sector`` label, mode words by ``relation.word``. Parts without a label keep their spelling; a
        relation of no known form is returned as it is."""
        text, _, flag = str(relation).partition(_RELATION_FLAG)
        m = _RELATION.fullmatch(text.strip())
        if not text.strip() or m is None:
            return str(relation)
        head = []
        if m["years"]:
            head.append(self("relation.lease", years=int(m["years"])))
        words = m["mode"].split()
        if words:
            sep = self("relation.word_sep") if all(self.has(f"relation.word.{w}") for w in words) else " "
            head.append(sep.join(self.code("relation.word", w) for w in words))
        out = self("relation.list_sep").join(head)
        if m["seller"]:
            parties = self("relation.parties", seller=self._party(m["seller"]), buyer=self._party(m["buyer"]))
            out = self("relation.with_mode", mode=out, parties=parties) if out else parties
        if m["note"]:
            out = self("relation.note", relation=out, note=self.code("relation.note", m["note"].strip()))
        if flag:
            out = self("relation.flagged", relation=out, flag=self.code("relation.flag", flag.strip()))
        return out[:1].upper() + out[1:] if self.lang == "en" else out

    def _party(self, party: str) -> str:
        for prefix in ("relation.party", "sector"):
            text = self._text.get(f"{prefix}.{party}")
            if text is not None:
                return text
        return party

    def pollutant(self, pollutant: str) -> str:
        """Name of a pollutant id (``NOx`` → ``氮氧化物`` in Chinese), or the id itself."""
        key = self._folded.get(f"pollutant.{pollutant}".casefold())
        return self._text[key] if key else pollutant

    # ------------------------------------------------------------------------------------- resolution
    def _resolve(self, prefix: str, code: str) -> str | None:
        text = self._text.get(f"{prefix}.{code}")
        if text is not None:
            return text
        if prefix == "metric":
            return self._metric_pattern(code)
        if prefix == "product":
            return self._product_pattern(code)
        return None

    def _metric_pattern(self, metric: str) -> str | None:
        """Labels of the patterned metric names of docs/tables.md:

        * ``surcharge_revenue_band_<k>`` (water): the band's surcharge revenue;
        * ``pledged:<product>`` (links): with the product's name;
        * ``<metric>_<mechanism>`` for :data:`PER_MECHANISM_METRICS` (``trades_listing``): both labels;
        * ``<metric>_<pollutant>`` for :data:`PER_POLLUTANT_METRICS` (``rights_NOx``): the metric's label
          and the pollutant's name (any pollutant id, also one without a name of its own).
        """
        if metric.startswith(BAND_METRIC_PREFIX) and metric[len(BAND_METRIC_PREFIX) :].isdigit():
            return self("metric.surcharge_revenue_band", band=metric[len(BAND_METRIC_PREFIX) :])
        if metric.startswith(PLEDGED_METRIC_PREFIX):
            return self("pattern.metric_pledged", product=self.code("product", metric[len(PLEDGED_METRIC_PREFIX) :]))
        for base in sorted(PER_MECHANISM_METRICS, key=len, reverse=True):
            tail = metric[len(base) + 1 :]
            if metric.startswith(f"{base}_") and f"mech.{tail}" in self._text:
                return self("pattern.metric_mechanism", metric=self.code("metric", base),
                            mechanism=self.code("mech", tail))
        for base in sorted(PER_POLLUTANT_METRICS, key=len, reverse=True):
            tail = metric[len(base) + 1 :]
            if metric.startswith(f"{base}_") and _POLLUTANT_ID.fullmatch(tail):
                return self("pattern.metric_pollutant", metric=self.code("metric", base),
                            pollutant=self.pollutant(tail))
        return None

    def _product_pattern(self, product: str) -> str | None:
        """Labels of product ids without a label of their own:

        * a labelled product spelled in other case (``emission.nox`` of the classroom scenarios);
        * ``<product>.pledged`` (X3 encumbrance, e.g. ``water.right.pledged``): with the product's name;
        * ``emission.<pollutant>`` of a pollutant the labels do not list (``emission.VOCs``).
        """
        key = self._folded.get(f"product.{product}".casefold())
        if key is not None:
            return self._text[key]
        if product.endswith(PLEDGED_PRODUCT_SUFFIX):
            return self("pattern.product_pledged", product=self.code("product", product[: -len(PLEDGED_PRODUCT_SUFFIX)]))
        right, _, rest = product.partition(".")
        if right == "emission" and _POLLUTANT_ID.fullmatch(rest):
            return self("pattern.product_pollutant", pollutant=self.pollutant(rest))
        return None
