"""Command line: a thin layer over pipeline. Errors become one line on stderr and exit status 2."""

from __future__ import annotations

import json
import signal
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import __version__
from .compiler import Options
from .errors import StretchcueError
from .pipeline import CACHE_FOLDER, Plan, build, make_plan
from .routine import MAX_HOLD, MAX_REPS, bundled_names, load
from .speech import Voice, VoiceProfile, default_voice, profile_names

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Turn a stretching routine into a voice-guided MP3.",
)
stderr = Console(stderr=True)

RoutineArg = Annotated[str, typer.Argument(help="A routine file (.yaml) or the name of a bundled routine.")]
HoldOpt = Annotated[float | None, typer.Option(min=0.1, max=MAX_HOLD, help="Seconds to hold every stretch.")]
RepsOpt = Annotated[int | None, typer.Option(min=1, max=MAX_REPS, help="Reps per exercise and side.")]
VoiceOpt = Annotated[
    str | None,
    typer.Option(help="A voice profile from `stretchcue voices` (default: piper if installed, else system)."),
]
OutOpt = Annotated[Path, typer.Option(help="Folder for the MP3 (and the speech cache).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stretchcue {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")] = False,
) -> None:
    """Turn a stretching routine into a voice-guided MP3."""


@contextmanager
def _progress(label: str) -> Iterator[Progress]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as progress:
        yield progress


def _plan(routine: str, hold: float | None, reps: int | None, voice: str | None, out: Path) -> Plan:
    loaded = load(routine)
    speaker = Voice(VoiceProfile.load(voice or default_voice()), out / CACHE_FOLDER)
    with _progress("Speaking") as progress:
        task = progress.add_task(f"Speaking cues ({speaker.profile.name})", total=None)
        return make_plan(
            loaded,
            Options(hold=hold, reps=reps),
            speaker,
            lambda done, total: progress.update(task, completed=done, total=total),
        )


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:06.3f}"


@app.command("build")
def build_command(
    routine: RoutineArg,
    hold: HoldOpt = None,
    reps: RepsOpt = None,
    voice: VoiceOpt = None,
    out: OutOpt = Path("output"),
) -> None:
    """Build the routine's MP3 into the output folder."""
    plan = _plan(routine, hold, reps, voice, out)
    for warning in plan.timeline.warnings:
        stderr.print(f"warning: {warning}", highlight=False)
    with _progress("Rendering") as progress:
        progress.add_task("Rendering and encoding", total=None)
        path = build(plan, out)
    seconds = plan.timeline.seconds(plan.timeline.length)
    typer.echo(f"{path}  ({_clock(seconds)}, {len(plan.timeline.cues)} cues, voice {plan.voice})")


@app.command("plan")
def plan_command(
    routine: RoutineArg,
    hold: HoldOpt = None,
    reps: RepsOpt = None,
    voice: VoiceOpt = None,
    out: OutOpt = Path("output"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print every cue with its start and end: the exact timeline that build renders."""
    plan = _plan(routine, hold, reps, voice, out)
    timeline = plan.timeline
    cues = [
        {
            "start": timeline.seconds(p.start),
            "end": timeline.seconds(p.end),
            "kind": str(p.cue.kind),
            "text": p.cue.text,
            "exercise": p.cue.exercise,
            "side": p.cue.side,
            "rep": p.cue.rep,
        }
        for p in timeline.cues
    ]
    duration = timeline.seconds(timeline.length)
    if as_json:
        doc = {"title": plan.title, "duration": duration, "warnings": list(timeline.warnings), "cues": cues}
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    typer.echo(f"{plan.title}: {_clock(duration)} ({duration:.3f} s), {len(cues)} cues, voice {plan.voice}")
    for cue in cues:
        typer.echo(f"{_clock(cue['start']):>10} {_clock(cue['end']):>10}  {cue['kind']:<12}  {cue['text']}")
    for warning in timeline.warnings:
        typer.echo(f"warning: {warning}")


@app.command("routines")
def routines_command() -> None:
    """List the bundled routines."""
    for name in bundled_names():
        routine = load(name)
        typer.echo(f"{name:<20} {routine.title} ({len(routine.exercises)} exercises)")


@app.command("voices")
def voices_command() -> None:
    """List the voice profiles."""
    default = default_voice()
    for name in profile_names():
        profile = VoiceProfile.load(name)
        mark = " (default)" if name == default else ""
        typer.echo(f"{name:<10} {profile.engine:<8} {profile.description}{mark}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning every expected failure into one line and exit status 2."""
    args = sys.argv[1:] if argv is None else argv
    # SIGTERM unwinds like Ctrl-C, so temp files are removed on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        app(args=args, prog_name="stretchcue", standalone_mode=False)
    except StretchcueError as err:
        if "--debug" in args:
            traceback.print_exc()
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # e.g. an output folder that cannot be written
        print(f"error: {err.filename or ''}: {err.strerror}", file=sys.stderr)
        return 2
    except (typer.Abort, KeyboardInterrupt):
        print("stopped", file=sys.stderr)
        return 130
    except Exception as err:
        # Typer keeps its click private; its usage errors are the exceptions with format_message().
        if not hasattr(err, "format_message"):
            raise
        print(f"error: {err.format_message()}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
