"""The bad-input corpus of the reliability suite, generated into a folder (the large inputs are
generated, never committed): each input's name says what is wrong with it.

``write_corpus(folder, full)`` returns {file name: what the ingest must do with it}: "ingest"
(at least one article, no error) or "refuse" (one error line naming it, nothing stored).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.reliability.harness import DEMO

PARAGRAPH = (
    "The harbour authority said on Monday that the new pier would open in May, two months "
    "later than planned, after storms delayed the work. Residents welcomed the news. "
)

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1><p>{body}</p><p>{PARAGRAPH}</p></article></body></html>"
    )


def _feed(n: int) -> str:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://feed.example.org/{i}</link>"
        f"<description>{PARAGRAPH} Number {i}.</description></item>"
        for i in range(n)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'


def write_corpus(folder: Path, full: bool, max_file_bytes: int) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    expect: dict[str, str] = {}

    def put(name: str, data: bytes | str, what: str) -> None:
        (folder / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expect[name] = what

    good = _page("A good page", PARAGRAPH)
    put("good.html", good, "ingest")
    whole = gzip.compress(_page("Truncated gzip", PARAGRAPH * 20).encode())
    put("truncated.html.gz", whole[: len(whole) // 2], "refuse")
    warc = (Path(__file__).parents[1] / "data" / "pages.warc.gz").read_bytes()
    put("truncated.warc.gz", warc[:1400], "ingest")  # the whole first page, then one error
    # mixed encodings in one file: UTF-8 lines and a cp1251 line in one JSONL
    mixed = (
        json.dumps({"title": "Ünïcode", "text": PARAGRAPH + "Zürich café."}, ensure_ascii=False)
        + "\n"
    ).encode() + (
        json.dumps(
            {"title": "Кириллица", "text": "Переговоры продолжатся. " * 8}, ensure_ascii=False
        )
        + "\n"
    ).encode("cp1251")
    put("mixed-encodings.jsonl", mixed, "ingest")
    nul = _page("Stray NULs", "The ferry\x00 timetable changes on Sunday, the operator said.")
    put("nul-bytes.html", nul.replace("<p>", "<p>\x00", 1).replace("pier", "pi\x00er"), "ingest")
    # a single line longer than the size limit: refused by its size, before it is read
    with (folder / "long-line.txt").open("wb") as fh:
        fh.truncate(max_file_bytes + 1)  # sparse: no disk, no time
        fh.seek(0)
        fh.write(b"word " * 1000)
    expect["long-line.txt"] = "refuse"
    bomb = gzip.compress(b"\0" * (max_file_bytes * 4), compresslevel=9)
    put("bomb.html.gz", bomb, "refuse")
    depth = 100_000 if full else 20_000
    put("deep.html", _page("Deep", "<div>" * depth + PARAGRAPH + "</div>" * depth), "ingest")
    put("big-feed.xml", _feed(100_000 if full else 2_000), "ingest")
    put(
        "laughs-feed.xml",
        LAUGHS + '<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
        f"<description>{PARAGRAPH}&lol9;</description></item></channel></rss>",
        "any",
    )
    put(
        "laughs.opml",
        LAUGHS + '<opml version="2.0"><body><outline text="&lol9;" xmlUrl="&lol9;"/></body></opml>',
        "refuse",
    )
    loops = folder / "loops"
    loops.mkdir(exist_ok=True)
    (loops / "inside.html").write_text(
        _page("Inside the loop", "A page in a folder with a symlink loop, read once."),
        encoding="utf-8",
    )
    (loops / "again").symlink_to(loops, target_is_directory=True)
    (loops / "dangling").symlink_to(loops / "missing")
    expect["loops"] = "folder"
    real = sorted((DEMO / "pages").iterdir())[0]
    put("real-page" + real.suffix, real.read_bytes(), "ingest")
    return expect
