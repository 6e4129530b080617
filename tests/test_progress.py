"""Progress of ingest and run (issue 19): a bar per stage with total, rate and time left on a
terminal; one summary line per stage, and nothing drawn, when the output is piped."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.console import Console
from rich.text import Text

from newsdesk import api
from newsdesk.cli import app
from newsdesk.cli.progress import StageProgress
from newsdesk.settings import Settings

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
LINE = r"{name}: {n} {unit} in \d+\.\ds \([\d,.]+/s\)"


def test_a_terminal_gets_a_bar_with_total_rate_and_time_left() -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=140)
    with StageProgress(console) as progress:
        assert progress.live
        progress.stage("summarize", 0, 40)
        progress.stage("summarize", 5, 40)
        time.sleep(0.3)  # the rate and the time left need time between two batches
        progress.stage("summarize", 10, 40)
        progress.bars.refresh()
        frame = buf.getvalue()
        progress.stage("summarize", 40, 40)
    assert "\x1b[" in frame  # drawn, with terminal control codes
    bar = Text.from_ansi([ln for ln in frame.splitlines() if "summarize" in ln][-1]).plain
    assert "10/40" in bar, bar  # done of the total
    assert re.search(r" \d+(?:\.\d)?/s ", bar), bar  # the rate (about 30/s)
    assert re.search(r"eta 0:00:\d\d", bar), bar  # the time left (about a second)
    assert progress.lines and re.fullmatch(
        LINE.format(name="summarize", n=40, unit="articles"), progress.lines[-1]
    )


def test_piped_run_prints_one_line_per_stage_and_draws_nothing(tmp_path, capsys) -> None:
    db = str(tmp_path / "p.db")
    store = api.open_store(db)
    api.ingest([str(SEEDS)], store, Settings.load(db=db), run_stages=False)
    store.close()
    capsys.readouterr()
    app(["run", "--db", db, "--stage", "summarize"], standalone_mode=False)
    err = capsys.readouterr().err
    assert "\r" not in err and "\x1b[" not in err  # no bar drawn into a pipe
    lines = [ln for ln in err.splitlines() if ln.startswith("summarize:")]
    assert len(lines) == 1, err
    assert re.fullmatch(LINE.format(name="summarize", n=2, unit="articles"), lines[0])
    app(["run", "--db", db], standalone_mode=False)  # the other stages: one line each
    err = capsys.readouterr().err
    names = [ln.split(":")[0] for ln in err.splitlines() if re.fullmatch(r"\w+: 2 articles .*", ln)]
    assert len(names) == len(set(names)) >= 3 and "summarize" not in names
