"""The parts of an ``.xlsx`` file of plain tables, written without openpyxl (:func:`workbook_zip`).

:func:`rights_market.report.xlsx.workbook_bytes` writes a workbook whose cells are all text, numbers,
booleans or empty here, byte for byte as openpyxl 3.1 writes it in write-only mode with the fixed
timestamps of :mod:`.xlsx` (the workbook, styles, theme, relationships, document properties and each sheet's
frame: widths, frozen header, filter; tests/report/test_xlsx_parts.py compares the two writers). Importing
and running openpyxl costs about a tenth of a second of a report; a workbook with any other value (a date,
say) is still written through openpyxl.

Styles are numbered as openpyxl numbers them: the cell formats (``cellXfs``) in the order cells first use
them, fonts (bold headers, italic notes) and custom number formats (ids from 164) in the order first set,
built-in number formats by their fixed ids.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SheetFrame", "Styles", "safe_title", "workbook_zip"]

#: openpyxl's built-in number formats and their ids (openpyxl.styles.numbers.BUILTIN_FORMATS).
BUILTIN_FORMAT_IDS = {
    "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, '"$"#,##0_);("$"#,##0)': 5,
    '"$"#,##0_);[Red]("$"#,##0)': 6, '"$"#,##0.00_);("$"#,##0.00)': 7, '"$"#,##0.00_);[Red]("$"#,##0.00)': 8,
    "0%": 9, "0.00%": 10, "0.00E+00": 11, "# ?/?": 12, "# ??/??": 13, "mm-dd-yy": 14, "d-mmm-yy": 15,
    "d-mmm": 16, "mmm-yy": 17, "h:mm AM/PM": 18, "h:mm:ss AM/PM": 19, "h:mm": 20, "h:mm:ss": 21,
    "m/d/yy h:mm": 22, "#,##0_);(#,##0)": 37, "#,##0_);[Red](#,##0)": 38, "#,##0.00_);(#,##0.00)": 39,
    "#,##0.00_);[Red](#,##0.00)": 40, r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)': 41,
    r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)': 42,
    r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)': 43,
    r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)': 44, "mm:ss": 45, "[h]:mm:ss": 46,
    "mmss.0": 47, "##0.0E+0": 48, "@": 49,
}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"
_THEME = Path(__file__).resolve().parent.parent / "data" / "xlsx_theme1.xml"  # openpyxl's theme, as it is
_FONT_XML = {"": '<font><name val="Calibri" /><family val="2" /><color theme="1" /><sz val="11" />'
                 '<scheme val="minor" /></font>',
             "b": '<font><b val="1" /></font>', "i": '<font><i val="1" /></font>'}
_COLORS = ["00000000", "00FFFFFF", "00FF0000", "0000FF00", "000000FF", "00FFFF00", "00FF00FF", "0000FFFF", "00000000", "00FFFFFF", "00FF0000", "0000FF00", "000000FF", "00FFFF00", "00FF00FF", "0000FFFF", "00800000", "00008000", "00000080", "00808000", "00800080", "00008080", "00C0C0C0", "00808080", "009999FF", "00993366", "00FFFFCC", "00CCFFFF", "00660066", "00FF8080", "000066CC", "00CCCCFF", "00000080", "00FF00FF", "00FFFF00", "0000FFFF", "00800080", "00800000", "00008080", "000000FF", "0000CCFF", "00CCFFFF", "00CCFFCC", "00FFFF99", "0099CCFF", "00FF99CC", "00CC99FF", "00FFCC99", "003366FF", "0033CCCC", "0099CC00", "00FFCC00", "00FF9900", "00FF6600", "00666699", "00969696", "00003366", "00339966", "00003300", "00333300", "00993300", "00993366", "00333399", "00333333"]
_STYLES_TAIL = (
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0" /></cellStyles>'
    '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16" />'
    "<colors><indexedColors>" + "".join(f'<rgbColor rgb="{c}" />' for c in _COLORS) + "</indexedColors></colors>"
    "</styleSheet>")
_STYLES_MIDDLE = (
    '<fills count="2"><fill><patternFill /></fill><fill><patternFill patternType="gray125" /></fill></fills>'
    '<borders count="1"><border><left /><right /><top /><bottom /><diagonal /></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>')
_APP = ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel Compatible / Openpyxl 3.1.5</Application><AppVersion>3.1</AppVersion>"
        "</Properties>")
_CORE = ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
         'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>rights-market</dc:creator>'
         '<dcterms:created xsi:type="dcterms:W3CDTF">2021-01-01T00:00:00Z</dcterms:created>'
         '<dcterms:modified xsi:type="dcterms:W3CDTF">2021-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>')
_SHEET_HEAD = (f'<worksheet xmlns="{_MAIN}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" />'
               "<pageSetUpPr /></sheetPr><sheetViews><sheetView workbookViewId=\"0\">")
_SHEET_TAIL = '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5" /></worksheet>'


class Styles:
    """Cell formats numbered as openpyxl numbers them (see the module docstring)."""

    def __init__(self) -> None:
        self.fonts = [""]  # "" the default font, "b" bold, "i" italic
        self.custom: list[str] = []  # custom number formats, ids 164 on
        self.xfs: list[tuple[int, int]] = [(0, 0)]  # (number format id, font id)

    def style(self, number_format: str | None = None, font: str = "") -> int:
        """The id of the cell format with ``number_format`` (None: General) and ``font``."""
        if font not in self.fonts:
            self.fonts.append(font)
        fmt_id = 0
        if number_format is not None:
            fmt_id = BUILTIN_FORMAT_IDS.get(number_format, -1)
            if fmt_id < 0:
                if number_format not in self.custom:
                    self.custom.append(number_format)
                fmt_id = 164 + self.custom.index(number_format)
        xf = (fmt_id, self.fonts.index(font))
        if xf not in self.xfs:
            self.xfs.append(xf)
        return self.xfs.index(xf)

    def xml(self) -> str:
        fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{_attr(f)}" />' for i, f in enumerate(self.custom))
        num_fmts = f'<numFmts count="{len(self.custom)}">{fmts}</numFmts>' if self.custom else '<numFmts count="0" />'
        fonts = f'<fonts count="{len(self.fonts)}">' + "".join(_FONT_XML[f] for f in self.fonts) + "</fonts>"
        xfs = "".join(f'<xf numFmtId="{n}" fontId="{f}" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" '
                      'xfId="0" />' for n, f in self.xfs)
        return (f'<styleSheet xmlns="{_MAIN}">{num_fmts}{fonts}{_STYLES_MIDDLE}<cellXfs count="{len(self.xfs)}">'
                f"{xfs}</cellXfs>{_STYLES_TAIL}")


@dataclass
class SheetFrame:
    """One sheet: its title, column widths, the row the frozen header is on (``header_row``; None: nothing
    frozen), the filter's range (``A1:E190``; "" for none) and its rows as XML (``<row>`` elements)."""

    title: str
    widths: Sequence[float]
    header_row: int | None
    filter_ref: str
    rows: bytes


def safe_title(title: str) -> bool:
    """Whether the fast writer writes ``title`` as openpyxl does (no control characters)."""
    return not any(ord(ch) < 0x20 for ch in title)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sheet_xml(s: SheetFrame) -> bytes:
    if s.header_row is None:
        view = '<selection activeCell="A1" sqref="A1" />'
    else:
        view = (f'<pane ySplit="{s.header_row}" topLeftCell="A{s.header_row + 1}" activePane="bottomLeft" '
                'state="frozen" /><selection pane="bottomLeft" activeCell="A1" sqref="A1" />')
    cols = "".join(f'<col width="{w:.16g}" customWidth="1" min="{j}" max="{j}" />'
                   for j, w in enumerate(s.widths, start=1))
    head = (f'{_SHEET_HEAD}{view}</sheetView></sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15" />'
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
    tail = "</sheetData>" + (f'<autoFilter ref="{s.filter_ref}" />' if s.filter_ref else "") + _SHEET_TAIL
    # a carriage return in a text cell: as a character reference (XML readers turn a raw one into a line feed)
    return head.encode() + s.rows.replace(b"\r", b"&#13;") + tail.encode()


def _absolute(ref: str) -> str:
    """``A1:E190`` -> ``$A$1:$E$190``."""
    def one(cell: str) -> str:
        letters = cell.rstrip("0123456789")
        return f"${letters}${cell[len(letters):]}"
    return ":".join(one(c) for c in ref.split(":"))


def workbook_zip(sheets: Sequence[SheetFrame], styles: Styles) -> bytes:
    """The ``.xlsx`` bytes of ``sheets`` (at least one) with the cell formats ``styles`` (zip entries in
    openpyxl's order, fixed timestamps)."""
    n = len(sheets)
    names = "".join(f'<sheet name="{_attr(s.title)}" sheetId="{i}" state="visible" r:id="rId{i}" />'
                    for i, s in enumerate(sheets, start=1))
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_text(chr(39) + s.title.replace(chr(39), chr(39) * 2) + chr(39))}!{_absolute(s.filter_ref)}</definedName>"
        for i, s in enumerate(sheets) if s.filter_ref)
    workbook = (f'<workbook xmlns:r="{_REL}" xmlns="{_MAIN}"><workbookPr /><workbookProtection /><bookViews>'
                '<workbookView visibility="visible" minimized="0" showHorizontalScroll="1" showVerticalScroll="1" '
                'showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" autoFilterDateGrouping="1" />'
                f"</bookViews><sheets>{names}</sheets>"
                + (f"<definedNames>{defined}</definedNames>" if defined else "<definedNames />")
                + '<calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>')
    sheet_rels = "".join(f'<Relationship Type="{_REL}/worksheet" Target="/xl/worksheets/sheet{i}.xml" Id="rId{i}" />'
                         for i in range(1, n + 1))
    workbook_rels = (f'<Relationships xmlns="{_PKG_REL}">{sheet_rels}'
                     f'<Relationship Type="{_REL}/styles" Target="styles.xml" Id="rId{n + 1}" />'
                     f'<Relationship Type="{_REL}/theme" Target="theme/theme1.xml" Id="rId{n + 2}" /></Relationships>')
    root_rels = (f'<Relationships xmlns="{_PKG_REL}"><Relationship Type="{_REL}/officeDocument" '
                 'Target="xl/workbook.xml" Id="rId1" /><Relationship '
                 f'Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml" Id="rId2" />'
                 f'<Relationship Type="{_REL}/extended-properties" Target="docProps/app.xml" Id="rId3" />'
                 "</Relationships>")
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.spreadsheetml.'
                        'worksheet+xml" />' for i in range(1, n + 1))
    types = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
             'ContentType="application/vnd.openxmlformats-package.relationships+xml" /><Default Extension="xml" '
             'ContentType="application/xml" />'
             f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml" />'
             f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_CT}.theme+xml" />'
             '<Override PartName="/docProps/core.xml" '
             'ContentType="application/vnd.openxmlformats-package.core-properties+xml" />'
             f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml" />{overrides}'
             f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml" /></Types>')
    parts: list[tuple[str, bytes]] = [("docProps/app.xml", _APP.encode()), ("docProps/core.xml", _CORE.encode()),
                                      ("xl/theme/theme1.xml", _THEME.read_bytes())]
    parts += [(f"xl/worksheets/sheet{i}.xml", _sheet_xml(s)) for i, s in enumerate(sheets, start=1)]
    parts += [("xl/styles.xml", styles.xml().encode()), ("_rels/.rels", root_rels.encode()),
              ("xl/workbook.xml", workbook.encode()), ("xl/_rels/workbook.xml.rels", workbook_rels.encode()),
              ("[Content_Types].xml", types.encode())]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, content in parts:
            zi = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, content)
    return out.getvalue()
