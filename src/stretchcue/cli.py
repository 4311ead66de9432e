"""Command line: a thin layer over pipeline. Errors become one line on stderr and exit status 2.

The heavy modules (numpy, pydub, mutagen, rich, filelock, the engines' libraries) are imported
inside the commands that need them, so --help, --version, routines and voices start quickly.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import __version__
from .cache import ENV_VAR
from .errors import ExitStatus, StretchcueError
from .files import check_folder, describe
from .limits import MAX_HOLD, MAX_MUSIC_LEVEL, MAX_REPS, MIN_MUSIC_LEVEL, MUSIC_LEVEL
from .profiles import VoiceProfile, default_voice, profile_names

if TYPE_CHECKING:
    from rich.progress import Progress

    from .cache import ClipCache
    from .compiler import Options
    from .pipeline import Plan, TrackSpec

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Turn a stretching routine into a voice-guided MP3.",
)
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
OutOpt = Annotated[Path, typer.Option(help="Folder for the MP3s and playlists.")]
FeedOpt = Annotated[
    str | None,
    typer.Option("--feed", metavar="URL", help="Also write a podcast feed; URL is where --out will be served."),
]
MusicOpt = Annotated[
    Path | None,
    typer.Option(help="Music to lay under the voice (any file ffmpeg reads); default: the routine's `music`."),
]
MusicLevelOpt = Annotated[
    float | None,
    typer.Option(
        min=MIN_MUSIC_LEVEL,
        max=MAX_MUSIC_LEVEL,
        help=f"The music's loudness in dB against the voice (default {MUSIC_LEVEL:g}).",
    ),
]
ChimesOpt = Annotated[
    bool | None,
    typer.Option(
        "--chimes/--no-chimes", help="A soft chime as each hold starts and ends (default: the routine's `chimes`)."
    ),
]
CacheOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache",
        help=f"Folder of the speech cache (default: ${ENV_VAR}, else your user cache folder).",
    ),
]


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


def _options(
    hold: float | None, reps: int | None, chimes: bool | None, music: Path | None, music_level: float | None
) -> Options:
    """The command line's overrides."""
    from .compiler import Options
    from .routine import MusicChoice

    return Options(hold, reps, chimes, MusicChoice(music) if music else None, music_level)


def _voice(name: str | None) -> VoiceProfile:
    return VoiceProfile.load(name or default_voice())


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:06.3f}"


def _progress() -> Progress:
    """Progress bars on stderr, only when it is a terminal; they vanish when done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


def _cache(option: Path | None) -> ClipCache:
    from .cache import ClipCache, location

    root, what = location(option)
    check_folder(root, what)  # before anything is spoken or written
    return ClipCache(root)


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _report_repairs(cache: ClipCache) -> None:
    if cache.repaired:
        count = len(cache.repaired)
        _say(f"note: {count} damaged speech cache entr{'y was' if count == 1 else 'ies were'} spoken again")


def _build(
    specs: list[TrackSpec], out: Path, cache_option: Path | None, album: str | None = None, feed: str | None = None
) -> None:
    """Build tracks with a progress bar per track and overall, then say what happened to each; with
    `feed` (the folder's address), write the podcast feed of the folder too."""
    check_feed = None
    if feed:  # a bad address, or a feed file in the way, is reported before anything is built
        from .feed import check_base_url, check_room

        check_base_url(feed, "--feed")
        check_feed = functools.partial(check_room, out)
    from .pipeline import build_tracks

    cache = _cache(cache_option)
    with _progress() as progress:
        overall = progress.add_task("All tracks", total=len(specs))
        tasks = [progress.add_task(f"  {spec.title}", total=None, start=False) for spec in specs]

        def report(index: int, stage: str, done: int, total: int) -> None:
            task = tasks[index]
            progress.start_task(task)
            progress.update(task, description=f"  {specs[index].title}: {stage}", completed=done, total=total)
            if stage in ("built", "skipped"):
                progress.advance(overall)

        def notify(message: str) -> None:  # above the progress bars
            progress.console.print(message, markup=False, highlight=False, soft_wrap=True)

        tracks, playlist_path = build_tracks(specs, out, cache, album, report, notify, check_feed)
    _report_repairs(cache)
    for track in tracks:
        for warning in track.warnings:
            _say(f"warning: {warning}")
        status = "skipped (unchanged)" if track.skipped else "built"
        typer.echo(f"{status}: {track.path}  ({_clock(track.seconds)})")
    if playlist_path:
        typer.echo(f"playlist: {playlist_path}")
    if feed:
        _feed(out, feed, album, None)


def _feed(folder: Path, base_url: str, title: str | None, author: str | None) -> None:
    from .feed import write_feed

    path, count = write_feed(folder, base_url, title, author, _say)
    typer.echo(f"feed: {path}  ({count} episode{'s' if count != 1 else ''})")


@app.command("build")
def build_command(
    routine: RoutineArg,
    hold: HoldsOpt = None,
    reps: RepsOpt = None,
    voice: VoiceOpt = None,
    chimes: ChimesOpt = None,
    music: MusicOpt = None,
    music_level: MusicLevelOpt = None,
    out: OutOpt = OUT,
    cache: CacheOpt = None,
    feed: FeedOpt = None,
) -> None:
    """Build the routine's MP3; with several --hold, one track per hold length and a playlist."""
    from .pipeline import single, variants
    from .routine import load

    loaded, profile = load(routine), _voice(voice)
    if hold and len(set(hold)) > 1:
        options = _options(None, reps, chimes, music, music_level)
        _build(variants(loaded, hold, options, profile), out, cache, loaded.title, feed)
    else:
        options = _options(hold[0] if hold else None, reps, chimes, music, music_level)
        _build(single(loaded, options, profile), out, cache, None, feed)


@app.command("progression")
def progression_command(
    routine: RoutineArg,
    start: Annotated[float, typer.Option("--from", min=0.1, max=MAX_HOLD, help="Hold of the first session.")] = 10,
    stop: Annotated[float, typer.Option("--to", min=0.1, max=MAX_HOLD, help="Hold of the last session.")] = 30,
    step: Annotated[float, typer.Option(min=0.1, max=MAX_HOLD, help="Seconds added each session.")] = 5,
    reps: RepsOpt = None,
    voice: VoiceOpt = None,
    chimes: ChimesOpt = None,
    music: MusicOpt = None,
    music_level: MusicLevelOpt = None,
    out: OutOpt = OUT,
    cache: CacheOpt = None,
    feed: FeedOpt = None,
) -> None:
    """Sessions whose hold steps up from --from to --to (beginners: 10 s up to 30 s), and their playlist."""
    from .pipeline import progression
    from .routine import load

    loaded = load(routine)
    specs = progression(loaded, start, stop, step, _options(None, reps, chimes, music, music_level), _voice(voice))
    _build(specs, out, cache, specs[0].album, feed)


@app.command("batch")
def batch_command(
    manifest: Annotated[str, typer.Argument(help="A manifest file (.yaml) or the name of a bundled manifest.")],
    voice: VoiceOpt = None,
    chimes: ChimesOpt = None,
    music: MusicOpt = None,
    music_level: MusicLevelOpt = None,
    out: OutOpt = OUT,
    cache: CacheOpt = None,
    feed: FeedOpt = None,
) -> None:
    """Build every track a manifest lists, and their playlist."""
    from . import manifest as manifests
    from .pipeline import from_manifest

    loaded = manifests.load(manifest)
    overrides = _options(None, None, chimes, music, music_level)
    _build(from_manifest(loaded, voice, default_voice(), overrides), out, cache, loaded.title, feed)


@app.command("feed")
def feed_command(
    folder: Annotated[Path, typer.Argument(help="The folder of tracks (an --out of build, batch or progression).")],
    base_url: Annotated[
        str, typer.Option(help="The address the folder is served at, e.g. https://example.com/stretch/.")
    ],
    title: Annotated[str | None, typer.Option(help="The podcast's title; default: the tracks' album.")] = None,
    author: Annotated[str | None, typer.Option(help="The podcast's author.")] = None,
) -> None:
    """Write a podcast feed (feed.xml) of the tracks in FOLDER, with each one's cover and chapters beside it."""
    if not folder.is_dir():
        raise StretchcueError(f"{folder}: {'not a folder' if folder.exists() else 'no such folder'}")
    _feed(folder, base_url, title, author)


@app.command("cards")
def cards_command(
    routine: RoutineArg,
    hold: HoldOpt = None,
    reps: RepsOpt = None,
    out: Annotated[Path, typer.Option(help="Folder for the cards.")] = OUT / "cards",
) -> None:
    """Draw the routine's cards, one for the routine and one per exercise (PNG), and a printable A6 PDF of them all."""
    from .cards import save_cards
    from .compiler import Options
    from .routine import load

    for path in save_cards(load(routine), Options(hold, reps), out, _say):
        typer.echo(f"card: {path}")


@app.command("plan")
def plan_command(
    routine: RoutineArg,
    hold: HoldOpt = None,
    reps: RepsOpt = None,
    voice: VoiceOpt = None,
    chimes: ChimesOpt = None,
    music: MusicOpt = None,
    music_level: MusicLevelOpt = None,
    cache: CacheOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    png: Annotated[
        Path | None, typer.Option("--png", metavar="FILE", help="Also draw the session as a picture (PNG).")
    ] = None,
) -> None:
    """Print every cue with its start and end: the exact timeline that build renders (into any folder)."""
    from .compiler import MEANINGS
    from .music import track_format
    from .pipeline import make_plan, music_of
    from .routine import load
    from .speech import Voice

    loaded, profile = load(routine), _voice(voice)
    if png:  # a picture that cannot be written is reported before anything is spoken
        _check_picture(png)
    options = _options(hold, reps, chimes, music, music_level)
    under = music_of(loaded, options)
    fmt = track_format(under)  # a music file ffmpeg cannot read is reported before anything is spoken
    clips = _cache(cache)
    with _progress() as progress:
        task = progress.add_task("Speaking", total=None)
        speaker = Voice(profile, clips)
        plan = make_plan(loaded, options, speaker, lambda d, t: progress.update(task, completed=d, total=t))
    _report_repairs(clips)
    timeline = plan.timeline
    if png:
        _picture(png, plan)
    cues = [
        {
            "start": timeline.seconds(p.start),
            "end": timeline.seconds(p.end),
            "kind": str(p.cue.kind),
            "text": p.cue.text,
            "tone": p.cue.tone.name if p.cue.tone else None,
            "chapter": p.cue.chapter,
            "exercise": p.cue.exercise,
            "side": p.cue.side,
            "rep": p.cue.rep,
        }
        for p in timeline.cues
    ]
    duration = timeline.seconds(timeline.length)
    if as_json:
        doc = {
            "title": plan.routine.title,
            "duration": duration,
            "warnings": list(timeline.warnings),
            "format": {"sample_rate": fmt.rate, "channels": fmt.channels, "bitrate": fmt.bitrate},
            "music": {"file": str(under.path), "level": under.level} if under else None,
            "kinds": {str(kind): meaning for kind, meaning in MEANINGS.items()},
            "cues": cues,
        }
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    typer.echo(f"{plan.routine.title}: {_clock(duration)} ({duration:.3f} s), {len(cues)} cues, voice {plan.voice}")
    if under:
        typer.echo(f"music: {under.path} at {under.level:g} dB against the voice; written as {fmt.describe()}")
    for cue in cues:
        if cue["chapter"]:
            typer.echo(f"{_clock(cue['start']):>10}  chapter: {cue['chapter']}")
        text = cue["text"] or f"({cue['tone']})"
        typer.echo(f"{_clock(cue['start']):>10} {_clock(cue['end']):>10}  {cue['kind']:<12}  {text}")
    for warning in timeline.warnings:
        typer.echo(f"warning: {warning}")


def _check_picture(path: Path) -> None:
    from .files import check_ours

    if path.suffix.lower() != ".png":  # (".png" alone is a name with no suffix)
        raise StretchcueError(f"--png: {path} should be a file name ending in .png, e.g. session.png")
    check_folder(path.parent, "--png")
    check_ours(path, "--png")


def _picture(path: Path, plan: Plan) -> None:
    from .cards import png
    from .files import as_found, write_bytes
    from .picture import draw_plan

    _check_picture(path)  # again: the plan took a while
    path = as_found(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, png(draw_plan(plan.timeline, plan.routine.title, plan.voice)), "--png")
    _say(f"picture: {path}")


@app.command("cache")
def cache_command(
    cache: CacheOpt = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove every stored clip.")] = False,
) -> None:
    """Where the speech cache is and how big; --clear empties it."""
    clips = _cache(cache)
    if clear:
        removed = clips.clear()
        typer.echo(f"{clips.root}: removed {removed} clip{'s' if removed != 1 else ''}")
        return
    count, size = clips.usage()
    typer.echo(f"{clips.root}: {count} clip{'s' if count != 1 else ''}, {size / 1e6:.1f} MB")


@app.command("routines")
def routines_command() -> None:
    """List the bundled routines and manifests."""
    from . import manifest as manifests
    from .routine import BUNDLED, load
    from .yamlcheck import bundled_names

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
    """Entry point: run the app, turning every expected failure into one line and an exit status."""
    args = sys.argv[1:] if argv is None else argv
    # SIGTERM unwinds like Ctrl-C, so temp files are removed on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(ExitStatus.TERMINATED))
    try:
        code = app(args=args, prog_name="stretchcue", standalone_mode=False)
    except StretchcueError as err:
        return _fail(str(err), args)
    except OSError as err:  # e.g. an output folder that cannot be written
        return _fail(describe(err), args)
    except (typer.Abort, KeyboardInterrupt):
        code = ExitStatus.STOPPED
    except SystemExit as stop:  # from the SIGTERM handler, or typer's own exit when stdout's reader went away
        if isinstance(stop.__context__, BrokenPipeError):
            # `plan | head`: stop quietly, as a program killed by SIGPIPE would (typer would say 1).
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return ExitStatus.BROKEN_PIPE
        code = stop.code
    except Exception as err:
        # Typer keeps its click private; its usage errors are the exceptions with format_message().
        if not hasattr(err, "format_message"):
            raise
        return _fail(err.format_message(), args)
    if code in (ExitStatus.STOPPED, ExitStatus.TERMINATED):  # typer turns Ctrl-C into 130
        print("stopped", file=sys.stderr)
    return code if isinstance(code, int) else ExitStatus.OK


def _fail(message: str, args: list[str]) -> int:
    if "--debug" in args:
        traceback.print_exc()
    print(f"error: {message}", file=sys.stderr)
    return ExitStatus.ERROR


if __name__ == "__main__":
    sys.exit(main())
