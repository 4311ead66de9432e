"""What a command says: results on stdout; notes, warnings and errors on stderr, each prefix spelled
here once; progress bars while tracks are spoken and built. `--quiet` silences the notes, and
`--debug` adds the log (cache hits and misses, engine timings, files skipped and why) and the
versions a bug report needs."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from stretchcue import __version__

if TYPE_CHECKING:
    from rich.progress import Progress

    from stretchcue.pipeline.build import Report

# What a bug report needs to know about the machine: the libraries that shape the sound and the files.
REPORTED = (
    *("piper-tts", "onnxruntime", "pyttsx3", "espeakng-loader", "lameenc", "imageio-ffmpeg", "pydub"),
    *("numpy", "soxr", "pedalboard", "mutagen", "pillow", "typer"),
)


class Console:
    def __init__(self) -> None:
        self.quiet = self.debug = False
        self._live: Progress | None = None  # progress bars on screen: messages go above them
        self._log = _Log(self)

    def setup(self, quiet: bool = False, debug: bool = False) -> None:
        """Say less (`quiet`), or log everything (`debug`), for this command."""
        self.quiet, self.debug = quiet, debug
        log = logging.getLogger("stretchcue")
        log.removeHandler(self._log)
        log.setLevel(logging.DEBUG if debug else logging.WARNING)
        log.propagate = not debug  # (the log is ours alone while it is on)
        if debug:
            import platform  # (only the log names the machine and the libraries)

            from stretchcue.sound.engines import package_version

            log.addHandler(self._log)
            log.debug("stretchcue %s, Python %s, %s", __version__, platform.python_version(), platform.platform())
            log.debug("libraries: %s", ", ".join(f"{name} {package_version(name)}" for name in REPORTED))

    def out(self, text: str, aside: bool = False) -> None:
        """A result: what was built, the plan, a list; `aside`, on stderr (stdout holds data)."""
        if aside:
            self._say(text)
        else:
            typer.echo(text)

    def note(self, text: str) -> None:
        if not self.quiet:
            self._say(f"note: {text}")

    def warning(self, text: str) -> None:
        self._say(f"warning: {text}")

    def error(self, text: str) -> None:
        """One line, whatever the message holds (a file name with a line break in it, say)."""
        self._say("error: " + " ".join(text.splitlines()))

    def waiting(self, text: str) -> None:
        """That the run waits, and for what (even when --quiet: it must not look hung)."""
        self._say(f"waiting: {text}")

    def stopped(self) -> None:
        self._say("stopped")

    def _say(self, line: str) -> None:
        if self._live is not None:
            self._live.console.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)
        else:
            print(line, file=sys.stderr)

    @contextmanager
    def progress(self) -> Iterator[Progress]:
        """Progress bars on stderr, only when it is a terminal; they vanish when done."""
        from rich.console import Console as Screen
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        screen = Screen(stderr=True)
        columns = (
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        # (isatty, as `counting` decides, not rich's is_terminal: that one honours FORCE_COLOR)
        with Progress(*columns, console=screen, transient=True, disable=not sys.stderr.isatty()) as bars:
            self._live = bars
            try:
                yield bars
            finally:
                self._live = None

    @contextmanager
    def counting(self, description: str) -> Iterator[Callable[[int, int], None]]:
        """One progress bar, moved by the `update(done, total)` it gives. When stderr is not a
        terminal there is none to show, and rich is not imported at all (`plan > file` starts sooner)."""
        if not sys.stderr.isatty():
            yield lambda done, total: None
            return
        with self.progress() as bars:
            task = bars.add_task(description, total=None)
            yield lambda done, total: bars.update(task, completed=done, total=total)

    @contextmanager
    def tracks(self, titles: list[str]) -> Iterator[Report]:
        """A progress bar per track and one for all; gives the `report(track, stage, done, total)`
        that moves them (stage: "building", "built", "skipped" or "sent")."""
        with self.progress() as bars:
            overall = bars.add_task("All tracks", total=len(titles))
            tasks = [bars.add_task(f"  {title}", total=None, start=False) for title in titles]

            def report(index: int, stage: str, done: int, total: int) -> None:
                bars.start_task(tasks[index])
                bars.update(tasks[index], description=f"  {titles[index]}: {stage}", completed=done, total=total)
                if stage in ("built", "skipped"):
                    bars.advance(overall)

            yield report


class _Log(logging.Handler):
    """The log's lines, written as the console writes (above any progress bars)."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console
        self.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.console._say(self.format(record))
