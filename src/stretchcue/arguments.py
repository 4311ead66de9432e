"""The command line's arguments and options, each declared once for every command that takes it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stretchcue.limits import (
    CACHE_VARIABLE,
    MAX_HOLD,
    MAX_MUSIC_LEVEL,
    MAX_REPS,
    MIN_HOLD,
    MIN_MUSIC_LEVEL,
    MUSIC_LEVEL,
)


def _plain_arguments() -> None:
    """Typer writes a required argument as `{ROUTINE}` in the usage line and adds its type in the
    list (`ROUTINE <str>`); people know `ROUTINE`, as every option here is written (`--hold
    SECONDS`). Typer offers no setting for it, so its two methods are replaced, if it has them."""
    from typer.core import TyperArgument

    if hasattr(TyperArgument, "_usage_display_name") and hasattr(TyperArgument, "display_type_rich"):

        def usage(self: TyperArgument) -> str:
            name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
            return name if self.nargs == 1 else f"{name}..."

        TyperArgument._usage_display_name = usage  # type: ignore[method-assign]
        TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]


_plain_arguments()

FLAGS = ("--debug", "--quiet", "-q")  # the app's own options, taken anywhere on the line

RoutineArg = Annotated[
    str, typer.Argument(metavar="ROUTINE", help="A routine file (.yaml) or the name of a bundled routine.")
]
HoldOpt = Annotated[
    float | None, typer.Option(metavar="SECONDS", min=MIN_HOLD, max=MAX_HOLD, help="Seconds to hold every stretch.")
]
HoldsOpt = Annotated[
    list[float] | None,
    typer.Option(
        "--hold",
        metavar="SECONDS",
        min=MIN_HOLD,
        max=MAX_HOLD,
        help="Seconds to hold each stretch; repeat for one track each.",
    ),
]
RepsOpt = Annotated[int | None, typer.Option(metavar="N", min=1, max=MAX_REPS, help="Reps per exercise and side.")]
VoiceOpt = Annotated[
    str | None,
    typer.Option(metavar="NAME", help="A voice profile (see `voices`); default: piper if installed, else system."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(metavar="DIR", help="Folder for the MP3s and playlists; default: a folder of their own in ./output."),
]
FeedOpt = Annotated[
    str | None,
    typer.Option(
        "--feed",
        metavar="URL",
        help="Also write a podcast feed of the tracks' folder; URL is where that folder will be served.",
    ),
]
MusicOpt = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE", help="Music to lay under the voice (any file ffmpeg reads); default: the routine's `music`."
    ),
]
MusicLevelOpt = Annotated[
    float | None,
    typer.Option(
        metavar="DB",
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
        metavar="DIR",
        help=f"Folder of the speech cache (default: ${CACHE_VARIABLE}, else your user cache folder).",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Build the tracks on a Dask cluster, whose scheduler is at ADDRESS (tcp://HOST:8786); "
        "its workers speak into their own speech caches. Needs: pip install 'stretchcue[cluster]'.",
    ),
]
ManifestArg = Annotated[
    str, typer.Argument(metavar="MANIFEST", help="A manifest file (.yaml) or the name of a bundled manifest.")
]
PageOpt = Annotated[
    bool,
    typer.Option(
        "--page",
        help="Also write index.html: the folder's tracks as a web page to play them from (served, or from the disk).",
    ),
]
PageTitleOpt = Annotated[str | None, typer.Option(metavar="TEXT", help="The page's title; default: the tracks' album.")]
FolderArg = Annotated[
    Path, typer.Argument(metavar="FOLDER", help="A folder of tracks made by build, batch or progression.")
]
BaseUrlOpt = Annotated[
    str, typer.Option(metavar="URL", help="The address the folder is served at, e.g. https://example.com/stretch/.")
]
TitleOpt = Annotated[str | None, typer.Option(metavar="TEXT", help="The podcast's title; default: the tracks' album.")]
AuthorOpt = Annotated[str | None, typer.Option(metavar="TEXT", help="The podcast's author.")]
CardsOutOpt = Annotated[
    Path | None, typer.Option(metavar="DIR", help="Folder for the cards; default: cards/ in the track's folder.")
]
FilesArg = Annotated[
    list[str],
    typer.Argument(metavar="FILE", help="Routine or manifest files (.yaml), or names of bundled ones."),
]
NewTitleArg = Annotated[str, typer.Argument(metavar="TITLE", help="The routine's title.")]
NewOutOpt = Annotated[
    Path | None,
    typer.Option(metavar="FILE", help="The file to write; default: the title as a file name here (my-routine.yaml)."),
]
SourceArg = Annotated[
    str, typer.Argument(metavar="SOURCE", help="An article: a file (HTML, markdown or text) or an http(s):// address.")
]
ImportOutOpt = Annotated[
    Path | None,
    typer.Option(metavar="FILE", help="The routine file to write; default: its title as a file name here."),
]
ManifestOpt = Annotated[bool, typer.Option("--manifest", help="The manifests' schema instead of the routines'.")]
FadeOpt = Annotated[
    bool, typer.Option("--fade", help="Less talk as the holds grow: full guidance first, brief, then minimal last.")
]
GuidanceOpt = Annotated[
    str | None,
    typer.Option(
        metavar="LEVEL",
        help="How much is said: full, brief, minimal or timer (tones and names); default: the routine's guidance.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
PngOpt = Annotated[Path | None, typer.Option("--png", metavar="FILE", help="Also draw the session as a picture (PNG).")]
ClearOpt = Annotated[bool, typer.Option("--clear", help="Remove every stored clip.")]
FromOpt = Annotated[
    float, typer.Option("--from", metavar="SECONDS", min=MIN_HOLD, max=MAX_HOLD, help="Hold of the first session.")
]
ToOpt = Annotated[
    float, typer.Option("--to", metavar="SECONDS", min=MIN_HOLD, max=MAX_HOLD, help="Hold of the last session.")
]
StepOpt = Annotated[
    float, typer.Option(metavar="SECONDS", min=MIN_HOLD, max=MAX_HOLD, help="Seconds added each session.")
]


def flags_first(args: list[str]) -> list[str]:
    """--debug and --quiet where the app reads them (before the command), wherever they were given."""
    end = args.index("--") if "--" in args else len(args)
    flags = [arg for arg in args[:end] if arg in FLAGS]
    return flags + [arg for n, arg in enumerate(args) if n >= end or arg not in FLAGS]
