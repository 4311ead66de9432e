"""The command line's arguments and options, each declared once for every command that takes it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stretchcue.limits import MAX_HOLD, MAX_MUSIC_LEVEL, MAX_REPS, MIN_MUSIC_LEVEL, MUSIC_LEVEL
from stretchcue.sound.cache import ENV_VAR

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
ManifestArg = Annotated[str, typer.Argument(help="A manifest file (.yaml) or the name of a bundled manifest.")]
FolderArg = Annotated[Path, typer.Argument(help="The folder of tracks (an --out of build, batch or progression).")]
BaseUrlOpt = Annotated[
    str, typer.Option(help="The address the folder is served at, e.g. https://example.com/stretch/.")
]
TitleOpt = Annotated[str | None, typer.Option(help="The podcast's title; default: the tracks' album.")]
AuthorOpt = Annotated[str | None, typer.Option(help="The podcast's author.")]
CardsOutOpt = Annotated[Path, typer.Option(help="Folder for the cards.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
PngOpt = Annotated[Path | None, typer.Option("--png", metavar="FILE", help="Also draw the session as a picture (PNG).")]
ClearOpt = Annotated[bool, typer.Option("--clear", help="Remove every stored clip.")]
