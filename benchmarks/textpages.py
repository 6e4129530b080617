"""Plain-text page cleaner: token F1 of the clean body against the gold body, per renderer.

Each HTML page of the gold sets (zyte-article-bench, fundus-news-pages, trafilatura-eval,
l3s-gn1) is rendered to plain text *with all its furniture*, the way scrapers that copy a page's
visible text see it, by four renderers (``RENDERERS``): inscriptis (block elements → lines,
bullets stripped), ``w3m -dump -cols 100`` and ``lynx -dump -width 100`` (text browsers:
paragraphs wrapped at 100 columns, lynx with numbered links and a References list), and lxml
text nodes one per line (what BeautifulSoup's ``get_text("\\n")`` gives: an inline link cuts a
sentence). Navigation, related headlines, share buttons, footers all stay in.

Rows, per set and renderer (same pages): ``no cleaning`` (the whole rendered text: recall
ceiling); the newsdesk cleaner, with ``refused`` = pages ingest would refuse (must be 0); per
site-disjoint fold and per language group of the gold (en / other / cyrillic); and, per set,
``trafilatura (HTML)``: trafilatura 2 on the original HTML (it sees the markup, we do not).

Two modes. ``--folds K``: site-disjoint K-fold cross-validation: for each fold a model is
trained (``scripts/train_cleaner.py``'s ``train``) on the pages of the *other* folds' sites
of the trainable sets (zyte, fundus, trafilatura-eval) and scores the fold's pages, so every
figure is for sites never seen; notes give mean ± spread over folds. Without ``--folds``: the
shipped model, its rows on sets it was trained on marked ``SEEN IN TRAINING``. l3s-gn1
(research use only) is never trained on, so its rows are unseen in both modes; the gate's quick
mode scores the shipped model there.

Metric: full gold bodies: the zyte ``evaluate.py`` convention, re-implemented (per page,
multisets of word 4-gram shingles, tokens = ``\\w+``; TP/FP/FN normalised by their sum;
precision and recall averaged over pages; F1 = harmonic mean of the averages).
trafilatura-eval: its snippet convention (``with`` found = TP, missing = FN, ``without``
found = FP, over all snippets).

Usage:  python benchmarks/textpages.py [--data DIR ...] [--renderers ...] [--folds K]
        [--model PATH] [--cache DIR] [--limit N] [--no-trafilatura] [--json]
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, default_data, emit, files, parser
from _common import zyte_score as score

Page = tuple[str, str, str]  # (page id, html, gold body)

_BULLET = re.compile(r"^(?:[*o+\-]|\d+\.)\s+(?=\S)")


def render(html: str) -> str:
    """The page's visible text with its furniture, one block per line (see module docstring)."""
    from inscriptis import get_text

    try:
        raw = get_text(_no_xml_declaration(html))
    except ValueError:  # lxml still refuses it (a broken declaration): start at <html>
        start = html.lower().find("<html")
        try:
            raw = get_text(html[start:]) if start > 0 else ""
        except ValueError:
            raw = ""
    out: list[str] = []
    for line in raw.splitlines():
        s = _BULLET.sub("", line.strip()).strip()
        if s or (out and out[-1]):
            out.append(s)
    return "\n".join(out).strip()


_XML_DECLARATION = re.compile(r"<\?xml[^>]*>")


def _no_xml_declaration(html: str) -> str:
    """lxml refuses a str that declares its encoding (XHTML pages start so); the text is decoded."""
    return _XML_DECLARATION.sub("", html, count=1) if "<?xml" in html[:200_000] else html


def render_w3m(html: str) -> str:
    """``w3m -dump -cols 100``: a text browser's dump, paragraphs wrapped at 100 columns."""
    return _run(
        ["w3m", "-dump", "-cols", "100", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8"], html
    )


def render_lynx(html: str) -> str:
    """``lynx -dump -width 100``: wrapped, indented, numbered links and a References list."""
    cmd = ["lynx", "-dump", "-width", "100", "-stdin", "-assume_charset=utf-8"]
    return _run([*cmd, "-display_charset=utf-8", "-nomargins"], html)


def render_lxml(html: str) -> str:
    """Every text node on its own line (BeautifulSoup ``get_text("\\n")``, scripts and styles out).

    The harshest rendering: an inline link splits its paragraph into several lines.
    """
    import lxml.html

    try:
        root = lxml.html.document_fromstring(_no_xml_declaration(html))
    except Exception:  # an empty or unparsable document renders to nothing
        return ""
    for bad in root.xpath("//script|//style|//template"):
        bad.drop_tree()
    parts = (t.strip() for t in root.itertext())
    return "\n".join(t for t in parts if t)


def _run(cmd: list[str], html: str) -> str:
    import subprocess

    try:
        done = subprocess.run(
            cmd, input=html.encode("utf-8", "replace"), capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.decode("utf-8", "replace")


# name -> renderer; the first three are what scrapers use, "lxml" is get_text with newlines.
RENDERERS = {"inscriptis": render, "w3m": render_w3m, "lynx": render_lynx, "lxml": render_lxml}


# --- data sets ------------------------------------------------------------------------------


def set_kind(folder: Path) -> str:
    if (folder / "ground-truth.json").exists():
        return "zyte"
    if list(folder.glob("expected*.jsonl*")):
        return "fundus"
    sys.exit(f"{folder}: neither a zyte-article-bench nor a fundus-news-pages folder")


def load_pages(folder: Path) -> Iterator[Page]:
    """(id, html, gold body) of every page in a zyte or fundus folder."""
    kind = set_kind(folder)
    if kind == "zyte":
        for gt_path in files(folder, "ground-truth*.json"):
            gt = json.loads(gt_path.read_text(encoding="utf-8"))
            for pid, item in sorted(gt.items()):
                path = folder / "html" / f"{pid}.html.gz"
                if path.exists():
                    yield f"zyte/{pid}", _gunzip(path), item["articleBody"]
        return
    for exp_path in files(folder, "expected*.jsonl*"):
        opener = gzip.open if exp_path.suffix == ".gz" else open
        with opener(exp_path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                body = rec["expected"].get("body") or {}
                parts = list(body.get("summary", []))
                for sec in body.get("sections", []):
                    parts += list(sec.get("headline", [])) + list(sec.get("paragraphs", []))
                gold = "\n\n".join(p for p in parts if p.strip())
                if not gold:
                    continue
                yield f"fundus/{rec['id']}", _gunzip(folder / rec["html_file"]), gold


def _gunzip(path: Path) -> str:
    with gzip.open(path) as fh:
        return fh.read().decode("utf-8", "replace")


@dataclass(frozen=True)
class GoldPage:
    """One page of any gold set: its site (for site-disjoint folds) and its gold.

    ``gold`` is the full article body (zyte, fundus, l3s) or None; ``snippets`` holds
    trafilatura-eval's ``with``/``without`` snippets instead.
    """

    set: str
    id: str
    site: str
    html: str
    gold: str | None
    snippets: dict[str, list[str]] | None = None
    url: str | None = None


def site_of(url: str) -> str:
    """The registrable-ish site of a URL: host without ``www.`` (good enough for grouping)."""
    from urllib.parse import urlsplit

    host = urlsplit(url if "//" in url else "http://" + url).hostname or url
    return host.removeprefix("www.")


def gold_pages(folder: Path) -> Iterator[GoldPage]:
    """Every page of a zyte, fundus, trafilatura-eval or l3s-gn1 folder, with its site."""
    if (folder / "evaldata.json").exists():
        yield from _trafeval_pages(folder)
        return
    if (folder / "url-mapping.txt").exists():
        yield from _l3s_pages(folder)
        return
    kind = set_kind(folder)
    if kind == "zyte":
        gt = {}
        for gt_path in files(folder, "ground-truth*.json"):
            gt.update(json.loads(gt_path.read_text(encoding="utf-8")))
        for pid, html, gold in load_pages(folder):
            url = gt[pid.removeprefix("zyte/")].get("url", pid)
            yield GoldPage("zyte", pid, site_of(url), html, gold, url=url)
        return
    publisher, urls = {}, {}
    for exp_path in files(folder, "expected*.jsonl*"):
        opener = gzip.open if exp_path.suffix == ".gz" else open
        with opener(exp_path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    publisher[f"fundus/{rec['id']}"] = f"{rec['group']}/{rec['publisher']}"
                    urls[f"fundus/{rec['id']}"] = rec.get("url")
    for pid, html, gold in load_pages(folder):
        yield GoldPage("fundus", pid, publisher[pid], html, gold, url=urls[pid])


def _trafeval_pages(folder: Path) -> Iterator[GoldPage]:
    ev = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    for key, item in sorted(ev.items()):
        path = folder / "html" / f"{item['file']}.gz"
        if not path.exists():
            continue
        with gzip.open(path) as fh:
            html = _decode_html(fh.read())
        name = key.split("::", 1)[-1]
        site = site_of(name) if "://" in name else name.split("-", 1)[0]
        snippets = {"with": list(item.get("with", [])), "without": list(item.get("without", []))}
        url = name if "://" in name else None
        yield GoldPage("trafeval", f"trafeval/{key}", site, html, None, snippets, url)


def _l3s_pages(folder: Path) -> Iterator[GoldPage]:
    import lxml.html

    urls = {}
    for line in (folder / "url-mapping.txt").read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            urn, url = line.split("\t", 1)
            urls[urn.strip("<>").removeprefix("urn:uuid:")] = url.strip()
    for ann_path in sorted((folder / "annotated").glob("*.html.gz")):
        uid = ann_path.name.removesuffix(".html.gz")
        orig = folder / "original" / ann_path.name
        if not orig.exists():
            continue
        with gzip.open(ann_path) as fh:
            ann = lxml.html.document_fromstring(_decode_html(fh.read()))
        blocks = ["".join(el.itertext()) for el in ann.xpath('//*[contains(@class, "x-nc-sel2")]')]
        gold = "\n\n".join(" ".join(b.split()) for b in blocks if b.strip())
        if not gold:
            continue
        with gzip.open(orig) as fh:
            html = _decode_html(fh.read())
        yield GoldPage(
            "l3s", f"l3s/{uid}", site_of(urls.get(uid, uid)), html, gold, url=urls.get(uid)
        )


def _decode_html(raw: bytes) -> str:
    from newsdesk.ingest.decode import decode

    try:
        return decode("page.html", raw)
    except Exception:  # undecodable: replacement characters rather than a lost page
        return raw.decode("utf-8", "replace")


def rendered(pages: list[GoldPage], renderer: str, cache: Path | None = None) -> list[str]:
    """Each page rendered by ``renderer``; cached per page in ``cache`` (outside the repo)."""
    import hashlib

    fn = RENDERERS[renderer]
    out = []
    for page in pages:
        path = None
        if cache:
            key = hashlib.sha1(f"{renderer}\0{page.id}".encode()).hexdigest()[:20]
            path = cache / renderer / f"{key}.txt"
            if path.exists():
                out.append(path.read_text(encoding="utf-8"))
                continue
        text = fn(page.html)
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        out.append(text)
    return out


# --- systems --------------------------------------------------------------------------------


def trafilatura_body(html: str) -> str:
    import trafilatura

    try:
        return trafilatura.extract(html, include_comments=False, include_tables=True) or ""
    except Exception:  # an extractor crash counts as an empty output (a full miss)
        return ""


SET_NAMES = {
    "zyte": "zyte-article-bench",
    "fundus": "fundus-news-pages",
    "trafeval": "trafilatura-eval",
    "l3s": "l3s-gn1",
}
TRAINABLE = ("zyte", "fundus", "trafeval")  # l3s-gn1 is research-use only: scored, never trained


def load_cleaner(model: Path | None):  # type: ignore[no-untyped-def]
    from newsdesk.ingest import plaintext

    return plaintext.Cleaner.load(model) if model else plaintext.default_cleaner()


def refused(text: str) -> bool:
    """Whether ingest refuses this rendered page (sniffed wrong, or no article text found).

    A renderer's empty output is not a page, so it is not counted.
    """
    from newsdesk.ingest import sources
    from newsdesk.ingest.articles import extract

    if not text.strip():
        return False

    try:
        docs = list(sources.read_source("page", text.encode("utf-8"), 50_000_000))
        return not docs or any(
            not hasattr(d, "kind") or not str(extract(d).get("text") or "").strip() for d in docs
        )
    except Exception:  # any error is a refusal
        return True


def language_group(gold: str) -> str:
    """en, cyrillic (Ukrainian, Russian, …) or other, from the gold body's language/script."""
    from newsdesk.nlp.language import detect_language

    letters = [ch for ch in gold[:3000] if ch.isalpha()]
    if letters and sum("\u0400" <= ch <= "\u04ff" for ch in letters) > 0.5 * len(letters):
        return "cyrillic"
    return "en" if detect_language(gold[:3000]) == "en" else "other"


def snippet_score(pages: list[GoldPage], preds: list[str]) -> dict[str, float]:
    """trafilatura-eval's convention: ``with`` snippets found = TP, missing = FN, ``without``
    snippets found = FP; precision, recall, F1 over all snippets of all pages."""
    tp = fn = fp = 0
    for page, pred in zip(pages, preds, strict=True):
        text = " ".join(pred.split())
        for snip in (page.snippets or {}).get("with", []):
            if " ".join(snip.split()) in text:
                tp += 1
            else:
                fn += 1
        fp += sum(" ".join(sn.split()) in text for sn in (page.snippets or {}).get("without", []))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r}


def _scores(pages: list[GoldPage], preds: list[str]) -> dict[str, float]:
    if pages and pages[0].gold is None:
        return snippet_score(pages, preds)
    return score(zip([p.gold or "" for p in pages], preds, strict=True))


def seed_speed(cleaner, repeat: int = 200) -> str:  # type: ignore[no-untyped-def]
    """CPU time to clean each seed page (the cleaner's own input format), best of 3 runs."""
    seeds = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
    parts = []
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        cleaner.clean(text)
        best = float("inf")
        for _ in range(3):
            c0 = time.process_time()
            for _ in range(repeat):
                cleaner.clean(text)
            best = min(best, (time.process_time() - c0) / repeat)
        parts.append(f"{path.stem[:3]} {1000 * best:.2f} ms")
    c0 = time.process_time()
    for _ in range(20_000):
        sum(range(1000))
    ref = (time.process_time() - c0) / 20_000 * 1e6
    return (
        f"Seed pages, CPU per page: {', '.join(parts)} (reference loop sum(range(1000)) took "
        f"{ref:.1f} µs here; ~9 µs on an idle modern core)"
    )


def main() -> None:
    ap = parser(__doc__.splitlines()[0])
    ap.add_argument(
        "--data",
        action="append",
        type=Path,
        help="a zyte-article-bench, fundus-news-pages, trafilatura-eval or l3s-gn1 folder "
        "(repeatable; default: all four)",
    )
    ap.add_argument("--renderers", nargs="+", default=list(RENDERERS), choices=list(RENDERERS))
    ap.add_argument(
        "--folds",
        type=int,
        default=0,
        help="K > 1: site-disjoint K-fold cross-validation (a model trained per fold on the "
        "other folds' sites of the trainable sets, by scripts/train_cleaner.py); "
        "0: the shipped model",
    )
    ap.add_argument("--model", type=Path, help="cleaner model JSON (default: the shipped one)")
    ap.add_argument("--cache", type=Path, help="keep rendered pages here (outside the repo)")
    ap.add_argument("--limit", type=int, default=0, help="at most N pages per folder (0 = all)")
    ap.add_argument("--no-trafilatura", action="store_true", help="skip the trafilatura row")
    args = ap.parse_args()
    folders = args.data or [default_data(n) for n in SET_NAMES.values()]
    pages: list[GoldPage] = []
    for folder in folders:
        got = list(gold_pages(folder))
        pages += got[: args.limit] if args.limit else got
    sets = list(dict.fromkeys(p.set for p in pages))
    rows: list[dict] = []
    notes: list[str] = []
    texts = {r: rendered(pages, r, args.cache) for r in args.renderers}
    traf = [] if args.no_trafilatura else [trafilatura_body(p.html) for p in pages]
    # predictions: fold -> model; -1 = the shipped (or given) model
    folds = args.folds if args.folds > 1 else 0
    if folds:
        sys.path.insert(0, str(ROOT / "scripts"))
        import train_cleaner as tc  # the training script: one model per fold

        fold = [tc.fold_of(p.site, folds) for p in pages]
        cleaners = {}
        for k in range(folds):
            train_pages = [
                p for p, f in zip(pages, fold, strict=True) if f != k and p.set in TRAINABLE
            ]
            exs = tc.examples(train_pages, args.renderers, args.cache)
            exs += tc.crops(exs)
            cleaners[k] = load_cleaner_from(tc.train(exs, log=False))
        system = "newsdesk cleaner (site-disjoint folds)"
    else:
        fold = [0] * len(pages)
        shipped = load_cleaner(args.model)
        cleaners = {0: shipped}
        seen = set(shipped.info.get("trained_on", []))
        system = "newsdesk cleaner (shipped model)"
    cpu = 0.0
    n_clean = 0
    for r in args.renderers:
        preds = []
        for t, f in zip(texts[r], fold, strict=True):
            c0 = time.process_time()
            preds.append(cleaners[f].clean(t).text)
            cpu += time.process_time() - c0
            n_clean += 1
        for set_name in sets:
            idx = [i for i, p in enumerate(pages) if p.set == set_name]
            sub = [pages[i] for i in idx]
            label = system
            if not folds and set_name in seen:
                label += " SEEN IN TRAINING"
            base = {"set": SET_NAMES[set_name], "renderer": r}
            n_ref = sum(refused(texts[r][i]) for i in idx)
            for sysname, out in (
                ("no cleaning (rendered text)", [texts[r][i] for i in idx]),
                (label, [preds[i] for i in idx]),
            ):
                row = {**base, "system": sysname, "fold": "all", "pages": len(idx)}
                row.update(_scores(sub, out))
                if sysname == label:
                    row["refused"] = n_ref
                    row["accepted"] = len(idx) - n_ref  # what the gate floors (all of them)
                rows.append(row)
            for k in range(folds):
                kidx = [j for j, i in enumerate(idx) if fold[i] == k]
                if kidx:
                    row = {**base, "system": label, "fold": str(k), "pages": len(kidx)}
                    row.update(_scores([sub[j] for j in kidx], [preds[idx[j]] for j in kidx]))
                    rows.append(row)
            if sub and sub[0].gold is not None:
                groups: dict[str, list[int]] = {}
                for i in idx:
                    groups.setdefault(language_group(pages[i].gold or ""), []).append(i)
                for g, gi in sorted(groups.items()):
                    row = {**base, "system": label, "fold": f"lang={g}", "pages": len(gi)}
                    row.update(_scores([pages[i] for i in gi], [preds[i] for i in gi]))
                    rows.append(row)
    if traf:
        for set_name in sets:
            idx = [i for i, p in enumerate(pages) if p.set == set_name]
            row = {"set": SET_NAMES[set_name], "renderer": "HTML", "system": "trafilatura (HTML)"}
            row.update({"fold": "all", "pages": len(idx)})
            row.update(_scores([pages[i] for i in idx], [traf[i] for i in idx]))
            rows.append(row)
    if folds:
        for r in args.renderers:
            for set_name in sets:
                f1s = [
                    x["f1"]
                    for x in rows
                    if x["renderer"] == r
                    and x["set"] == SET_NAMES[set_name]
                    and x["fold"].isdigit()
                ]
                if len(f1s) > 1:
                    notes.append(
                        f"{SET_NAMES[set_name]} / {r}: F1 over {len(f1s)} site-disjoint folds "
                        f"{statistics.mean(f1s):.3f} ± {statistics.stdev(f1s):.3f}"
                    )
    notes.append(
        f"Cleaner speed: {n_clean / cpu if cpu else 0:.0f} rendered pages per CPU-second "
        f"({n_clean} pages, {1000 * cpu / max(1, n_clean):.2f} ms each)"
    )
    notes.append(seed_speed(next(iter(cleaners.values()))))
    notes.append(
        "Metric: zyte token 4-gram F1 for sets with full gold bodies; trafilatura-eval: its "
        "with/without snippet F1. Speed on a shared 2-core machine under contention."
    )
    emit(rows, args.json, title="Plain-text page cleaning, per renderer", notes=notes)


def load_cleaner_from(model: dict):  # type: ignore[no-untyped-def,type-arg]
    from newsdesk.ingest import plaintext

    return plaintext.Cleaner(model)


if __name__ == "__main__":
    main()
