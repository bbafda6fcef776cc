"""The water section of a scenario (用水权, rules W1–W9, W11, W12, W16): what a user writes under ``water:``.

Holder groups of the four sectors (drawn from distributions or listed in a file), the district cap and validity
terms (W1, W2), base prices per trading relation (W5), tariffs and surcharges (W8, W9), fees (W6), proceeds
(W7), the reserve and its rules (W12), supervision (W16), medium- and long-term deals (W4) and the trading
market (W11). Units are in the field names (``_m3``, ``_yuan_per_m3``, ``_share``). Built on the shared models of
:mod:`.model`, which re-exports these names.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from .base import (
    MAX_COUNT,
    MAX_FACTOR,
    MAX_QUANTITY,
    MAX_YEARS,
    Count,
    Money,
    Quantity,
    Share,
    Strict,
    Year,
)
from .common import ZIC, Behaviour, Constant, Distribution
from .validators import require_unique
from .water_reserve import (  # noqa: F401 (re-exported: the reserve's models are part of the water section)
    BuyBelow,
    DryYearRelease,
    OfferBeforeExpiry,
    OfferStock,
    Relation,
    ReservePrice,
    ReserveRule,
    ReserveSpec,
    SellAbove,
)
from .water_sectors import SECTORS, Sector  # noqa: F401 (SECTORS re-exported)

#: Value curve forms (design principle 8; :mod:`rights_market.rules.economics`).
ValueCurveForm = Literal["constant_elasticity", "linear"]



# --------------------------------------------------------------------------- water pricing (W5-W9)
class BasePrice(Strict):
    """Rule W5: the base price (基准价) of one trading relation, seller sector → buyer sector."""

    seller: Sector
    buyer: Sector
    yuan_per_m3: Money


class BlockTariffSpec(Strict):
    """Rule W8: price blocks over use per assessment period. ``edges_m3`` are the upper edges of every
    block but the last; ``yuan_per_m3`` has one more entry (one entry and no edges = a flat price)."""

    edges_m3: list[Quantity] = Field(default_factory=list, max_length=1000)
    yuan_per_m3: list[Money] = Field(min_length=1, max_length=1001)

    @model_validator(mode="after")
    def _shape(self) -> BlockTariffSpec:
        if len(self.yuan_per_m3) != len(self.edges_m3) + 1:
            raise ValueError("yuan_per_m3 needs exactly one more entry than edges_m3")
        if any(b <= a for a, b in zip(self.edges_m3, self.edges_m3[1:], strict=False)) or any(
            e <= 0 for e in self.edges_m3
        ):
            raise ValueError("edges_m3 must be positive and strictly increasing")
        return self


class SurchargeSpec(Strict):
    """Rules W8/W9: progressive surcharge on use above the plan (or quota).

    Band k (over (k−1)·width up to and including k·width of the plan) pays k × step × reference price per
    m³. Plan defaults (W9, [W §二(三)7]): width 10 % of plan, step 50 % of the industrial supply price."""

    band_width_share: Share = Field(Decimal("0.10"), gt=0)
    step_share: Share = Decimal("0.50")
    reference_yuan_per_m3: Money
    max_band: int | None = Field(None, ge=1, le=MAX_COUNT)


class SectorPricing(Strict):
    """What one sector pays for the water it uses: a block tariff to the supplier, a surcharge above the
    plan/quota to the fiscal account (rules W8, W9)."""

    tariff: BlockTariffSpec | None = None
    surcharge: SurchargeSpec | None = None
    surcharge_base: Literal["plan", "quota"] = Field(
        "plan",
        description="the volume above which the surcharge starts: the declared plan (W9) or the confirmed quota (W8)",
    )


def _default_pricing() -> dict[str, SectorPricing]:
    # Sources in scenarios/dawukou_water.yaml.
    return {
        "agriculture": SectorPricing(
            tariff=BlockTariffSpec(yuan_per_m3=[Decimal("0.0305")]),
            surcharge=SurchargeSpec(reference_yuan_per_m3=Decimal("0.0305")),
            surcharge_base="quota",
        ),
        "industry": SectorPricing(
            tariff=BlockTariffSpec(yuan_per_m3=[Decimal("3.30")]),
            surcharge=SurchargeSpec(reference_yuan_per_m3=Decimal("3.30")),
            surcharge_base="plan",
        ),
        "domestic": SectorPricing(
            tariff=BlockTariffSpec(
                edges_m3=[144, 240], yuan_per_m3=[Decimal("2.40"), Decimal("4.16"), Decimal("6.76")]
            ),
        ),
        "ecology": SectorPricing(tariff=BlockTariffSpec(yuan_per_m3=[Decimal("0.0305")])),
    }


# --------------------------------------------------------------------------- reserve (W12)
#: A multiple of a base price (W12 triggers relative to the base price of W5), e.g. 0.8 or 1.5.


# --------------------------------------------------------------------------- market
class CDA(Strict):
    """Continuous double auction (撮合, rule W11): price-time priority, trades at the resting price."""

    type: Literal["cda"]


class CallAuction(Strict):
    """Call auction (集合竞价): orders of a session cleared at one uniform price."""

    type: Literal["call"]


Mechanism = Annotated[CDA | CallAuction, Field(discriminator="type")]


class NegotiationSpec(Strict):
    """Negotiation (协商, rule W11): each session, ``pairs_per_session`` random pairs of a buyer and a seller
    who take part in the market this session (``participation``) meet. They agree inside the zone where
    both gain — between the seller's limit and the buyer's — cut to the market's price bounds and, with
    ``floor_at_base_price``, to the relation's base price. The price is anchored on the relation's base
    price (W5, the benchmark of trading): ``anchor_weight`` × the base price (brought into the zone) plus
    the rest × the Nash split of the zone by the seller's bargaining power, then a noise of
    ``noise_sd_share`` of the zone's width, and kept inside the zone. No zone, no deal."""

    pairs_per_session: Count = 0
    seller_power: Share = Decimal("0.5")
    noise_sd_share: float = Field(0.1, ge=0, le=1)
    anchor_weight: Share = Field(
        Decimal("0.5"),
        description="weight of the relation's base price (W5) in the agreed price; the rest is the Nash split",
    )


class MarketSpec(Strict):
    """How the annual surplus (rule W3) is traded: a matching mechanism plus negotiation (rule W11)."""

    mechanism: Mechanism = Field(default_factory=lambda: CDA(type="cda"))
    negotiation: NegotiationSpec = Field(default_factory=NegotiationSpec)
    price_min_yuan_per_m3: Money = Decimal("0.01")
    price_max_yuan_per_m3: Money = Decimal("10")
    floor_at_base_price: bool = Field(
        False,
        description="if true, the base price of a relation is a hard floor; the plan makes it a benchmark (W5)",
    )


# --------------------------------------------------------------------------- saving (W4)
class SavingCost(Strict):
    """The cost curve of water saving of a holder group (W4 retrofits, docs/economics.md).

    Saving ``s`` m³ a year costs, for the next m³, a capital of ``capital_yuan_per_m3`` rising linearly to
    ``capital_at_max_yuan_per_m3`` at the most a holder can save, ``max_share`` of its reference use; the
    capital is annualised over ``life_years`` at the economics' discount rate, plus ``running_yuan_per_m3``
    a year. A holder invests while the annualised cost of the next saved m³ is below what it is worth to it.
    """

    capital_yuan_per_m3: float = Field(gt=0, le=10**6, description="capital per m3/yr of the first saving")
    capital_at_max_yuan_per_m3: float = Field(gt=0, le=10**6, description="capital per m3/yr of the last saving")
    max_share: float = Field(0.3, ge=0, le=1, description="the most a holder can save, share of its reference use")
    life_years: int = Field(15, ge=1, le=100)
    running_yuan_per_m3: float = Field(0.0, ge=0, le=10**6, description="yearly running cost per m3 saved")
    financing_rate: float | None = Field(
        None, gt=0, le=1,
        description="the holder's own yearly cost of capital for saving (default: economics.discount_rate); "
                    "a farm without capital borrows dear and leaves saving to contract saving (W14)",
    )

    @model_validator(mode="after")
    def _rising(self) -> SavingCost:
        if self.capital_at_max_yuan_per_m3 < self.capital_yuan_per_m3:
            raise ValueError("capital_at_max_yuan_per_m3 must be at least capital_yuan_per_m3 (costs rise)")
        return self


class EconomicsSpec(Strict):
    """How holders decide (design principle 8, docs/economics.md): expectations of market prices, the
    discount rate of investment and term deals (W4), and how an order is split into lots."""

    expectation_weight: float = Field(
        0.5, ge=0, le=1, description="weight of last year's price in the adaptive expectation (1: last year only)"
    )
    discount_rate: float = Field(0.06, gt=0, le=1, description="yearly discount rate of saving and term deals")
    lots_per_order: int = Field(4, ge=1, le=1000, description="lots a holder's order is split into, each at its own limit")


# --------------------------------------------------------------------------- holders
#: Chinese sector names accepted in holder files (the lists offices keep), with their codes.
SECTOR_NAMES_ZH = {"农业": "agriculture", "工业": "industry", "生活": "domestic", "生态": "ecology"}


class HolderRow(Strict):
    """One holder of a group listed in a file (``HolderGroup.from_file``): an enterprise or household of an
    office's list. ``sector`` (code or Chinese name) selects the rows of the group's sector; values left
    empty are drawn from the group's distributions."""

    name: str = Field(min_length=1, max_length=200)
    sector: Sector | None = None
    confirmed_m3: int = Field(ge=0, le=10**12, description="confirmed right, m³ per year (W1)")
    marginal_value_yuan_per_m3: float | None = Field(None, gt=0, le=10**9, description="value of one more m³ of use")
    need_share: float | None = Field(None, ge=0, le=MAX_FACTOR, description="need in a normal year / confirmed volume")

    @field_validator("name", mode="before")
    @classmethod
    def _name_text(cls, v: object) -> object:
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v

    @field_validator("sector", mode="before")
    @classmethod
    def _sector_code(cls, v: object) -> object:
        if isinstance(v, str):
            return SECTOR_NAMES_ZH.get(v.strip(), v.strip().lower())
        return v


def _count_or_listed(schema: dict[str, Any]) -> None:
    """JSON Schema of a holder group: ``count`` may be left out when the holders are listed (it is the rows)."""
    schema["required"] = [f for f in schema.get("required", []) if f != "count"]
    schema["anyOf"] = [{"required": ["count"]}, {"required": ["from_file"]}, {"required": ["members"]}]


class HolderGroup(Strict):
    """A group of water-rights holders of one sector (rule W1): drawn from distributions, or listed one by
    one in a CSV/xlsx file (``from_file``, validated row by row) or in ``members``."""

    model_config = ConfigDict(json_schema_extra=_count_or_listed)

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    sector: Sector
    count: int = Field(ge=1, le=10_000_000, description="number of holders (for listed holders: the rows)")
    confirmed_m3: Distribution | None = Field(
        None, description="confirmed right per holder, m³ per year (W1); not needed for listed holders"
    )
    marginal_value_yuan_per_m3: Distribution | None = Field(
        None, description="value of one more m³ of use; not needed if every listed holder has one"
    )
    need_share: Distribution = Field(
        default_factory=lambda: Constant(value=0.9),
        description="need in a normal year as a share of the confirmed volume",
    )
    need_noise_sd: float = Field(
        0.05, ge=0, le=MAX_FACTOR, description="yearly multiplicative noise on need (sd of a normal around 1)"
    )
    plan_margin_share: float = Field(
        0.0, ge=0, le=1, description="safety margin of the declared plan over expected need (W3)"
    )
    max_overuse_share: float = Field(
        0.3,
        ge=0,
        le=MAX_FACTOR,
        description="use allowed beyond holdings, as a share of the plan; the rest of the need is unmet",
    )
    behaviour: Behaviour = Field(default_factory=lambda: ZIC(type="zi_c"))

    @field_validator("behaviour")
    @classmethod
    def _batch_quotable(cls, behaviour):
        if behaviour.type == "zip":
            raise ValueError(
                "ZIP traders learn from every shout and need a shout-by-shout market (teaching or classroom); "
                "water holders quote once a session: use zi_c, zi_u, truthful or markup"
            )
        return behaviour
    participation: float = Field(0.5, ge=0, le=1, description="probability of placing an order in a session")
    elasticity: Distribution = Field(
        default_factory=lambda: Constant(value=-0.3),
        description="price elasticity of use at the reference point (negative; draws are capped at -0.01)",
    )
    value_curve: ValueCurveForm = Field(
        "constant_elasticity", description="form of the marginal value of use (docs/economics.md)"
    )
    choke_multiple: float = Field(
        3.0, ge=1, le=MAX_FACTOR, description="the most any m3 is worth, as a multiple of the reference price"
    )
    satiation_share: float = Field(
        1.2, ge=1, le=MAX_FACTOR, description="the most a holder uses however cheap water is, share of the reference use"
    )
    saving: SavingCost | None = Field(
        None, description="cost of water saving (W4 retrofits): no saving investment if omitted"
    )
    first_expiry_year: Year | None = Field(
        None, description="year the current confirmation ends; default: start year + validity − 1"
    )
    from_file: str | None = Field(
        None, description="CSV or xlsx file listing the holders, one row each (relative to the scenario file)"
    )
    sheet: str | None = Field(None, description="sheet of an xlsx file (default: the first)")
    columns: dict[str, str] = Field(
        default_factory=dict, description="holder field -> column header in the file, e.g. {confirmed_m3: 确权水量}"
    )
    members: list[HolderRow] | None = Field(
        None, description="the holders one by one (filled from from_file when it is given)"
    )

    @model_validator(mode="before")
    @classmethod
    def _read_members(cls, data: object, info: ValidationInfo) -> object:
        """Read ``from_file`` (rows of the group's sector) into ``members``; ``count`` defaults to the rows.
        A resolved scenario already carries ``members``; the file is then not read again."""
        if not isinstance(data, dict):
            return data
        if data.get("from_file") and data.get("members") is None:
            from .tables_input import display_name, read_rows, resolve_path

            path = resolve_path(str(data["from_file"]), info.context)
            sector = data.get("sector")
            rows = read_rows(path, HolderRow, data.get("columns") or {}, display=display_name(path),
                             sheet=data.get("sheet"), unique=("name",),
                             keep={"sector": sector} if isinstance(sector, str) else None)
            if not rows:
                raise ValueError(f"{display_name(path)} lists no holder of sector {sector!r}")
            data = {**data, "members": [row.model_dump() for _, row in rows]}
        if isinstance(data.get("members"), list) and "count" not in data:
            data = {**data, "count": len(data["members"])}
        return data

    @model_validator(mode="after")
    def _complete(self) -> HolderGroup:
        if self.members is None:
            missing = [f for f in ("confirmed_m3", "marginal_value_yuan_per_m3") if getattr(self, f) is None]
            if missing:
                raise ValueError(f"required field missing: {', '.join(missing)} (or list the holders with "
                                 f"from_file or members)")
            return self
        if self.count != len(self.members):
            source = f" in {self.from_file}" if self.from_file else ""
            raise ValueError(f"count is {self.count} but {len(self.members)} holders are listed{source}")
        if self.marginal_value_yuan_per_m3 is None and any(
            m.marginal_value_yuan_per_m3 is None for m in self.members
        ):
            raise ValueError("marginal_value_yuan_per_m3: give a distribution, or a value for every listed holder")
        return self

    def values_of(self, field: str, draw_all: Callable[[int], Any]) -> Any:
        """Per-holder values of ``field`` (a numeric field of :class:`HolderRow`) as a float array: the listed
        values where given, ``draw_all(count)`` (the group's distribution, drawn only if needed) elsewhere."""
        import numpy as np

        given = None if self.members is None else [getattr(m, field) for m in self.members]
        if given is not None and all(v is not None for v in given):
            return np.asarray(given, dtype=float)
        drawn = np.array(draw_all(self.count), dtype=float)
        if given is not None:
            for i, v in enumerate(given):
                if v is not None:
                    drawn[i] = v
        return drawn

    def holder_names(self) -> list[str] | None:
        """Names of the listed holders, or None for drawn holders."""
        return None if self.members is None else [m.name for m in self.members]


class LongTermSpec(Strict):
    """Rule W4: surplus created by water-saving retrofits or lasting crop changes is traded in medium- and
    long-term deals: the confirmed right itself (``water.right``) passes to the buyer for ``term_years`` and
    then returns. Each year end holders whose group has a ``saving`` cost curve invest in saving where it
    pays (docs/economics.md); farms with such savings meet industrial firms short of rights (planned use
    above their confirmed volume) in ``pairs_per_year`` meetings; the price per m³ of annual right is the
    present value of the expected annual price over the term (``economics.discount_rate``)."""

    enabled: bool = False
    term_years: int = Field(5, ge=1, le=30)
    pairs_per_year: Count = 10


class ContractSavingSpec(Strict):
    """Rule W14: contract water saving (合同节水, [W §二(四)12]: "建立'合同节水+水权交易'等模式，鼓励社会资本直接参与
    节水改造工程建设及运行养护，优先获得节约的水资源使用权"). ``companies`` water-saving service companies (social
    capital, not the reserve) fund saving in holders of ``host_groups`` on the hosts' own cost curves
    (``saving``), beyond what the hosts invest themselves; of the water saved the company takes
    ``investor_share`` of the host's confirmed right for ``term_years`` and sells it at once in a W4 term deal
    to an industrial firm short of rights, at the present value of the annual price industry expects; the host
    keeps the rest, and all of it after the term. A company funds a saved m³ while its capital is at most its
    share of the term price (docs/economics.md)."""

    enabled: bool = False
    companies: int = Field(1, ge=1, le=1000, description="number of water-saving service companies")
    host_groups: list[str] = Field(
        default_factory=list, description="holder groups whose saving companies may fund (each with a saving curve)"
    )
    investor_share: Share = Field(Decimal("0.8"), description="share of the saved water the company takes for the term")
    term_years: int = Field(10, ge=1, le=30, description="contract term, years: the company's share returns after it")
    contracts_per_year: Count = 10

    @field_validator("investor_share")
    @classmethod
    def _positive_share(cls, v: Decimal) -> Decimal:
        if v <= 0:
            raise ValueError("investor_share must be above 0 (the company takes part of the saved water)")
        return v


class SupervisionSpec(Strict):
    """Rule W16: no hoarding, no squeezing of protected uses."""

    max_holding_share_of_cap: Share = Field(
        Decimal("0.05"), description="a buyer may hold at most this share of the annual cap after a purchase"
    )
    protected_sectors: list[Sector] = Field(
        default_factory=lambda: ["domestic", "ecology"],
        description="sectors whose water may not be sold to industry",
    )


class ValiditySpec(Strict):
    """Rule W2: agriculture and ecology 5 years then re-verified; industry at most 10 years, then bought
    on the market again (the right returns to the reserve)."""

    agriculture: int = Field(5, ge=1, le=MAX_YEARS)
    ecology: int = Field(5, ge=1, le=MAX_YEARS)
    domestic: int = Field(5, ge=1, le=MAX_YEARS)
    industry: int = Field(10, ge=1, le=MAX_YEARS)
    reverify_keep_share: Share = Field(
        Decimal("1"),
        description="share of a right kept when it is re-verified (W2); the rest returns to the government",
    )


class FeeSpec(Strict):
    """Rule W6: farmers pay no fee for initial rights in the 14th five-year plan; industry pays."""

    industrial_use_fee_yuan_per_m3: Money = Decimal("0.10")
    agricultural_use_fee_yuan_per_m3: Money = Decimal("0.0")
    farmer_fee_exempt_until_year: Year = 2025


class ProceedsSpec(Strict):
    """Rule W7: inside agriculture the farmer keeps all proceeds; sold to industry the farmer gets
    ``farmer_share_to_industry`` and the rest goes to the collective (用水协会)."""

    farmer_share_to_industry: Share = Decimal("0.7")


class WaterSpec(Strict):
    """The water use rights market (用水权) of one district."""

    cap_m3: int = Field(gt=0, le=MAX_QUANTITY, description="district total volume (W1), m³ per year")
    validity: ValiditySpec = Field(default_factory=ValiditySpec)
    base_prices: list[BasePrice] = Field(min_length=1)
    default_base_price_yuan_per_m3: Money = Decimal("1.081")
    pricing: dict[Sector, SectorPricing] = Field(default_factory=_default_pricing)
    assessment: Literal["year", "period"] = Field(
        "year", description="period over which W8/W9 bills are assessed"
    )
    fees: FeeSpec = Field(default_factory=FeeSpec)
    proceeds: ProceedsSpec = Field(default_factory=ProceedsSpec)
    reserve: ReserveSpec = Field(default_factory=ReserveSpec)
    supervision: SupervisionSpec = Field(default_factory=SupervisionSpec)
    long_term: LongTermSpec = Field(default_factory=LongTermSpec)
    contract_saving: ContractSavingSpec = Field(default_factory=ContractSavingSpec)
    economics: EconomicsSpec = Field(default_factory=EconomicsSpec)
    market: MarketSpec = Field(default_factory=MarketSpec)
    groups: list[HolderGroup] = Field(min_length=1)

    @model_validator(mode="after")
    def _reserve_within_cap(self) -> WaterSpec:
        if self.reserve.initial_rights_m3 > self.cap_m3:
            raise ValueError("reserve.initial_rights_m3 exceeds cap_m3 (W1: confirmed volumes never exceed the cap)")
        return self

    @model_validator(mode="after")
    def _contract_hosts(self) -> WaterSpec:
        cs = self.contract_saving
        if cs.enabled and not self.long_term.enabled:
            raise ValueError("contract_saving.enabled needs long_term.enabled: the companies sell their share "
                             "of the saved water in W4 term deals")
        by_name = {g.name: g for g in self.groups}
        for name in cs.host_groups:
            if name not in by_name:
                raise ValueError(f"contract_saving.host_groups: no group named {name!r} "
                                 f"(groups: {', '.join(by_name)})")
            if by_name[name].saving is None:
                raise ValueError(f"contract_saving.host_groups: group {name!r} has no saving cost curve; "
                                 f"give it a saving section or remove it from host_groups")
        return self

    @field_validator("groups")
    @classmethod
    def _unique_names(cls, groups: list[HolderGroup]) -> list[HolderGroup]:
        return require_unique(groups, "name", "group names")
