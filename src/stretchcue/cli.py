"""Command line: a thin layer over the pipeline, one small function per command that parses,
calls and prints through the console. Errors become one line on stderr and exit status 2.

Every command starts within 0.2 s of a bare Python start (scripts/bench.py measures it), so this
module imports only typer and what declares the commands: everything else (the routine reader and
YAML, voice profiles, the cache and its files, numpy, pydub, rich, the engines' libraries) is
imported inside the commands that need it. tests/test_cli.py checks what --help, --version,
routines and voices import.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from stretchcue import __version__
from stretchcue import arguments as arg
from stretchcue.console import Console
from stretchcue.errors import ExitStatus, StretchcueError

if TYPE_CHECKING:
    from typer._click import Context
    from typer.core import TyperOption

    from stretchcue.authoring.compiler import Options
    from stretchcue.pipeline.tracks import TrackSpec
    from stretchcue.sound.cache import ClipCache


class _Group(TyperGroup):
    def get_help_option(self, ctx: Context) -> TyperOption | None:
        return _help_flag(super().get_help_option(ctx))


class _Command(TyperCommand):
    def get_help_option(self, ctx: Context) -> TyperOption | None:
        return _help_flag(super().get_help_option(ctx))


def _help_flag(option: TyperOption | None) -> TyperOption | None:
    """--help, False when not given (typer leaves it None). Typer checks a value that is not
    already a bool with pydantic, whose import alone takes longer than the rest of a command
    such as `voices`; every other flag here defaults to False, and so the commands without
    other options (routines, voices) never load it."""
    if option is not None:
        option.default = False
    return option


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Turn a stretching routine into a voice-guided MP3.",
)
OUT = Path("output")
console = Console()  # what every command says goes through it; the options below set it up


def _version(value: bool) -> None:
    if value:
        console.out(f"stretchcue {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Say only results, warnings and errors.")] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Log what happens (cache, engines, skipped files); show tracebacks."),
    ] = False,
) -> None:
    """Turn a stretching routine into a voice-guided MP3."""
    console.setup(quiet, debug)


def _options(
    hold: float | None,
    reps: int | None,
    chimes: bool | None,
    music: Path | None,
    music_level: float | None,
    guidance: str | None = None,
) -> Options:
    """The command line's overrides."""
    from stretchcue.authoring.compiler import Options
    from stretchcue.authoring.routine import Guidance, MusicChoice

    level = None
    if guidance is not None:
        try:
            level = Guidance(guidance.lower())
        except ValueError:
            raise StretchcueError(f"--guidance: expected one of {', '.join(Guidance)}; got {guidance!r}") from None
    return Options(hold, reps, chimes, MusicChoice(music) if music else None, music_level, level)


def _cache(option: Path | None) -> ClipCache:
    from stretchcue.disk.files import check_folder
    from stretchcue.sound.cache import ClipCache, location

    root, what = location(option)
    check_folder(root, what)  # before anything is spoken or written
    return ClipCache(root)


def _report_repairs(cache: ClipCache) -> None:
    if cache.repaired:
        count = len(cache.repaired)
        console.note(f"{count} damaged speech cache entr{'y was' if count == 1 else 'ies were'} spoken again")


def _build(
    specs: list[TrackSpec],
    out_option: Path | None,
    cache_option: Path | None,
    album: str | None = None,
    feed: str | None = None,
    page: bool = False,
    scheduler: str | None = None,
) -> None:
    """Build tracks into --out, or by default into a folder of their album's own (so playlists,
    track numbers and feeds hold only what belongs together), with a progress bar per track and
    overall, then say what happened to each; with `feed` (the folder's address), write the
    podcast feed of the folder too, and with `page` its web page; with `scheduler` (a Dask
    scheduler's address), the tracks are built on its workers."""
    from stretchcue.disk.files import as_found, is_own_file
    from stretchcue.outputs.feed import FEED, PAGE, check_base_url
    from stretchcue.outputs.listing import check_room as room
    from stretchcue.outputs.names import album_folder

    out = out_option or OUT / album_folder(specs[0].album)
    renew = not page and is_own_file(as_found(out / PAGE))  # a page of ours stays true to its tracks
    page = page or renew
    if feed:  # a bad address, or a feed or page file in the way, is reported before anything is built
        check_base_url(feed, "--feed")
    names = [FEED] * bool(feed) + [PAGE] * page
    check_room = functools.partial(room, out, names=names, chapters=bool(feed)) if names else None
    from stretchcue.pipeline.build import Builder, LocalBuilder, build_tracks
    from stretchcue.pipeline.session import clock

    cache = None
    builder: Builder
    if scheduler is not None:
        from stretchcue.pipeline.cluster import ClusterBuilder

        if cache_option:
            where = "$STRETCHCUE_CACHE where it runs"
            raise StretchcueError(
                f"--cache: with --scheduler the workers speak, each into its own speech cache ({where})"
            )
        builder = ClusterBuilder(scheduler)
    else:
        builder = LocalBuilder(cache := _cache(cache_option))
    with console.tracks([spec.title for spec in specs]) as report:
        tracks, playlist_path = build_tracks(specs, out, builder, album, report, console, check_room)
    if cache is not None:
        _report_repairs(cache)
    for track in tracks:
        for warning in track.warnings:
            console.warning(warning)
        console.out(f"{'skipped (unchanged)' if track.skipped else 'built'}: {track.path}  ({clock(track.seconds)})")
    if playlist_path:
        console.out(f"playlist: {playlist_path}")
    if feed or page:
        _publish(out, feed, page, album)
    if not feed and is_own_file(as_found(out / FEED)):
        console.note(f"{out / FEED} still lists the audio before this run: write it again with --feed URL")


def _publish(folder: Path, feed: str | None, page: bool, title: str | None, author: str | None = None) -> None:
    """Write the folder's feed (`feed`: its address) and page, in one go: a file in the way of
    either stops both before anything is written."""
    from stretchcue.disk.files import as_found
    from stretchcue.outputs.feed import FEED, PAGE, feed_files
    from stretchcue.outputs.listing import publish
    from stretchcue.outputs.page import page_files

    makers = [feed_files(folder, feed, title, author, page)] if feed else []
    makers += [page_files(folder, title, bool(feed))] if page else []
    found = publish(folder, " and the ".join(["feed"] * bool(feed) + ["page"] * page), makers, console)
    if feed:
        console.out(f"feed: {as_found(folder / FEED)}  ({len(found)} episode{'s' if len(found) != 1 else ''})")
    if page:
        console.out(f"page: {as_found(folder / PAGE)}  ({len(found)} track{'s' if len(found) != 1 else ''})")


@app.command("build", cls=_Command, short_help="Build a routine's track (one per --hold, with a playlist).")
def build_command(
    routine: arg.RoutineArg,
    hold: arg.HoldsOpt = None,
    reps: arg.RepsOpt = None,
    voice: arg.VoiceOpt = None,
    chimes: arg.ChimesOpt = None,
    music: arg.MusicOpt = None,
    music_level: arg.MusicLevelOpt = None,
    guidance: arg.GuidanceOpt = None,
    out: arg.OutOpt = None,
    cache: arg.CacheOpt = None,
    feed: arg.FeedOpt = None,
    page: arg.PageOpt = False,
) -> None:
    """Build the routine's MP3; with several --hold, one track per hold length and a playlist."""
    from stretchcue.authoring.routine import load
    from stretchcue.pipeline.tracks import by_holds
    from stretchcue.sound.profiles import voice_for

    options = _options(None, reps, chimes, music, music_level, guidance)
    loaded = load(routine)
    specs, album = by_holds(loaded, hold or [], options, voice_for(loaded.language, voice))
    _build(specs, out, cache, album, feed, page)


@app.command("progression", cls=_Command, short_help="Sessions whose holds step up, with a playlist.")
def progression_command(
    routine: arg.RoutineArg,
    start: arg.FromOpt = 10,
    stop: arg.ToOpt = 30,
    step: arg.StepOpt = 5,
    reps: arg.RepsOpt = None,
    voice: arg.VoiceOpt = None,
    chimes: arg.ChimesOpt = None,
    music: arg.MusicOpt = None,
    music_level: arg.MusicLevelOpt = None,
    guidance: arg.GuidanceOpt = None,
    fade: arg.FadeOpt = False,
    out: arg.OutOpt = None,
    cache: arg.CacheOpt = None,
    feed: arg.FeedOpt = None,
    page: arg.PageOpt = False,
) -> None:
    """Sessions whose hold steps up from --from to --to (beginners: 10 s up to 30 s), and their playlist."""
    from stretchcue.authoring.routine import load
    from stretchcue.pipeline.tracks import progression
    from stretchcue.sound.profiles import voice_for

    loaded = load(routine)
    if fade and guidance:
        raise StretchcueError("--fade steps the guidance down itself; give --fade or --guidance, not both")
    options = _options(None, reps, chimes, music, music_level, guidance)
    specs = progression(loaded, start, stop, step, options, voice_for(loaded.language, voice), fade)
    _build(specs, out, cache, specs[0].album, feed, page)


@app.command("batch", cls=_Command, short_help="Build every track a manifest lists, with a playlist.")
def batch_command(
    manifest: arg.ManifestArg,
    voice: arg.VoiceOpt = None,
    chimes: arg.ChimesOpt = None,
    music: arg.MusicOpt = None,
    music_level: arg.MusicLevelOpt = None,
    guidance: arg.GuidanceOpt = None,
    out: arg.OutOpt = None,
    cache: arg.CacheOpt = None,
    feed: arg.FeedOpt = None,
    page: arg.PageOpt = False,
    scheduler: arg.SchedulerOpt = None,
) -> None:
    """Build every track a manifest lists, and their playlist; with --scheduler, on a Dask cluster."""
    from stretchcue.pipeline import manifest as manifests
    from stretchcue.pipeline.tracks import from_manifest

    loaded = manifests.load(manifest)
    overrides = _options(None, None, chimes, music, music_level, guidance)
    _build(from_manifest(loaded, voice, overrides), out, cache, loaded.title, feed, page, scheduler)


@app.command("feed", cls=_Command, short_help="Write a podcast feed of a folder of tracks.")
def feed_command(
    folder: arg.FolderArg,
    base_url: arg.BaseUrlOpt,
    title: arg.TitleOpt = None,
    author: arg.AuthorOpt = None,
    page: arg.PageOpt = False,
) -> None:
    """Write a podcast feed (feed.xml) of the tracks in FOLDER, with each one's cover and chapters beside it."""
    _publish(folder, base_url, page, title, author)


@app.command("page", cls=_Command, short_help="Write a folder's web page (index.html) to play its tracks from.")
def page_command(folder: arg.FolderArg, title: arg.PageTitleOpt = None) -> None:
    """Write index.html in FOLDER: its tracks with their covers, players, chapters to jump to and
    words shown as they are said, and links to the playlists, cards and feed. Open it from the
    disk or serve the folder."""
    _publish(folder, None, True, title)


@app.command("cards", cls=_Command, short_help="Draw the routine's cards (PNGs and a printable PDF).")
def cards_command(
    routine: arg.RoutineArg,
    hold: arg.HoldOpt = None,
    reps: arg.RepsOpt = None,
    guidance: arg.GuidanceOpt = None,
    out: arg.CardsOutOpt = None,
) -> None:
    """Draw the routine's cards, one for the routine and one per exercise (PNG), and a printable A6 PDF of them all."""
    from stretchcue.authoring.routine import load
    from stretchcue.outputs.cards import save_cards
    from stretchcue.outputs.names import album_folder
    from stretchcue.pipeline.tracks import track_title

    loaded, options = load(routine), _options(hold, reps, None, None, None, guidance)
    folder = out or OUT / album_folder(track_title(loaded, options)) / "cards"  # beside that track's default folder
    for path in save_cards(loaded, options, folder, console):
        console.out(f"card: {path}")


@app.command("plan", cls=_Command, short_help="Print the exact timeline build would render.")
def plan_command(
    routine: arg.RoutineArg,
    hold: arg.HoldOpt = None,
    reps: arg.RepsOpt = None,
    voice: arg.VoiceOpt = None,
    chimes: arg.ChimesOpt = None,
    music: arg.MusicOpt = None,
    music_level: arg.MusicLevelOpt = None,
    guidance: arg.GuidanceOpt = None,
    cache: arg.CacheOpt = None,
    as_json: arg.JsonOpt = False,
    png: arg.PngOpt = None,
) -> None:
    """Print every cue with its start and end: the exact timeline that build renders (into any folder)."""
    import json

    from stretchcue.authoring.routine import load
    from stretchcue.pipeline.session import make_plan
    from stretchcue.sound.profiles import voice_for
    from stretchcue.sound.speech import Voice

    loaded = load(routine)
    profile = voice_for(loaded.language, voice)
    if png:  # a picture that cannot be written is reported before anything is spoken
        from stretchcue.outputs.picture import check_picture  # (Pillow, fonts: only for a picture)

        check_picture(png)
    clips = _cache(cache)
    with console.counting("Speaking") as progress:
        speaker = Voice(profile, clips)
        options = _options(hold, reps, chimes, music, music_level, guidance)
        plan = make_plan(loaded, options, speaker, progress)
    _report_repairs(clips)
    if png:
        from stretchcue.outputs.picture import save_picture

        console.out(
            f"picture: {save_picture(png, plan.timeline, plan.routine.title, plan.voice, plan.routine.language)}",
            aside=True,
        )
    for line in [json.dumps(plan.document(), indent=2, ensure_ascii=False)] if as_json else plan.table():
        console.out(line)


@app.command("validate", cls=_Command, short_help="Check routines and manifests, listing every error.")
def validate_command(files: arg.FilesArg) -> None:
    """Check routines and manifests without building anything: every error, with its line."""
    from stretchcue.pipeline.validate import problems

    failed = False
    for spec in files:
        found = problems(spec)
        for problem in found:
            console.error(str(problem))
        if not found:
            console.out(f"{spec}: ok")
        failed = failed or bool(found)
    if failed:
        raise typer.Exit(ExitStatus.ERROR)


@app.command("new", cls=_Command, short_help="Write a starter routine to edit.")
def new_command(title: arg.NewTitleArg, out: arg.NewOutOpt = None) -> None:
    """Write a starter routine to edit: every field explained, two example exercises."""
    from stretchcue.authoring.schema import ROUTINE, schema_uri
    from stretchcue.authoring.starter import file_name, starter
    from stretchcue.disk.files import write_new

    path = out or Path(file_name(title))
    write_new(path, starter(title, schema_uri(ROUTINE), path.name))
    console.out(f"routine: {path}")


@app.command("import", cls=_Command, short_help="Write a routine from an article (a file or a web address).")
def import_command(source: arg.SourceArg, out: arg.ImportOutOpt = None) -> None:
    """Write a routine from an article: its exercises, instructions, holds, reps and sides, each
    value with the article's words beside it to check."""
    from stretchcue.article.importer import import_article

    imported = import_article(source, out)
    for gap in imported.gaps:
        console.note(f"{gap} (not in the article)")
    count = len(imported.draft.exercises)
    console.out(f"routine: {imported.path}  ({count} exercise{'s' if count != 1 else ''})")


@app.command("schema", cls=_Command, short_help="Print the JSON Schema of routines or manifests.")
def schema_command(manifest: arg.ManifestOpt = False) -> None:
    """Print the JSON Schema of routines (or of manifests), for editors and other tools."""
    from stretchcue.authoring.schema import MANIFEST, ROUTINE, schema_text

    console.out(schema_text(MANIFEST if manifest else ROUTINE).rstrip("\n"))


@app.command("cache", cls=_Command, short_help="Where the speech cache is and how big; --clear empties it.")
def cache_command(
    cache: arg.CacheOpt = None,
    clear: arg.ClearOpt = False,
) -> None:
    """Where the speech cache is and how big; --clear empties it."""
    clips = _cache(cache)
    if clear:
        removed = clips.clear()
        console.out(f"{clips.root}: removed {removed} clip{'s' if removed != 1 else ''}")
        return
    count, size = clips.usage()
    console.out(f"{clips.root}: {count} clip{'s' if count != 1 else ''}, {size / 1e6:.1f} MB")


@app.command("routines", cls=_Command, short_help="List the bundled routines and manifests.")
def routines_command() -> None:
    """List the bundled routines and manifests."""
    from stretchcue.authoring.language import LANGUAGE_NAMES
    from stretchcue.authoring.routine import BUNDLED, load
    from stretchcue.authoring.yamlcheck import bundled_names
    from stretchcue.pipeline import manifest as manifests

    for name in bundled_names(BUNDLED):
        routine = load(name)
        count = len(routine.exercises)
        language = LANGUAGE_NAMES[routine.language]
        console.out(f"{name:<28} routine   {routine.title} ({count} exercise{'s' if count != 1 else ''}, {language})")
    for name in bundled_names(manifests.BUNDLED):
        manifest = manifests.load(name)
        console.out(f"{name:<28} manifest  {manifest.title} ({len(manifest.entries)} tracks)")


@app.command("voices", cls=_Command, short_help="List the voice profiles.")
def voices_command() -> None:
    """List the voice profiles."""
    from stretchcue.sound.profiles import VoiceProfile, default_voice, profile_names

    default = default_voice()
    for name in profile_names():
        profile = VoiceProfile.load(name)
        mark = " (default)" if name == default else ""
        console.out(f"{name:<10} {profile.engine:<8} {' '.join(profile.languages):<12} {profile.description}{mark}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning every expected failure into one line and an exit status."""
    args = arg.flags_first((sys.argv[1:] if argv is None else argv) or ["--help"])  # bare: the help, no error
    console.setup()  # (until the options are read: a usage error is said in full)
    # SIGTERM unwinds like Ctrl-C, so temp files are removed on the way out.
    signal.signal(signal.SIGTERM, _stop)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # (not when started with it ignored)
        signal.signal(signal.SIGINT, _stop)
    try:
        code = app(args=args, prog_name="stretchcue", standalone_mode=False)
    except StretchcueError as err:
        return _fail(str(err))
    except OSError as err:  # e.g. an output folder that cannot be written
        from stretchcue.disk.files import describe

        return _fail(describe(err))
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
        return _fail(err.format_message())
    if code in (ExitStatus.STOPPED, ExitStatus.TERMINATED):  # typer turns Ctrl-C into 130
        console.stopped()
    return code if isinstance(code, int) else ExitStatus.OK


def _stop(signum: int, _: object) -> None:
    """Stop: unwind, removing temp files on the way out. A second Ctrl-C or SIGTERM is ignored: the
    run is already stopping (in a sentence at most), and cutting that short would leave them."""
    for stop in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(stop) is _stop:
            signal.signal(stop, signal.SIG_IGN)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    sys.exit(ExitStatus.TERMINATED)


def _fail(message: str) -> int:
    if console.debug:
        import traceback

        traceback.print_exc()
    console.error(message)
    return ExitStatus.ERROR


if __name__ == "__main__":
    sys.exit(main())
