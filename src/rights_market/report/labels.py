"""Every visible word of the report, in English and Chinese: the catalogues ``data/labels/<lang>.yaml``.

``LABELS[lang][key]`` is a plain string, possibly with ``str.format`` fields. The report code never writes
visible text itself: it looks it up here through :class:`Labels`. Code values from the tables are looked
up under ``"<prefix>.<code>"``: ``right``, ``mech`` (mechanisms), ``kind`` (charge kinds), ``reason``
(rejection reasons), ``action`` (reserve actions), ``event`` (registry events), ``metric`` (KPI metrics),
``product``, ``pollutant``, ``sector``, ``unit``, ``inst`` (institutions), ``group`` (holder groups of the
shipped scenarios, :meth:`Labels.group`), ``weather``. Patterned names get a label built
from their parts (``surcharge_revenue_band_<k>``, ``<metric>_<pollutant>``, ``<metric>_<mechanism>``,
``pledged:<product>``, ``<product>.pledged``; templates under ``pattern.``). A code without any label is
shown as it is, so a new reason or mechanism still shows up.

Some labels equal their code in English on purpose: unit symbols (``kg``, ``t``, ``mu``, ``%``) and
pollutant formulas (``NOx``, ``SO2``, ``COD``, ``NH3-N``).

Both catalogues must have exactly the same keys (checked by ``tests/report/test_report_labels.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

LANGS: tuple[str, ...] = ("en", "zh")

#: Where the catalogues are: one ``<lang>.yaml`` per language, a flat mapping ``key: text``.
CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "data" / "labels"


#: A line of a catalogue in its plain form: blank, a comment, or ``"key": "text"`` (double-quoted, no escapes,
#: no control characters), whose YAML meaning is the characters between the quotes.
_PLAIN_TEXT = '[^"\\\\\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ufeff\\ufffe\\uffff]*'  # nothing YAML reads specially
_PLAIN_LINE = re.compile(f'(?:"({_PLAIN_TEXT})": "({_PLAIN_TEXT})"|#[^\\n]*|)')


def _plain_catalogue(text: str) -> dict[str, str] | None:
    """The mapping of ``text`` when every line has the plain form of :data:`_PLAIN_LINE` and no key repeats;
    else None (then the YAML parser reads it, and reports what is wrong). The shipped catalogues are plain:
    this reads them about forty times faster than the YAML parser, with the same result."""
    data: dict[str, str] = {}
    for line in text.split("\n"):
        m = _PLAIN_LINE.fullmatch(line.rstrip("\r"))
        if m is None:
            return None
        key = m.group(1)
        if key is not None:
            if key in data:
                return None
            data[key] = m.group(2)
    return data or None


def load_catalogue(lang: str, directory: Path = CATALOGUE_DIR) -> dict[str, str]:
    """The labels of ``lang`` from ``<directory>/<lang>.yaml``, read with the safe loader (plain data only;
    a duplicate key is an error). Every key and value must be a string. A catalogue of plain lines only
    (:func:`_plain_catalogue`) is read without the YAML parser, to the same mapping."""
    path = Path(directory) / f"{lang}.yaml"
    text = path.read_text(encoding="utf-8")
    plain = _plain_catalogue(text)
    if plain is not None:
        return plain
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of label keys to texts")
    bad = [k for k, v in data.items() if not (isinstance(k, str) and isinstance(v, str))]
    if bad:
        raise ValueError(f"{path}: labels must be text; not text: {bad[:5]}")
    return data


LABELS: dict[str, dict[str, str]] = {lang: load_catalogue(lang) for lang in LANGS}


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
    "cap",
    "emissions_over_cap",
    "expected_price",
    "anticipated_price",
    "planned_abatement",
    "retired",
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

    def relation(self, relation: object, deal: object = "", lease_years: int = 0, flag: object = "") -> str:
        """A kind of trade in words, from the trade's columns: ``relation`` ``reserve->firm``, ``deal``
        ``primary sale mixed standard``, ``lease_years`` 20, ``price_flag`` ``low`` → ``20-year lease, primary
        sale mixed-use standard plot: Reserve → Firms (price flagged low)``. Sectors and institutions by their
        ``relation.party`` or ``sector`` label, deal words by ``relation.word``; a deal word with a
        ``relation.note`` label (``first_refusal``) is a remark in brackets. Parts without a label keep their
        spelling; a relation that is not ``seller->buyer`` is shown as it is."""
        head = []
        if int(lease_years or 0) > 0:
            head.append(self("relation.lease", years=int(lease_years)))
        words = str(deal or "").split()
        notes = [w for w in words if f"relation.note.{w}" in self._text]
        words = [w for w in words if w not in notes]
        if words:
            sep = self("relation.word_sep") if all(self.has(f"relation.word.{w}") for w in words) else " "
            head.append(sep.join(self.code("relation.word", w) for w in words))
        out = self("relation.list_sep").join(head)
        seller, arrow, buyer = str(relation or "").partition("->")
        parties = (self("relation.parties", seller=self._party(seller.strip()), buyer=self._party(buyer.strip()))
                   if arrow else str(relation or ""))
        if parties:
            out = self("relation.with_mode", mode=out, parties=parties) if out else parties
        for note in notes:
            out = self("relation.note", relation=out, note=self(f"relation.note.{note}"))
        if flag:
            out = self("relation.flagged", relation=out, flag=self.code("relation.flag", str(flag)))
        return out[:1].upper() + out[1:] if self.lang == "en" and arrow else out

    def _party(self, party: str) -> str:
        for prefix in ("relation.party", "sector"):
            text = self._text.get(f"{prefix}.{party}")
            if text is not None:
                return text
        return party

    def group(self, group: object) -> str:
        """Display name of a holder group (``group.<id>``: ``industrial_firms`` → ``工业企业`` in Chinese; the
        English labels are the ids themselves), or the id."""
        return self.code("group", group)

    def holder_name(self, name: object, group: object) -> str:
        """A holder's name with its group's display name: a generated name ``<group>-<n>``
        (``industrial_firms-58``) becomes ``<display name>-<n>`` (``工业企业-58``); other names stay."""
        name, group = str(name), str(group)
        n = name[len(group) + 1 :]
        if group and name.startswith(f"{group}-") and n.isdigit():
            return f"{self.group(group)}-{n}"
        return name

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
