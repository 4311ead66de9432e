"""File names made from titles: safe on Windows, macOS and Linux, unique, inside the output folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import read_tags
from pathvalidate import validate_filename

from stretchcue.disk.files import safe_name

TINY = "title: {title}\ndefaults: {{hold: 1, reps: 1, countdown: 0}}\nexercises:\n  - {{name: A, instructions: Go.}}\n"
HOSTILE = [
    "a/b",
    "a\\b",
    "..",
    "../../escape",
    "/etc/passwd",
    "CON",
    "nul",
    "COM1.txt",
    "Stretch 🧘 and breathe",
    "x" * 200,
    "  .hidden  ",
    "trailing dots...",
    'a:b*c?"d<e>f|g',
    "Same",
    "same",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_safe_name_is_valid_everywhere(title: str) -> None:
    name = safe_name(title)
    validate_filename(f"{name}.mp3", platform="universal")
    assert "/" not in name and "\\" not in name and name not in (".", "..") and not name.startswith(".")


@pytest.mark.slow
def test_hostile_titles_build_inside_the_folder_under_unique_safe_names(cli, tmp_path: Path) -> None:
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY.format(title="Tiny"), encoding="utf-8")
    tracks = "".join(f"  - routine: tiny.yaml\n    title: '{t.replace(chr(39), chr(39) * 2)}'\n" for t in HOSTILE)
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"title: '../CON: the *set*'\ntracks:\n{tracks}", encoding="utf-8")
    out = tmp_path / "out"
    run = cli("batch", manifest, "--voice", "beep", "--out", out)
    assert run.code == 0, run.err
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    tracks_written = [p for p in written if p.suffix == ".mp3"]
    assert all(p.parent == out for p in tracks_written) and len(tracks_written) == len(HOSTILE)
    assert len({p.name.lower() for p in tracks_written}) == len(HOSTILE)  # unique even on case-blind disks
    for path in tracks_written:
        validate_filename(path.name, platform="universal")
    assert {read_tags(p).title for p in tracks_written} == {" ".join(t.split()) for t in HOSTILE}
    playlists = [p for p in written if p.suffix == ".m3u8"]
    assert len(playlists) == 1 and playlists[0].parent == out
    validate_filename(playlists[0].name, platform="universal")
    listed = [line for line in playlists[0].read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert sorted(listed) == sorted(p.name for p in tracks_written)


@pytest.mark.parametrize("title", ["CON", "../up", "a/b"])
def test_a_single_track_with_a_hostile_title(cli, tmp_path: Path, title: str) -> None:
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY.format(title=f"'{title}'"), encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", routine, "--voice", "beep", "--out", out).code == 0
    (track,) = out.glob("*.mp3")
    validate_filename(track.name, platform="universal")
    assert read_tags(track).title == title
