"""From the water scenario's prices (yuan) to the engine's exact rules objects (ticks): W5, W8, W9."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ...rules.tariffs import BlockTariff, ProgressiveSurcharge
from ...scenario.water import SECTORS, SectorPricing, WaterSpec
from ...units import decimal_to_rational, yuan_to_ticks


def block_tariff(p: SectorPricing) -> BlockTariff | None:
    if p.tariff is None:
        return None
    return BlockTariff(
        edges=tuple(p.tariff.edges_m3),
        rates=tuple(Fraction(yuan_to_ticks(r)) for r in p.tariff.yuan_per_m3),
    )


def surcharge(p: SectorPricing) -> ProgressiveSurcharge | None:
    if p.surcharge is None:
        return None
    s = p.surcharge
    return ProgressiveSurcharge(
        width=decimal_to_rational(s.band_width_share),
        step=decimal_to_rational(s.step_share),
        reference_price=Fraction(yuan_to_ticks(s.reference_yuan_per_m3)),
        max_band=s.max_band,
    )


@dataclass(frozen=True)
class WaterPricing:
    """Exact prices of one water scenario: base prices per relation (W5) and bills per sector (W8, W9)."""

    base_ticks: np.ndarray  # [seller sector, buyer sector] -> ticks per m³ (rule W5)
    default_base_ticks: int
    tariffs: dict[str, BlockTariff | None]
    surcharges: dict[str, ProgressiveSurcharge | None]
    surcharge_base: dict[str, str]

    @classmethod
    def from_spec(cls, spec: WaterSpec) -> WaterPricing:
        default = yuan_to_ticks(spec.default_base_price_yuan_per_m3)
        base = np.full((len(SECTORS), len(SECTORS)), default, dtype=np.int64)
        for bp in spec.base_prices:
            base[SECTORS.index(bp.seller), SECTORS.index(bp.buyer)] = yuan_to_ticks(bp.yuan_per_m3)
        tariffs, surcharges, bases = {}, {}, {}
        for sector in SECTORS:
            p = spec.pricing.get(sector)
            tariffs[sector] = block_tariff(p) if p else None
            surcharges[sector] = surcharge(p) if p else None
            bases[sector] = p.surcharge_base if p else "plan"
        return cls(base, default, tariffs, surcharges, bases)

    def base_price(self, seller_sector: np.ndarray, buyer_sector: np.ndarray) -> np.ndarray:
        """Base price (ticks/m³) of each trade's relation; a −1 sector (the reserve) takes the default."""
        s = np.asarray(seller_sector)
        b = np.asarray(buyer_sector)
        ok = (s >= 0) & (b >= 0)
        out = np.full(s.shape, self.default_base_ticks, dtype=np.int64)
        out[ok] = self.base_ticks[s[ok], b[ok]]
        return out
