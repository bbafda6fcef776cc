"""Trading mechanisms, independent of the right traded (rule X1): a continuous double auction, a call auction,
listing with bidding (挂牌竞价), English auction with a reserve (拍卖), tender (招标), directed transfer (定向).
See ``docs/mechanisms.md``.

Prices are integer ticks (0.0001 yuan per base unit), quantities integer base units; see
:mod:`rights_market.units`.
"""

from rights_market.market.auction import (
    AscendingRound,
    AuctionResult,
    EnglishAuction,
    RoundRules,
    english_auction,
)
from rights_market.market.call_auction import CallResult, clear_call_auction
from rights_market.market.directed import DirectedResult, check_directed, negotiate_directed
from rights_market.market.gs_auction import GodeSunderAuction as GodeSunderAuction
from rights_market.market.listing import Listing, ListingTerms, run_listing
from rights_market.market.orderbook import (
    BUY,
    CANCEL_COLUMNS,
    FILL_COLUMNS,
    ORDER_COLUMNS,
    REJECTION_COLUMNS,
    SELL,
    ContinuousDoubleAuction,
)
from rights_market.market.tender import TenderResult, TenderTerms, run_tender

__all__ = [
    "BUY",
    "CANCEL_COLUMNS",
    "FILL_COLUMNS",
    "ORDER_COLUMNS",
    "REJECTION_COLUMNS",
    "SELL",
    "AscendingRound",
    "AuctionResult",
    "CallResult",
    "ContinuousDoubleAuction",
    "DirectedResult",
    "EnglishAuction",
    "Listing",
    "ListingTerms",
    "RoundRules",
    "TenderResult",
    "TenderTerms",
    "check_directed",
    "clear_call_auction",
    "english_auction",
    "negotiate_directed",
    "run_listing",
    "run_tender",
]
