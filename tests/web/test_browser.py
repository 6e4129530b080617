"""The web UI in a real browser: Playwright driving Debian's chromium against a live uvicorn server.

Screenshots of the main pages go to ``$NEWSDESK_SCREENSHOTS`` (default: a pytest temp folder).
Every part is asserted present (a missing feature fails, never skips).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from newsdesk import api
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.store.schema import articles
from newsdesk.web import front
from newsdesk.web.app import create_app
from newsdesk.web.pages import features
from tests.web.conftest import TOKEN

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright's launch options: Debian's chromium, headless, no network chatter."""
    if not CHROMIUM.exists():
        pytest.skip("chromium is absent: apt-get install chromium (.ci/run installs it)")
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="module")
def server(web_store: Store, web_settings: Settings) -> Iterator[str]:
    """A uvicorn server on a random free loopback port, in a thread, over the test store."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(web_settings, store=web_store), log_level="warning", access_log=False
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("NEWSDESK_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def watched(page: Any) -> Any:
    """The page, failing the test on any dialog (alert from injected script) or console error."""
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.problems = problems
    yield page
    assert problems == []


def test_front_page(watched: Any, server: str, shots: Path) -> None:
    watched.goto(server + "/")
    assert "newsdesk" in watched.title()
    heading = watched.locator("main h2").first
    assert heading.is_visible()
    watched.screenshot(path=str(shots / "front.png"), full_page=True)


def test_open_a_story(watched: Any, server: str, shots: Path) -> None:
    assert features()["stories"], "the stories feature failed to import"
    watched.goto(server + "/")
    watched.locator(".story-card h3 a").first.click()
    watched.wait_for_url("**/story/**")
    assert watched.locator("main h1").inner_text().strip()
    assert watched.locator(".story-articles li").count() >= 1
    watched.screenshot(path=str(shots / "story.png"), full_page=True)


def test_reveal_summary(watched: Any, server: str, shots: Path) -> None:
    assert features()["summaries"], "the summaries feature failed to import"
    watched.goto(server + "/articles?size=100")
    watched.get_by_role("link", name="Oslo opens ferry terminal number 1", exact=True).click()
    watched.wait_for_url("**/article/**")
    summary = watched.locator(".summary-text")
    assert not summary.is_visible()
    watched.get_by_text("No time to read? Get a summary").click()
    summary.wait_for(state="visible")
    assert "Oslo" in summary.inner_text()
    watched.screenshot(path=str(shots / "article.png"), full_page=True)


def test_summary_works_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/articles")
    page.locator(".article-item a.title").first.click()
    page.get_by_text("No time to read? Get a summary").click()
    assert page.locator("details.get-summary").get_attribute("open") is not None
    context.close()


def test_next_article_in_story(watched: Any, server: str, web_store: Store) -> None:
    """From a story's first article, "next" opens the story's second article (timeline order).

    The story is chosen from the store, not as "the biggest": any story of two or more
    articles, which the session store always has (its fillers repeat five topics five times).
    """
    multi = [s for s in api.stories(web_store, limit=100, order="biggest") if s.articles >= 2]
    assert multi, "the session store has no story of two or more articles"
    story = api.story(web_store, multi[0].id)
    first, second = story.articles[0], story.articles[1]
    watched.goto(f"{server}/story/{multi[0].id}")
    watched.locator(".story-articles a.title").first.click()
    watched.wait_for_url(f"**/article/{first.id}")
    next_link = watched.locator(".prevnext a.next")
    assert next_link.count() == 1
    next_link.click()
    watched.wait_for_url(f"**/article/{second.id}")
    assert watched.locator("main h1").inner_text().strip() == (second.title or "").strip()


def test_search_and_open_result(watched: Any, server: str, shots: Path) -> None:
    watched.goto(server + "/")
    box = watched.locator("#search-box")
    box.fill("Nairobi solar")
    box.press("Enter")
    watched.wait_for_url("**/search?**")
    first = watched.locator("ol.hits li a.title").first
    assert "Nairobi" in first.inner_text()
    assert watched.locator("ol.hits mark").count() >= 1
    watched.screenshot(path=str(shots / "search.png"), full_page=True)
    title = first.inner_text()
    first.click()
    watched.wait_for_url("**/article/**")
    assert watched.locator("main h1").inner_text() == title


def test_hostile_page_runs_nothing(watched: Any, server: str, shots: Path) -> None:
    watched.goto(server + "/search?q=harbour+pier")
    watched.locator("ol.hits li a.title").first.click()
    watched.wait_for_url("**/article/**")
    assert "<script>" in watched.locator("main h1").inner_text()  # shown as text
    assert watched.locator("main script, main img, main iframe, main svg").count() == 0
    watched.get_by_text("No time to read? Get a summary").click()
    watched.screenshot(path=str(shots / "hostile.png"), full_page=True)
    # the `watched` fixture fails the test if any alert() ran


def test_person_page(watched: Any, server: str, shots: Path) -> None:
    assert features()["people"], "the people feature failed to import"
    watched.goto(server + "/people")
    link = watched.locator("ul.people li a").first
    assert link.count() == 1, "no people found in the test store"
    name = link.inner_text()
    link.click()
    watched.wait_for_url("**/person/**")
    assert name in watched.locator("main h1").inner_text()
    watched.screenshot(path=str(shots / "person.png"), full_page=True)


def test_story_timeline_chart_renders(watched: Any, server: str, shots: Path) -> None:
    """The server-rendered SVG chart shows (no CSP violation, no script) with its bars."""
    import json
    import urllib.request

    with urllib.request.urlopen(server + "/stories.json") as resp:
        stories = json.load(resp)["stories"]
    sid = next(s["id"] for s in stories if s["size"] >= 2)
    watched.goto(f"{server}/story/{sid}")
    chart = watched.locator("svg.timeline-chart")
    assert chart.is_visible() and chart.locator("rect").count() >= 1
    chart.screenshot(path=str(shots / "timeline-chart.png"))


def test_front_page_marks_what_is_new_since_the_last_visit(
    watched: Any, server: str, web_store: Store, shots: Path
) -> None:
    """The visit cookie is HttpOnly and SameSite=Lax (no script sees it); a last visit before
    the newest articles marks their stories and says how many."""
    watched.goto(server + "/")
    cookie = {c["name"]: c for c in watched.context.cookies()}[front.COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert front.COOKIE not in watched.evaluate("document.cookie")
    with web_store.connect() as conn:
        seqs = list(conn.scalars(select(articles.c.seq).order_by(articles.c.seq.desc()).limit(6)))
    now = int(time.time())
    visit = front.Visit(now - 7200, seqs[-1], now - 3600, seqs[-1])  # left before the newest 5
    watched.context.add_cookies(
        [{"name": front.COOKIE, "value": visit.value(), "url": server, "httpOnly": True,
          "sameSite": "Lax"}]
    )  # fmt: skip
    watched.goto(server + "/")
    said = watched.locator("p.since")
    assert said.is_visible() and "since your last visit" in said.inner_text()
    assert watched.locator(".story-card .mark").count() >= 1
    watched.screenshot(path=str(shots / "front-new-since.png"), full_page=True)


def test_front_page_coverage_chart_renders(watched: Any, server: str, shots: Path) -> None:
    """The front page's coverage chart shows its bars (no CSP violation, no script); a bar
    links to its story."""
    watched.goto(server + "/")
    chart = watched.locator("svg.coverage-chart")
    assert chart.is_visible() and chart.locator("rect.bar").count() >= 1
    chart.screenshot(path=str(shots / "coverage-chart.png"))
    href = chart.locator("a").first.get_attribute("href")
    assert href and href.startswith("/story/")
    chart.locator("a rect.bar").first.click()
    watched.wait_for_url(server + href)
    assert watched.locator("main h1").inner_text()


def test_alerts_page_log_in_save_mark_read_and_remove(
    watched: Any, server: str, web_store: Store, shots: Path
) -> None:
    """Writes need the token: the page offers the login link, the /login form sets the cookie,
    then the form saves an alert, which is listed with its feed, marked read and removed."""
    watched.goto(server + "/alerts")
    assert watched.locator("form.add-alert").count() == 0
    watched.click("text=Log in")
    watched.fill("input[name=token]", TOKEN)
    watched.click("form[action='/login'] button")
    watched.goto(server + "/alerts")
    watched.fill("form.add-alert input[name=alert]", "search:tram line")
    watched.click("form.add-alert button")
    watched.wait_for_url(server + "/alerts")
    row = watched.locator("table.alerts tr.alert")
    assert row.count() == 1 and "tram line" in row.inner_text()
    (alert,) = api.alerts(web_store)
    assert row.locator(f"a[href='/alerts/{alert.id}.atom']").count() == 1
    watched.screenshot(path=str(shots / "alerts.png"), full_page=True)
    row.locator("text=Mark read").click()
    watched.wait_for_url(server + "/alerts")
    assert api.alerts(web_store)[0].checked is not None
    watched.locator("table.alerts tr.alert >> text=Remove").click()
    watched.wait_for_url(server + "/alerts")
    assert api.alerts(web_store) == [] and watched.locator("table.alerts").count() == 0
