"""Command line: a thin layer over pipeline. Errors become one line on stderr and exit status 2."""

from __future__ import annotations

import json
import signal
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import __version__
from . import manifest as manifests
from .compiler import Options
from .errors import StretchcueError
from .files import check_output_folder
from .pipeline import CACHE_FOLDER, TrackSpec, build_tracks, from_manifest, make_plan, progression, single, variants
from .routine import BUNDLED, MAX_HOLD, MAX_REPS, load
from .speech import Voice, VoiceProfile, default_voice, profile_names
from .yamlcheck import bundled_names

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Turn a stretching routine into a voice-guided MP3.",
)
stderr = Console(stderr=True)
OUT = Path("output")

RoutineArg = Annotated[str, typer.Argument(help="A routine file (.yaml) or the name of a bundled routine.")]
HoldOpt = Annotated[float | None, typer.Option(min=0.1, max=MAX_HOLD, help="Seconds to hold every stretch.")]
HoldsOpt = Annotated[
    list[float] | None,
    typer.Option("--hold", min=0.1, max=MAX_HOLD, help="Seconds to hold each stretch; repeat for one track each."),
]
RepsOpt = Annotated[int | None, typer.Option(min=1, max=MAX_REPS, help="Reps per exercise and side.")]
VoiceOpt = Annotated[
    str | None,
    typer.Option(help="A voice profile (see `voices`); default: piper if installed, else system."),
]
OutOpt = Annotated[Path, typer.Option(help="Folder for the MP3s and playlists (and the speech cache).")]


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


def _voice(name: str | None) -> VoiceProfile:
    return VoiceProfile.load(name or default_voice())


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:06.3f}"


def _progress() -> Progress:
    """Progress bars on stderr, only when it is a terminal; they vanish when done."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal)


def _build(specs: list[TrackSpec], out: Path, album: str | None = None) -> None:
    """Build tracks with a progress bar per track and overall, then say what happened to each."""
    with _progress() as progress:
        overall = progress.add_task("All tracks", total=len(specs))
        tasks = [progress.add_task(f"  {spec.title}", total=None, start=False) for spec in specs]

        def report(index: int, stage: str, done: int, total: int) -> None:
            task = tasks[index]
            progress.start_task(task)
            progress.update(task, description=f"  {specs[index].title}: {stage}", completed=done, total=total)
            if stage in ("built", "skipped"):
                progress.advance(overall)

        tracks, playlist_path = build_tracks(specs, out, album, report)
    for track in tracks:
        for warning in track.warnings:
            stderr.print(f"warning: {warning}", highlight=False, soft_wrap=True)
        status = "skipped (unchanged)" if track.skipped else "built"
        typer.echo(f"{status}: {track.path}  ({_clock(track.seconds)})")
    if playlist_path:
        typer.echo(f"playlist: {playlist_path}")


@app.command("build")
def build_command(
    routine: RoutineArg, hold: HoldsOpt = None, reps: RepsOpt = None, voice: VoiceOpt = None, out: OutOpt = OUT
) -> None:
    """Build the routine's MP3; with several --hold, one track per hold length and a playlist."""
    loaded, profile = load(routine), _voice(voice)
    if hold and len(set(hold)) > 1:
        _build(variants(loaded, hold, reps, profile), out, album=loaded.title)
    else:
        _build(single(loaded, Options(hold[0] if hold else None, reps), profile), out)


@app.command("progression")
def progression_command(
    routine: RoutineArg,
    start: Annotated[float, typer.Option("--from", min=0.1, max=MAX_HOLD, help="Hold of the first session.")] = 10,
    stop: Annotated[float, typer.Option("--to", min=0.1, max=MAX_HOLD, help="Hold of the last session.")] = 30,
    step: Annotated[float, typer.Option(min=0.1, max=MAX_HOLD, help="Seconds added each session.")] = 5,
    reps: RepsOpt = None,
    voice: VoiceOpt = None,
    out: OutOpt = OUT,
) -> None:
    """Sessions whose hold steps up from --from to --to (beginners: 10 s up to 30 s), and their playlist."""
    loaded = load(routine)
    specs = progression(loaded, start, stop, step, reps, _voice(voice))
    _build(specs, out, album=specs[0].album)


@app.command("batch")
def batch_command(
    manifest: Annotated[str, typer.Argument(help="A manifest file (.yaml) or the name of a bundled manifest.")],
    voice: VoiceOpt = None,
    out: OutOpt = OUT,
) -> None:
    """Build every track a manifest lists, and their playlist."""
    loaded = manifests.load(manifest)
    _build(from_manifest(loaded, voice, default_voice()), out, album=loaded.title)


@app.command("plan")
def plan_command(
    routine: RoutineArg,
    hold: HoldOpt = None,
    reps: RepsOpt = None,
    voice: VoiceOpt = None,
    out: OutOpt = OUT,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print every cue with its start and end: the exact timeline that build renders."""
    loaded, profile = load(routine), _voice(voice)
    check_output_folder(out)  # the speech cache lives there
    with _progress() as progress:
        task = progress.add_task("Speaking", total=None)
        speaker = Voice(profile, out / CACHE_FOLDER)
        plan = make_plan(loaded, Options(hold, reps), speaker, lambda d, t: progress.update(task, completed=d, total=t))
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
        doc = {"title": plan.routine.title, "duration": duration, "warnings": list(timeline.warnings), "cues": cues}
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    typer.echo(f"{plan.routine.title}: {_clock(duration)} ({duration:.3f} s), {len(cues)} cues, voice {plan.voice}")
    for cue in cues:
        typer.echo(f"{_clock(cue['start']):>10} {_clock(cue['end']):>10}  {cue['kind']:<12}  {cue['text']}")
    for warning in timeline.warnings:
        typer.echo(f"warning: {warning}")


@app.command("routines")
def routines_command() -> None:
    """List the bundled routines and manifests."""
    for name in bundled_names(BUNDLED):
        routine = load(name)
        count = len(routine.exercises)
        typer.echo(f"{name:<28} routine   {routine.title} ({count} exercise{'s' if count != 1 else ''})")
    for name in bundled_names(manifests.BUNDLED):
        manifest = manifests.load(name)
        typer.echo(f"{name:<28} manifest  {manifest.title} ({len(manifest.entries)} tracks)")


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
        code = app(args=args, prog_name="stretchcue", standalone_mode=False)
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
    return code if isinstance(code, int) else 0  # an int is an exit status (130 after Ctrl-C)


if __name__ == "__main__":
    sys.exit(main())
