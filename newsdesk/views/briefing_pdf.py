"""Briefings as PDF (``newsdesk brief … --format pdf``), written with fpdf2.

The same briefing dict as the Markdown and HTML renderers (:mod:`newsdesk.views.briefing`), laid
out for print: the title and meta line, the outlets, the summary (each sentence with its outlet,
linked), the timeline, the framing, who said what, the positions map as a table when there is
one, and every article with its link; a thread's stories in time order, a search's results. The
sections are PDF bookmarks; links are live (http(s) only, as in the HTML).

Text is untrusted, but a PDF has no markup to inject into: it is only ever written as text runs.
PDF's standard fonts cover Latin-1 only, so the text needs a Unicode TrueType font (Cyrillic,
Greek, accented Latin): setting ``pdf_font``, else DejaVu Sans as matplotlib ships it (the
``pdf`` extra: ``pip install 'newsdesk[pdf]'``), else the system's DejaVu Sans (Debian's
``fonts-dejavu-core``); fpdf2 embeds the subset of glyphs used.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsdesk.errors import NewsdeskError
from newsdesk.nlp.tokens import quoted

Briefing = dict[str, Any]
Run = tuple[str, str, str]  # (text, style: "", "B" or "I", link or "")

# DejaVu Sans regular, bold and oblique: where matplotlib and the common Linux packages put them
_DEJAVU = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
_SYSTEM_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu (fonts-dejavu-core)
    "/usr/share/fonts/dejavu-sans-fonts",  # Fedora
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",  # Arch
)
FAMILY = "BriefingSans"


class FontMissing(NewsdeskError):
    """No Unicode TrueType font for a PDF briefing; says how to get one."""


def font_files(pdf_font: str = "") -> tuple[str, str, str]:
    """(regular, bold, italic) TrueType files for the PDF: ``pdf_font`` (one file for every
    style), else matplotlib's DejaVu Sans, else the system's. Raises FontMissing."""
    if pdf_font:
        path = Path(pdf_font).expanduser()
        if not path.is_file():
            raise FontMissing(f"setting pdf_font: no font file {pdf_font!r}")
        return str(path), str(path), str(path)
    dirs: list[Path] = []
    spec = importlib.util.find_spec("matplotlib")  # its data files only: nothing is imported
    if spec is not None and spec.submodule_search_locations:
        dirs += [Path(p) / "mpl-data" / "fonts" / "ttf" for p in spec.submodule_search_locations]
    dirs += [Path(d) for d in _SYSTEM_DIRS]
    for d in dirs:
        files = [d / name for name in _DEJAVU]
        if all(f.is_file() for f in files):
            return str(files[0]), str(files[1]), str(files[2])
    raise FontMissing(
        "a PDF briefing needs a Unicode TrueType font and none was found: "
        "pip install 'newsdesk[pdf]' (DejaVu Sans, as matplotlib ships it), or install the "
        "system's DejaVu fonts (apt-get install fonts-dejavu-core), or set pdf_font to a .ttf"
    )


def _url(url: Any) -> str:
    return str(url) if url and str(url).startswith(("http://", "https://")) else ""


def _line(text: Any) -> str:
    return " ".join(str(text or "").split())


class _Writer:
    """fpdf2 calls for the briefing's parts: headings, paragraphs and bullets of linked runs.

    Each block is one fpdf2 text region (``text_columns``), which wraps a paragraph of runs in
    several fonts and links at word boundaries; it is rendered when its block ends, so a
    heading's bookmark lands where the heading is.
    """

    def __init__(self, fonts: tuple[str, str, str], title: str) -> None:
        from fpdf import FPDF  # lazy: only a PDF briefing needs it

        pdf = FPDF(format="A4", unit="mm")
        pdf.set_margins(18, 16, 18)
        pdf.set_auto_page_break(True, margin=16)
        for style, path in zip(("", "B", "I"), fonts, strict=True):
            pdf.add_font(FAMILY, style, path)
        pdf.set_title(title)
        pdf.set_creator("newsdesk")
        pdf.add_page()
        self.pdf = pdf

    def heading(self, text: str, level: int) -> None:
        pdf = self.pdf
        size = {1: 18, 2: 14, 3: 12}.get(level, 11)
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()  # a heading never ends a page
        pdf.start_section(_line(text)[:120] or "(untitled)", level=level - 1)
        self._block([(_line(text), "B", "")], size, top=4 if level > 1 else 0, bottom=1.5)

    def para(self, runs: Sequence[Run], size: float = 10, grey: bool = False) -> None:
        """A paragraph of (text, style, link) runs."""
        self._block(runs, size, grey=grey, bottom=1.5)

    def bullet(self, runs: Sequence[Run], indent: float = 0, size: float = 10) -> None:
        self._block(runs, size, indent=indent + 4, bullet="•", bottom=1)

    def _block(
        self,
        runs: Sequence[Run],
        size: float,
        grey: bool = False,
        indent: float = 0,
        bullet: str = "",
        top: float = 0,
        bottom: float = 0,
    ) -> None:
        pdf = self.pdf
        ink = (90, 90, 90) if grey else (20, 20, 20)
        pdf.set_font(FAMILY, "", size)
        pdf.set_text_color(*ink)
        region = pdf.text_columns(text_align="LEFT", line_height=1.2)
        with region, region.paragraph(
            indent=indent, bullet_string=bullet, bullet_r_margin=1.5,
            top_margin=top, bottom_margin=bottom,
        ) as par:  # fmt: skip
            for text, style, link in runs:
                pdf.set_font(FAMILY, style, size)
                pdf.set_text_color(*((20, 70, 160) if link else ink))
                par.write(text, link=link or None)
        pdf.set_text_color(20, 20, 20)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        pdf = self.pdf
        pdf.set_font(FAMILY, "", 8)
        with pdf.table(text_align="LEFT", line_height=4, first_row_as_headings=True) as t:
            for row in [header, *rows]:
                r = t.row()
                for cell in row:
                    r.cell(_line(cell))
        pdf.ln(2)

    def output(self) -> bytes:
        # fontTools logs every subset it makes at INFO; that is no news for the briefing's user
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        return bytes(self.pdf.output())


def to_pdf(b: Briefing, pdf_font: str = "") -> bytes:
    """A briefing (:func:`newsdesk.api.briefing`) as a PDF document."""
    fonts = font_files(pdf_font)
    kind = b["kind"]
    title = {"thread": "Thread: ", "search": "Search: "}.get(kind, "") + _line(b["title"])
    w = _Writer(fonts, title)
    if kind == "thread":
        w.heading(title, 1)
        if b.get("since"):
            w.para([(f"Since {b['since']}.", "", "")], grey=True)
        for s in b["stories"]:
            _story(w, s, 2)
        _positions(w, b.get("positions"), 2)
    elif kind == "search":
        w.heading(title, 1)
        n = len(b["articles"])
        w.para([(f"{n} {'result' if n == 1 else 'results'}.", "", "")], grey=True)
        for a in b["articles"]:
            w.bullet(_article_runs(a))
            if a.get("snippet"):
                w.para([(_line(a["snippet"]), "I", "")], size=9, grey=True)
    else:
        _story(w, b, 1)
    w.para([("Made by newsdesk.", "I", "")], size=8, grey=True)
    return w.output()


def _article_runs(a: Briefing) -> list[Run]:
    meta = ", ".join(x for x in (a.get("outlet"), a.get("date")) if x)
    runs = [(_line(a["title"]), "", _url(a.get("url")))]
    return runs + ([(f" ({_line(meta)})", "", "")] if meta else [])


def _story(w: _Writer, s: Briefing, level: int) -> None:
    w.heading(s["title"], level)
    n = s["articles_total"]
    span = " – ".join(
        dict.fromkeys(x[:10] for x in (s.get("first_published"), s.get("last_published")) if x)
    )
    meta = f"Story {s['id']} · {n} {'article' if n == 1 else 'articles'}"
    meta += (f" · {span}" if span else "") + (f" · since {s['since']}" if s.get("since") else "")
    w.para([(meta, "", "")], size=9, grey=True)
    if s["outlets"]:
        outlets = ", ".join(f"{_line(o['outlet'])} ({o['articles']})" for o in s["outlets"])
        w.para([("Outlets: ", "B", ""), (outlets, "", "")])
    sub = level + 1
    if s["summary"]:
        w.heading("Summary", sub)
        for x in s["summary"]:
            w.bullet(
                [(_line(x["text"]) + " (", "", ""), (_line(x["outlet"] or "source"), "",
                  _url(x.get("url"))), (")", "", "")]
            )  # fmt: skip
    if s["timeline"]:
        w.heading("Timeline", sub)
        for t in s["timeline"]:
            runs = [(f"{t['date']}  ", "B", "")]
            if t["kind"] == "event":
                runs.append((_line(t["text"]), "", ""))
            else:
                runs.append((_line(t["text"]), "", _url(t.get("url"))))
                if t.get("outlet"):
                    runs.append((f" — {_line(t['outlet'])}", "", ""))
            w.bullet(runs)
    if s["framing"]:
        w.heading("Framing", sub)
        for f in s["framing"]:
            terms = ", ".join(_line(x) for x in f["terms"]) or "—"
            w.bullet([(_line(f["outlet"]), "B", ""), (f": {terms}", "", "")])
            for x in f["sentences"]:
                w.bullet([(_line(quoted(x)), "I", "")], indent=6)
    if s["quotes"]:
        w.heading("Who said what", sub)
        for q in s["quotes"]:
            who = _line(q["speaker"]) + (f", {_line(q['role'])}" if q.get("role") else "")
            src = ", ".join(x for x in (q.get("outlet"), q.get("date")) if x)
            runs = [(who, "B", ""), (": " + _line(quoted(q["text"])), "", "")]
            if src:
                runs += [(" (", "", ""), (_line(src), "", _url(q.get("url"))), (")", "", "")]
            w.bullet(runs)
    _positions(w, s.get("positions"), sub)
    if s["articles"]:
        w.heading("Articles", sub)
        for a in s["articles"]:
            w.bullet(_article_runs(a))


def _positions(w: _Writer, m: Briefing | None, level: int) -> None:
    if not m:
        return
    w.heading("Positions", level)
    parties = list(m["parties"])
    rows = [[r["label"], *(r["cells"][p]["stance"] for p in parties)] for r in m["issues"]]
    w.table(["issue", *parties], rows)
