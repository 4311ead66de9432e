"""A hostile or damaged output folder: links, leftovers, cut tracks, colliding names, edited
playlists, a full disk. Every case runs the real command line."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import assert_whole, read_tags, run_cli, tag_size

from stretchcue.outputs.track import PROOF_BLOCK

TRACK = "Quick check.mp3"
TINY = (
    "title: '{title}'\ndefaults: {{hold: 1, reps: 1, countdown: 0}}\nexercises:\n  - {{name: A, instructions: Go.}}\n"
)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def tiny(folder: Path, title: str, file: str) -> Path:
    path = folder / file
    path.write_text(TINY.format(title=title.replace("'", "''")), encoding="utf-8")
    return path


# -- links and leftovers ----------------------------------------------------------------------------


@pytest.mark.slow
def test_links_are_never_written_through(cli, small_routine: Path, tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    assert cli("build", small_routine, "--voice", "beep", "--out", elsewhere).code == 0
    ours_elsewhere = (elsewhere / TRACK).read_bytes()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out.mkdir()
    # The fixed temp names of earlier versions, and a name of today's pattern, all pointing outside.
    for name in (f".{TRACK}.part", ".Quick check.m3u8.part", f".{TRACK}.abc123.stretchcue-part"):
        (out / name).symlink_to(victim)
    run = cli("build", small_routine, "--voice", "beep", "--reps", "3", "--out", out)
    assert run.code == 0, run.err
    assert victim.read_text() == "keep me" and (elsewhere / TRACK).read_bytes() == ours_elsewhere
    assert_whole(out / TRACK)
    (out / TRACK).unlink()
    (out / TRACK).symlink_to(elsewhere / TRACK)  # a link to a track of ours is the user's link: kept
    run = cli("build", small_routine, "--voice", "beep", "--reps", "2", "--out", out)
    assert run.code == 2 and "is a link" in run.err, run.err
    assert (out / TRACK).is_symlink() and (elsewhere / TRACK).read_bytes() == ours_elsewhere
    assert (out / f".{TRACK}.abc123.stretchcue-part").is_symlink()  # a link is never a temp file of ours: kept


@pytest.mark.parametrize("target", ["nowhere.mp3", "unmounted/disk/track.mp3", TRACK])  # (the last: a loop)
def test_a_dangling_link_at_a_final_name_is_kept(cli, small_routine: Path, tmp_path: Path, target: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / TRACK).symlink_to(tmp_path / target if target != TRACK else out / TRACK)
    run = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert run.code == 2 and f"{out / TRACK} is a link" in run.err, run.err
    assert (out / TRACK).is_symlink() and names(out) == [TRACK]  # (a link to a disk not mounted now is still wanted)


def test_a_link_at_the_lock_is_refused_not_followed(cli, small_routine: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / ".stretchcue.lock").symlink_to(victim)
    run = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert run.code == 2 and run.err.startswith("error: ") and run.err.count("\n") == 1, run.err
    assert str(out / ".stretchcue.lock") in run.err
    assert victim.read_text() == "keep me" and names(out) == [".stretchcue.lock"]


def test_the_output_folder_holds_only_tracks_their_transcripts_and_playlists(
    cli, small_routine: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert cli("build", small_routine, "--hold", "2", "--hold", "3", "--voice", "beep", "--out", out).code == 0
    tracks = [f"0{n} - Quick check - {n + 1} s holds.{kind}" for n in (1, 2) for kind in ("lrc", "mp3", "vtt")]
    assert names(out) == [
        ".stretchcue.lock",
        *tracks,
        "Quick check - 2, 3 s holds.m3u8",
    ]  # the lock stays (files.folder_lock)
    assert all(
        oct(p.stat().st_mode & 0o777) == oct(0o666 & ~current_umask()) for p in out.iterdir() if p.name[0] != "."
    )


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- a track is skipped only when it is whole ---------------------------------------------------------


def _cut_to_tags(path: Path) -> None:
    size = tag_size(path)
    with path.open("r+b") as file:
        file.truncate(size)


def _cut_out(path: Path, count: int) -> None:
    """`count` bytes taken out of the middle of the audio: shorter, but not a copy cut short."""
    data, middle = path.read_bytes(), tag_size(path) + (path.stat().st_size - tag_size(path)) // 2
    path.write_bytes(data[:middle] + data[middle + count :])


def _flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0xFF
    return bytes(changed)


DAMAGE = {  # a copy cut short: the track is ours, and built again
    "half": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "tags-only": _cut_to_tags,
    "one-frame-short": lambda p: p.write_bytes(p.read_bytes()[:-200]),
}
EDITS = {  # changed by a tool or by hand: the track is the user's now, and kept
    "one-byte-changed": lambda p: p.write_bytes(_flip(p.read_bytes(), -500)),
    "bytes-appended": lambda p: p.write_bytes(p.read_bytes() + b"\xff\xfb\x90\x00"),
    "id3v1-appended": lambda p: p.write_bytes(p.read_bytes() + b"TAG" + b"My title".ljust(125, b"\0")),
    "ape-appended": lambda p: p.write_bytes(p.read_bytes() + b"APETAGEX" + bytes(24)),
    "cut-in-the-middle": lambda p: _cut_out(p, 5000),
    "changed-then-cut": lambda p: p.write_bytes(_flip(p.read_bytes(), tag_size(p) + 100)[:-1]),
}


@pytest.mark.slow
@pytest.mark.parametrize("how", list(DAMAGE))
def test_a_damaged_track_is_built_again_not_skipped(cli, small_routine: Path, tmp_path: Path, how: str) -> None:
    args = ["build", small_routine, "--voice", "beep", "--out", tmp_path / "out"]
    assert cli(*args).code == 0
    track = tmp_path / "out" / TRACK
    whole = track.read_bytes()
    DAMAGE[how](track)
    run = cli(*args)
    assert run.code == 0 and run.out.startswith("built: "), run.out
    assert f"note: {track} is damaged" in run.err
    assert track.read_bytes() == whole  # the same inputs give the same file, byte for byte
    assert cli(*args).out.startswith("skipped (unchanged): ")


@pytest.mark.slow
@pytest.mark.parametrize("how", list(EDITS))
def test_a_track_edited_after_it_was_built_is_kept(cli, small_routine: Path, tmp_path: Path, how: str) -> None:
    args = ["build", small_routine, "--voice", "beep", "--out", tmp_path / "out"]
    assert cli(*args).code == 0
    track = tmp_path / "out" / TRACK
    assert track.stat().st_size - tag_size(track) > 2 * PROOF_BLOCK  # (so that an edit can be in a whole block)
    EDITS[how](track)
    edited = track.read_bytes()
    run = cli(*args)
    assert run.code == 2 and f"{track} was changed since stretchcue made it" in run.err, run.err
    assert track.read_bytes() == edited


# -- names that collide -------------------------------------------------------------------------------


def test_titles_that_make_one_file_name_get_their_own_files(cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first, second = tiny(tmp_path, "Hips: evening", "a.yaml"), tiny(tmp_path, "Hips? evening", "b.yaml")
    assert cli("build", first, "--voice", "beep", "--out", out).code == 0
    kept = (out / "Hips- evening.mp3").read_bytes()
    run = cli("build", second, "--voice", "beep", "--out", out)
    assert run.code == 0 and run.out.startswith(f"built: {out / 'Hips- evening (2).mp3'}")
    assert "note: Hips- evening.mp3 holds another track, so 'Hips? evening' is saved as Hips- evening (2).mp3" in (
        run.err
    )
    assert (out / "Hips- evening.mp3").read_bytes() == kept
    assert read_tags(out / "Hips- evening (2).mp3").title == "Hips? evening"
    # Each finds its own file again.
    assert cli("build", first, "--voice", "beep", "--out", out).out.startswith(f"skipped (unchanged): {out}/Hips- e")
    again = cli("build", second, "--voice", "beep", "--out", out)
    assert again.out.startswith(f"skipped (unchanged): {out / 'Hips- evening (2).mp3'}"), again.out


def test_albums_that_make_one_name_get_their_own_playlists(cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for title, file in (("Hips: evening", "a.yaml"), ("Hips? evening", "b.yaml")):
        routine = tiny(tmp_path, title, file)
        assert cli("build", routine, "--hold", "1", "--hold", "2", "--voice", "beep", "--out", out).code == 0
    playlists = {
        "Hips- evening - 1, 2 s holds.m3u8": "Hips: evening - 1, 2 s holds",
        "Hips- evening - 1, 2 s holds (2).m3u8": "Hips? evening - 1, 2 s holds",
    }
    assert sorted(p.name for p in out.glob("*.m3u8")) == sorted(playlists)
    for playlist, album in playlists.items():
        listed = [line for line in (out / playlist).read_text().splitlines() if not line.startswith("#")]
        assert len(listed) == 2 and {read_tags(out / name).album for name in listed} == {album}


@pytest.mark.slow
def test_a_playlist_edited_by_hand_is_left_alone(cli, small_routine: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["build", small_routine, "--hold", "1", "--hold", "2", "--voice", "beep", "--out", out]
    assert cli(*args).code == 0
    playlist = out / "Quick check - 1, 2 s holds.m3u8"
    edited = playlist.read_text().replace("#EXTINF:", "#EXTINF:1") + "# my note\n"
    playlist.write_text(edited)
    run = cli(*args, "--reps", "2")  # the same album, longer tracks
    assert run.code == 0 and f"note: {playlist} was edited by hand, so it is left as it is" in run.err
    assert playlist.read_text() == edited


def test_a_file_of_someone_else_at_a_playlist_name_is_never_touched(cli, small_routine: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "Quick check - 1, 2 s holds.m3u8").write_text("#EXTM3U\nmine.mp3\n")
    run = cli("build", small_routine, "--hold", "1", "--hold", "2", "--voice", "beep", "--out", out)
    assert run.code == 2 and "Quick check - 1, 2 s holds.m3u8 exists and was not made by stretchcue" in run.err
    assert names(out) == ["Quick check - 1, 2 s holds.m3u8"]  # refused before the lock was taken


# -- a full disk, and any other OSError ----------------------------------------------------------------


def limited(limit: int):
    """Files this process (and ffmpeg) writes may not grow past `limit` bytes: writes fail with EFBIG,
    the same path through the code as a full disk."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.slow
def test_no_room_in_the_cache(small_routine: Path, tmp_path: Path) -> None:
    out, store = tmp_path / "out", tmp_path / "cache"
    run = run_cli("build", small_routine, "--voice", "beep", "--out", out, "--cache", store, preexec_fn=limited(2000))
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith(f"error: cannot write the speech cache: {store}/beep/") and "File too large" in (
        run.stderr
    )
    assert not out.exists() and not [p for p in store.rglob("*") if "part" in p.name]


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["encoding", "tagging"])
def test_no_room_for_the_track(cli, small_routine: Path, tmp_path: Path, stage: str) -> None:
    store = tmp_path / "cache"
    assert cli("build", small_routine, "--voice", "beep", "--out", tmp_path / "first", "--cache", store).code == 0
    built = tmp_path / "first" / TRACK
    audio = built.stat().st_size - tag_size(built)
    limit = audio // 2 if stage == "encoding" else audio + 16  # room for the audio, not for its tags
    out = tmp_path / "out"
    run = run_cli("build", small_routine, "--voice", "beep", "--out", out, "--cache", store, preexec_fn=limited(limit))
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert run.stderr == f"error: cannot write {out / TRACK}: File too large\n"
    assert not out.exists()  # the folder this run made, empty again, is gone too


@pytest.mark.skipif(not shutil.which("unshare"), reason="needs unshare (util-linux) to mount a small disk")
def test_a_really_full_disk(small_routine: Path, tmp_path: Path) -> None:
    """A 64 kB tmpfs as the output folder, in a private mount namespace (no root needed)."""
    out = tmp_path / "out"
    out.mkdir()
    script = (
        f'mount -t tmpfs -o size=64k tmpfs "{out}" || exit 99; '
        f'"{sys.executable}" -m stretchcue.cli build "{small_routine}" --voice beep --out "{out}"; '
        f'status=$?; ls -A "{out}"; exit $status'
    )
    run = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c", script], capture_output=True, text=True)
    if run.returncode == 99:
        pytest.skip(f"cannot mount a tmpfs here: {run.stderr.strip()}")
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith(f"error: cannot write {out / TRACK}: ") and "No space left on device" in run.stderr
    assert run.stdout == ".stretchcue.lock\n"  # ls: nothing left in the folder but its lock
