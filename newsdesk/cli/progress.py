"""Progress of ``ingest`` and ``run``: a bar per stage on a terminal, one line per stage in a log.

On a terminal (rich's ``Console.is_terminal``) each stage gets a bar with its total, the
articles done, the rate and the time left (rich's progress columns); the bars go when the
work is done and leave each stage's summary line. Piped or redirected (cron, CI, ``2> log``),
nothing is drawn: each stage prints that one summary line when it finishes, so a log says
how long each stage took without carriage-return noise.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second ("12.5/s"): rich's recent-speed estimate, else the mean since the start."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if not speed and task.completed and task.elapsed:
            speed = task.completed / task.elapsed
        return Text(f"{speed:,.1f}/s" if speed else "–/s", style="progress.data.speed")


def stage_line(name: str, n: int, seconds: float, unit: str = "article") -> str:
    """``summarize: 120 articles in 3.2s (37.5/s)``."""
    rate = f" ({n / seconds:,.1f}/s)" if seconds > 0 else ""
    return f"{name}: {n} {unit if n == 1 else unit + 's'} in {seconds:.1f}s{rate}"


class StageProgress:
    """A context manager whose :meth:`stage` is the pipeline's progress callback and whose
    :meth:`file` is ingest's per-file one. ``live``: draw bars (default: ``console`` is a
    terminal)."""

    def __init__(self, console: Console, live: bool | None = None) -> None:
        self.console = console
        self.live = console.is_terminal if live is None else live
        self.bars = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not self.live,
            transient=True,
        )
        self._tasks: dict[str, TaskID] = {}
        self._started: dict[str, float] = {}
        self._finished: set[str] = set()
        self._files: TaskID | None = None
        self._files_done = 0
        self._files_started = 0.0
        self.lines: list[str] = []  # the summary lines printed, in order

    def __enter__(self) -> StageProgress:
        self.bars.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.bars.__exit__(exc_type, exc, tb)
        if self._files is not None and exc_type is None:  # a failure's error line says it all
            self._say(stage_line("ingest", self._files_done, self._elapsed_files(), "file"))
            self._files = None

    def file(self, name: str) -> None:
        """One more input file read (their number is not known beforehand)."""
        if self._files is None:
            self._files_started = time.perf_counter()
            self._files = self.bars.add_task("reading", total=None)
        self._files_done += 1
        self.bars.update(self._files, advance=1, description=f"reading {Path(name).name[:40]}")

    def stage(self, name: str, done: int, total: int) -> None:
        """``done`` of ``total`` articles through stage ``name`` (0 when it starts)."""
        if name in self._finished:
            return
        if name not in self._tasks:
            if self._files is not None:  # the files are read: the stages follow
                self.bars.update(self._files, visible=False)
                self._say(stage_line("ingest", self._files_done, self._elapsed_files(), "file"))
                self._files = None
            self._started[name] = time.perf_counter()
            self._tasks[name] = self.bars.add_task(name, total=total)
        self.bars.update(self._tasks[name], completed=done, total=total)
        if done >= total:
            self._finished.add(name)
            self.bars.update(self._tasks[name], visible=False)
            self._say(stage_line(name, done, time.perf_counter() - self._started[name]))

    def _elapsed_files(self) -> float:
        return time.perf_counter() - self._files_started

    def _say(self, line: str) -> None:
        self.lines.append(line)
        if self.live:
            self.bars.console.print(line, markup=False, highlight=False)
        else:
            self.console.print(line, markup=False, highlight=False, soft_wrap=True)
