"""Hostile markup in every field, every page in a real browser (issue 20): Playwright driving
Debian's chromium over a store whose titles, authors, outlets, categories, captions, quotes,
speaker names and story labels carry the OWASP XSS filter-evasion vectors, and over searches
for them. No dialog fires, no script runs (not even one the CSP blocks: a CSP violation means
markup got through unescaped), and no link, frame or image points at ``javascript:``/``data:``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urldefrag, urljoin, urlsplit

import httpx
import pytest
import uvicorn

from newsdesk import api
from newsdesk.settings import Settings
from newsdesk.web.app import create_app
from tests.reliability.conftest import full
from tests.reliability.test_crawl import Links

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
# The OWASP XSS filter evasion cheat sheet's classic vectors (a selection that covers its kinds:
# script tags, event handlers, javascript:/data: URLs, encodings, broken quoting, CSS, meta).
VECTORS = [
    "<script>alert('XSS1')</script>",
    "<IMG SRC=\"javascript:alert('XSS2');\">",
    "<IMG SRC=javascript:alert(&quot;XSS3&quot;)>",
    '<IMG """><SCRIPT>alert("XSS4")</SCRIPT>">',
    "<IMG SRC=# onmouseover=\"alert('XSS5')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    "<svg/onload=alert('XSS6')>",
    "<BODY ONLOAD=alert('XSS7')>",
    "<iframe src=\"javascript:alert('XSS8');\"></iframe>",
    "<a href=\"jav&#x09;ascript:alert('XSS9');\">x</a>",
    '"><script>alert(10)</script>',
    "'';!--\"<XSS>=&{()}",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS11\');">',
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS12\');">',
    "<div style=\"background-image: url(javascript:alert('XSS13'))\">",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4="></object>',
    "<details open ontoggle=alert(15)>",
    "</title><script>alert(16)</script>",
    "{{constructor.constructor('alert(17)')()}}",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(18)>",
]
SCHEMES = ["javascript:", "data:", "vbscript:"]


def _records() -> list[dict[str, Any]]:
    out = []
    for i, v in enumerate(VECTORS):
        speaker = f"Mayor {v} Jones"
        out.append(
            {
                "url": "javascript:alert(99)" if i % 2 else f"https://evil.example/{i}",
                "title": f"Harbour pier vote {v} delayed",
                "outlet": f"Outlet {v}",
                "authors": [f"Reporter {v}"],
                "category": f"Cat {v}",
                "captions": [f"Caption {v}"],
                "published": f"2025-03-{1 + i % 28:02d}T09:00:00+00:00",
                "text": (
                    f"The harbour pier vote {v} was delayed on Monday, the council said.\n\n"
                    f"“We will not stop {v},” said {speaker}, speaking at the harbour.\n\n"
                    f"Residents {v} asked for a new vote on the pier next month."
                ),
            }
        )
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("chromium is absent: apt-get install chromium (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("xss")
    docs = folder / "hostile.jsonl"
    docs.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    settings = Settings.load(db=str(folder / "xss.db"))
    store = api.open_store(settings.db)
    report = api.ingest([str(docs)], store, settings)
    assert report.added == len(VECTORS), report.errors
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(
        uvicorn.Config(create_app(settings, store=store), log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    store.close()


def _pages(base: str, limit: int) -> list[str]:
    """The site's HTML pages, by a crawl from the front page, and searches for the vectors."""
    seen, queue, pages = {"/"}, ["/"], []
    with httpx.Client(base_url=base, timeout=60) as client:
        while queue and len(pages) < limit:
            path = queue.pop(0)
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code)
            if "text/html" not in r.headers.get("content-type", ""):
                continue
            pages.append(path)
            parser = Links()
            parser.feed(r.text)
            for link in parser.links:
                url = urldefrag(urljoin(base + path, link))[0]
                parts = urlsplit(url)
                local = url.startswith(base)
                target = parts.path + (f"?{parts.query}" if parts.query else "") if local else None
                if target and target not in seen and not target.startswith("/static/"):
                    seen.add(target)
                    queue.append(target)
    return pages + [f"/search?q={quote(v)}" for v in VECTORS[:: 1 if full() else 4]]


AUDIT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('[href],[src],[action],[data],[formaction]')) {
    for (const attr of ['href', 'src', 'action', 'data', 'formaction']) {
      const v = (el.getAttribute(attr) || '').replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (SCHEMES.some(s => v.startsWith(s))) bad.push(el.tagName + ' ' + attr + '=' + v);
    }
  }
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) if (a.name.startsWith('on')) bad.push(el.tagName + ' ' + a.name);
  }
  for (const s of document.scripts) if (!s.src.endsWith('/static/app.js')) bad.push('script ' + s.outerHTML.slice(0, 80));
  for (const t of ['iframe', 'object', 'embed', 'math', 'meta[http-equiv]', 'base', 'link[href^=javascript]'])
    for (const el of document.querySelectorAll(t)) bad.push('element ' + el.outerHTML.slice(0, 80));
  return bad;
}""".replace("SCHEMES", json.dumps(SCHEMES))


def test_no_page_runs_or_links_hostile_markup(server: str) -> None:
    from playwright.sync_api import sync_playwright

    pages = _pages(server, 400 if full() else 120)
    assert len(pages) > 40  # articles, stories, outlets, people, searches
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on(
            "console",
            lambda m: problems.append(f"console: {m.text[:200]}") if m.type == "error" else None,
        )
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP violation ' + e.violatedDirective + ' ' + e.blockedURI));"
        )
        for path in pages:
            page.goto(server + path, wait_until="load")
            page.wait_for_timeout(30)
            problems.extend(f"{path}: {b}" for b in page.evaluate(AUDIT))
            # hover and click everything a user might: handlers would fire now
            for el in page.query_selector_all("summary, details")[:5]:
                el.click()
        browser.close()
    assert problems == [], problems[:20]
