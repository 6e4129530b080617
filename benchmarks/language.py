"""Language identification: py3langid beside lingua-language-detector, on trafilatura-eval's pages.

    python benchmarks/language.py [--data DIR] [--json]

``--data`` is a folder in the format of ``../shared/data/trafilatura-eval`` (``evaldata.json``
+ ``html/*.gz``). trafilatura-eval has no language labels, so the reference is the language
the publisher declares in ``<html lang>`` (primary subtag), on the pages that declare one; a
wrong template ``lang`` counts against every detector alike. Each detector reads what newsdesk
detects at ingest: the page's main text as extracted by newsdesk (``newsdesk.ingest.html``),
first 2,000 characters. Rows: accuracy against the reference overall and per language (the
five most common), pages where the detector abstains (None: too short or unsure), and speed
(texts per CPU-second, one process). The chosen detector is the one ``newsdesk.nlp.language``
ships; a second row on the first 200 characters shows short-text behaviour.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import default_data, emit, parser

_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


def load(folder: Path) -> list[dict[str, Any]]:
    from newsdesk.ingest.decode import decode
    from newsdesk.ingest.html import extract_page

    ev = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    out = []
    for key, item in sorted(ev.items()):
        path = folder / "html" / f"{item['file']}.gz"
        if not path.exists():
            continue
        with gzip.open(path) as fh:
            raw = fh.read()
        m = _LANG.search(raw[:20000])
        if not m:
            continue
        try:
            fields = extract_page(decode(item["file"], raw), None, item["file"])
        except Exception:  # a page newsdesk cannot extract is not a language test
            continue
        text = (fields.get("text") or "").strip()
        if len(text.split()) < 20:
            continue
        out.append({"key": key, "gold": m.group(1).decode().lower()[:2], "text": text})
    return out


def detectors() -> dict[str, Callable[[str], str | None]]:
    from newsdesk.nlp import language

    return {
        "py3langid (prob >= 0.5)": language.detect_py3langid,
        "lingua (all languages, high accuracy)": language.detect_lingua,
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=default_data("trafilatura-eval"))
    args = p.parse_args()
    pages = load(args.data)
    langs = Counter(pg["gold"] for pg in pages)
    top = [lang for lang, _ in langs.most_common(5)]
    rows = []
    for name, fn in detectors().items():
        for chars in (2000, 200):
            fn(pages[0]["text"][:chars])  # load the model before timing
            t0 = time.process_time()
            got = [fn(pg["text"][:chars]) for pg in pages]
            cpu = time.process_time() - t0
            hit = [g == pg["gold"] for g, pg in zip(got, pages, strict=True)]
            row: dict[str, Any] = {
                "detector": name,
                "chars": chars,
                "pages": len(pages),
                "accuracy": sum(hit) / len(pages),
                "abstained": sum(g is None for g in got) / len(pages),
            }
            for lang in top:
                idx = [i for i, pg in enumerate(pages) if pg["gold"] == lang]
                row[f"acc_{lang}"] = sum(hit[i] for i in idx) / len(idx)
            row["texts_per_cpu_s"] = len(pages) / cpu if cpu else None
            rows.append(row)
    notes = [
        "reference: <html lang> of each page (publisher-declared); languages: "
        + ", ".join(f"{k} {v}" for k, v in langs.most_common())
    ]
    emit(rows, args.json, "language identification on trafilatura-eval", notes)


if __name__ == "__main__":
    main()
