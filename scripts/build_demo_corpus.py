"""Build demo/corpus/: real articles from several outlets, many covering the same events.

Contents (provenance and licenses are written to demo/corpus/SOURCES.md):
- ``allsides-stories.jsonl``: the articles of the most recent AllSides headline roundups in
  ``../shared/data/allsides-stories`` (each roundup = one event covered by 2–3 outlets of
  different leanings), in the newsdesk JSONL schema: title, outlet, url, published (the story
  date: per-article dates are absent upstream), category (AllSides topic), text (the article
  lead paragraphs as crawled, blank-line separated). ``story`` keeps the AllSides story id so the
  gold grouping stays visible; ingest ignores it.
- ``pages/*.html``: a handful of news pages (English; German and Russian) from ``../shared/data/fundus-news-pages``,
  byte for byte (ingested through the HTML path);
- ``seeds/*.txt``: the project's two starting pages (scraped plain text, the cleaner's input).

Usage:  python scripts/build_demo_corpus.py [--stories 80]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "demo" / "corpus"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
MAX_BYTES = 5_000_000

# News pages (small, hard news); file names as in fundus-news-pages/html/. The last three are
# not English: Euronews' German and English reports of one event (the US operation in
# Venezuela, 2026-01-06) make a demo story in two languages; Ukrainska Pravda's Russian edition
# gives the demo a Cyrillic page.
FUNDUS_PAGES = [
    "us/APNews_2023_04_28",
    "us/APNews_2024_09_03",
    "us/VoiceOfAmerica_2024_04_28",
    "us/WashingtonPost_2024_04_26",
    "uk/TheGuardian_2024_02_24",
    "uk/TheTelegraph_2024_09_17",
    "uk/EuronewsEN_2024_04_30",
    "uk/iNews_2025_01_28",
    "uk/EuronewsEN_2026_01_06",
    "de/EuronewsDE_2026_01_06",
    "ua/Pravda_2026_01_08",
]


# Chains of AllSides roundups about one negotiation (ids as upstream), in date order: the
# material of the hand-built golden positions maps (tests/stages/test_positions_allsides.py).
NEGOTIATIONS = {
    "us-infrastructure-2021": [6108, 5984, 5979, 5971, 5963, 5925, 5922],
    "israel-hamas-ceasefire-2021": [6054, 6040, 6024, 6021],
}


def negotiation_articles() -> list[dict]:
    """The articles of the NEGOTIATIONS chains, each with its ``chain`` name."""
    path = DATA / "allsides-stories" / "allsides-stories.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        stories = {s["id"]: s for s in (json.loads(line) for line in fh if line.strip())}
    rows = []
    for chain, ids in NEGOTIATIONS.items():
        for sid in ids:
            s = stories[sid]
            news = [
                a for a in s.get("news", {}).values() if a.get("newBody") and a.get("newsTitle")
            ]
            for a in sorted(news, key=lambda a: a["newsSource"]):
                rows.append(
                    {
                        "title": a["newsTitle"].strip(),
                        "outlet": a["newsSource"].strip(),
                        "url": a.get("newsLink") or None,
                        "published": s["date"],
                        "category": s.get("topic") or None,
                        "text": "\n\n".join(p.strip() for p in a["newBody"] if p.strip()),
                        "story": f"allsides-{s['id']}",
                        "chain": chain,
                    }
                )
    return rows


def allsides_articles(n_stories: int) -> tuple[list[dict], int]:
    path = DATA / "allsides-stories" / "allsides-stories.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        stories = [json.loads(line) for line in fh if line.strip()]
    usable = []
    for s in stories:
        news = [a for a in s.get("news", {}).values() if a.get("newBody") and a.get("newsTitle")]
        if len(news) >= 2:
            usable.append((s, news))
    # The most recent roundups: a natural news flow of overlapping events (Sept.–Oct. 2021).
    usable.sort(key=lambda x: (x[0]["date"], x[0]["id"]), reverse=True)
    rows = []
    for s, news in usable[:n_stories]:
        for a in sorted(news, key=lambda a: a["newsSource"]):
            rows.append(
                {
                    "title": a["newsTitle"].strip(),
                    "outlet": a["newsSource"].strip(),
                    "url": a.get("newsLink") or None,
                    "published": s["date"],
                    "category": s.get("topic") or None,
                    "text": "\n\n".join(p.strip() for p in a["newBody"] if p.strip()),
                    "story": f"allsides-{s['id']}",
                }
            )
    return rows, min(n_stories, len(usable))


def sources_md(rows: list[dict], n_stories: int, outlets: list[str], pages: list[tuple]) -> str:
    per_story: dict[str, int] = {}
    for r in rows:
        per_story[r["story"]] = per_story.get(r["story"], 0) + 1
    three = sum(1 for v in per_story.values() if v == 3)
    dates = sorted(r["published"][:10] for r in rows)
    page_lines = "\n".join(
        f"| `pages/{name}` | {pub} | {url} | crawled {day} |" for name, pub, url, day in pages
    )
    return f"""# Demo corpus: provenance and licenses

Built by `scripts/build_demo_corpus.py` (re-run it to rebuild; it reads `../shared/data`).
Everything here is third-party news content kept for a local demo and for evaluation; the
newsdesk code license (Apache-2.0) does **not** apply to these files.

## `allsides-stories.jsonl` — {len(rows)} articles, {n_stories} events, {len(outlets)} outlets

- **From:** `../shared/data/allsides-stories` = `HLTCHKUST/framing-bias-metric` (GitHub),
  `data/raw_crawled/headline_11_2021-10-19_crawled_all.jsonl`, commit
  `1586f55a9011853224ca4d0cee164c46f6137557` (AllSides "headline roundup" crawl behind NeuS,
  Lee et al., NAACL 2022).
- **License:** the repository shows an MIT badge (no LICENSE file). The texts belong to
  AllSides.com and to the linked outlets; **research/evaluation use** — here: a local demo.
- **What:** the {n_stories} most recent roundups ({dates[0]} … {dates[-1]}) with at least two
  outlets ({three} events with 3 outlets, {n_stories - three} with 2). One line per article:
  `title`, `outlet`, `url`, `published` (the **story** date; per-article dates are absent
  upstream), `category` (AllSides topic), `text` (the article's lead paragraphs as crawled,
  often cut with "…"), `story` (AllSides story id: the gold event; ingest ignores it).

## `allsides-negotiations.jsonl` — two negotiation chains for the positions map

- **From / license:** as `allsides-stories.jsonl` above (same crawl, same commit; AllSides and
  the outlets keep their rights; **research/evaluation use** — here: a local demo and the
  golden positions maps of `tests/stages/test_positions_allsides.py`).
- **What:** every article of the roundups named in `NEGOTIATIONS` of the build script, same
  fields plus `chain`: `us-infrastructure-2021` (roundups 6108, 5984, 5979, 5971, 5963, 5925,
  5922: Senate Republicans' $568B plan to the bipartisan framework, April–June 2021) and
  `israel-hamas-ceasefire-2021` (6054, 6040, 6024, 6021: the May 2021 war to the Egyptian-brokered
  cease-fire). Some of these roundups are also in `allsides-stories.jsonl` only if recent enough
  (they are not: that file starts in September 2021).

## `pages/*.html` — {len(pages)} news pages in English, German and Russian (HTML, byte for byte)

- **From:** `../shared/data/fundus-news-pages` = `flairNLP/fundus` (GitHub),
  `tests/resources/parser/test_data/`, commit `18da6e53592f99cf0ac5770dc63d6ba99ba63ae8`.
- **License:** the repository is MIT (© 2023 Max Dallabetta, Conrad Dobberstein, Aaron Wey);
  the pages are the publishers' copyrighted pages, kept there as test fixtures.

| file | publisher | URL | |
|---|---|---|---|
{page_lines}

## `seeds/*.txt` — the project's two starting pages

Scraped plain-text pages (with their page furniture) that newsdesk started from; copies of
`tests/fixtures/seeds/` (= `../shared/seeds/`). Content by the respective outlets (seed 000:
UNITED24 Media; seed 004: unknown outlet); used here as sample input for the plain-text cleaner.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=80, help="AllSides roundups to take")
    args = ap.parse_args()
    if OUT.exists():
        for sub in ("pages", "seeds"):
            shutil.rmtree(OUT / sub, ignore_errors=True)
    (OUT / "pages").mkdir(parents=True, exist_ok=True)
    (OUT / "seeds").mkdir(parents=True, exist_ok=True)

    rows, n_stories = allsides_articles(args.stories)
    with open(OUT / "allsides-stories.jsonl", "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(OUT / "allsides-negotiations.jsonl", "w", encoding="utf-8") as fh:
        for r in negotiation_articles():
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    expected = {}
    with gzip.open(DATA / "fundus-news-pages" / "expected.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            expected[rec["id"]] = rec
    page_rows = []
    for pid in FUNDUS_PAGES:
        rec = expected[pid]
        with gzip.open(DATA / "fundus-news-pages" / rec["html_file"]) as fh:
            html = fh.read()
        name = pid.replace("/", "_") + ".html"
        (OUT / "pages" / name).write_bytes(html)
        page_rows.append((name, rec["publisher"], rec["url"], rec["crawl_date"][:10]))

    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(seed, OUT / "seeds" / seed.name)

    outlets = sorted({r["outlet"] for r in rows})
    (OUT / "SOURCES.md").write_text(sources_md(rows, n_stories, outlets, page_rows), "utf-8")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    assert total < MAX_BYTES, f"demo corpus too large: {total} bytes"
    print(
        f"{len(rows)} AllSides articles ({n_stories} events, {len(outlets)} outlets), "
        f"{len(page_rows)} HTML pages, 2 seed pages; {total / 1e6:.2f} MB"
    )
    print("pages:", ", ".join(f"{n} ({pub}, crawled {d})" for n, pub, _, d in page_rows))


if __name__ == "__main__":
    main()
