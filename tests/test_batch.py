"""Sets of tracks: hold variants, progressions, manifests, playlists, skipping, interruption."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import assert_whole, counting, decode, plan_json, read_tags, run_cli, samples

from stretchcue.disk.ours import Proof, proof
from stretchcue.outputs.playlist import Item, playlist_text
from stretchcue.sound.engines import BeepEngine


def mp3s(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.mp3"))


@pytest.mark.slow
def test_variants_make_one_album_and_a_playlist(cli, small_routine: Path, tmp_path: Path) -> None:
    run = cli("build", small_routine, "--hold", "2", "--hold", "3.5", "--voice", "beep", "--out", tmp_path)
    assert run.code == 0, run.err
    names = ["01 - Quick check - 2 s holds.mp3", "02 - Quick check - 3.5 s holds.mp3"]
    assert mp3s(tmp_path) == names
    for number, name in enumerate(names, start=1):
        tags = read_tags(tmp_path / name)
        assert tags.album == "Quick check - 2, 3.5 s holds" and (tags.track, tags.tracks) == (number, 2)
        assert tags.title == name.removesuffix(".mp3").split(" - ", 1)[1]
        assert_whole(tmp_path / name)
    playlist = (tmp_path / "Quick check - 2, 3.5 s holds.m3u8").read_text(encoding="utf-8")
    assert playlist.splitlines()[4] == names[0] and playlist.splitlines()[6] == names[1]
    assert "playlist: " in run.out and run.out.count("built: ") == 2


def test_each_variant_is_the_plan_for_its_hold(cli, small_routine: Path, tmp_path: Path) -> None:
    assert cli("build", small_routine, "--hold", "2", "--hold", "3", "--voice", "beep", "--out", tmp_path).code == 0
    duration = plan_json(cli, small_routine, "--hold", "3", "--voice", "beep")["duration"]
    assert len(decode(tmp_path / "02 - Quick check - 3 s holds.mp3")) == samples(duration)


def test_progression_steps_the_hold_up(cli, small_routine: Path, tmp_path: Path) -> None:
    run = cli(
        "progression", small_routine, "--from", "2", "--to", "4", "--step", "1.5", "--voice", "beep", "--out", tmp_path
    )
    assert run.code == 0, run.err
    assert mp3s(tmp_path) == [
        "01 - Quick check - session 1 - 2 s holds.mp3",
        "02 - Quick check - session 2 - 3.5 s holds.mp3",
        "03 - Quick check - session 3 - 4 s holds.mp3",  # the target is always reached
    ]
    tags = read_tags(tmp_path / mp3s(tmp_path)[2])
    album = "Quick check - progression 2-4 s by 1.5 s"
    assert tags.album == album and (tags.track, tags.tracks) == (3, 3)
    assert (tmp_path / f"{album}.m3u8").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [["build", "--hold", "2", "--hold", "3"], ["progression", "--from", "2", "--to", "3", "--step", "1"]],
    ids=["variants", "progression"],
)
def test_a_second_run_rebuilds_nothing(cli, small_routine: Path, tmp_path: Path, args: list[str]) -> None:
    command = [args[0], small_routine, *args[1:], "--voice", "beep", "--out", tmp_path / "out"]
    first = cli(*command)
    assert first.code == 0 and first.out.count("built: ") == 2
    mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}
    again = cli(*command)
    assert again.code == 0 and again.out.count("skipped (unchanged): ") == 2 and "built: " not in again.out
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()} == mtimes  # playlist untouched too


@pytest.mark.slow
def test_progression_defaults_follow_the_seed(cli, small_routine: Path, tmp_path: Path) -> None:
    run = cli("progression", small_routine, "--voice", "beep", "--out", tmp_path)
    assert run.code == 0, run.err
    holds = [name.split(" - ")[-1] for name in mp3s(tmp_path)]
    assert holds == ["10 s holds.mp3", "15 s holds.mp3", "20 s holds.mp3", "25 s holds.mp3", "30 s holds.mp3"]


@pytest.mark.slow
def test_bundled_back_series_builds_six_tracks_then_skips_them(cli, tmp_path: Path) -> None:
    first = cli("batch", "back-series", "--voice", "beep", "--out", tmp_path)
    assert first.code == 0, first.err
    assert len(mp3s(tmp_path)) == 6 and first.out.count("built: ") == 6
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.mp3")}
    playlist = tmp_path / "Back series.m3u8"
    assert playlist.read_text(encoding="utf-8").count("#EXTINF:") == 6
    again = cli("batch", "back-series", "--voice", "beep", "--out", tmp_path)
    assert again.code == 0 and again.out.count("skipped (unchanged): ") == 6 and "built: " not in again.out
    assert {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.mp3")} == stamps


def test_a_changed_track_is_the_only_one_rebuilt(cli, small_routine: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        f"title: Mine\ntracks:\n  - routine: {small_routine.name}\n  - routine: quick.yaml\n    hold: 2\n"
    )
    out = tmp_path / "out"
    assert cli("batch", manifest, "--voice", "beep", "--out", out).code == 0
    manifest.write_text(
        f"title: Mine\ntracks:\n  - routine: {small_routine.name}\n  - routine: quick.yaml\n    hold: 3\n"
    )
    run = cli("batch", manifest, "--voice", "beep", "--out", out)
    assert run.out.count("skipped (unchanged): ") == 1 and run.out.count("built: ") == 1
    assert mp3s(out) == ["01 - Quick check.mp3", "02 - Quick check - 2 s holds.mp3", "02 - Quick check - 3 s holds.mp3"]


def test_a_rerun_reads_each_track_once_and_a_changed_one_again(
    cli, small_routine: Path, tmp_path: Path, monkeypatch
) -> None:
    """Names are chosen before and after the folder's lock is taken; reading a long track costs a
    pass over all its audio, so an unchanged file is read once, and one changed in between again."""
    from stretchcue.outputs import names

    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        f"title: Mine\ntracks:\n  - routine: {small_routine.name}\n  - routine: quick.yaml\n    hold: 2\n"
    )
    out = tmp_path / "out"
    assert cli("batch", manifest, "--voice", "beep", "--out", out).code == 0
    read: list[Path] = []
    real = names.inspect
    monkeypatch.setattr(names, "inspect", lambda path, **kw: read.append(path) or real(path, **kw))
    run = cli("batch", manifest, "--voice", "beep", "--out", out)
    assert run.out.count("skipped (unchanged): ") == 2 and sorted(read) == sorted(out.glob("*.mp3")), read
    read.clear()
    track = out / "01 - Quick check.mp3"
    seen: names.Seen = {}
    first = names.Places(out, print, seen).track("Quick check", "Mine", "01 - Quick check")
    track.write_bytes(track.read_bytes())  # written again in between (another change time): read again
    again = names.Places(out, print, seen).track("Quick check", "Mine", "01 - Quick check")
    assert read == [track, track] and first == again


@pytest.mark.slow
def test_each_distinct_text_is_spoken_once_across_a_batch(cli, tmp_path: Path, monkeypatch) -> None:
    spoken = counting(monkeypatch, BeepEngine)
    assert cli("batch", "back-series", "--voice", "beep", "--out", tmp_path, "--cache", tmp_path / "cold").code == 0
    assert len(spoken) == len(set(spoken)) > 50
    assert "Hold." in spoken


def test_playlist_format() -> None:
    items = [Item(Path("01 - A.mp3"), "A, the first", 61.6), Item(Path("sub") / "b.mp3", "B", 5.2)]
    text = playlist_text("My, album", items)
    head, mark, body = text.split("\n", 2)
    body, seal = body.rstrip("\n").rsplit("\n", 1)
    assert (
        head == "#EXTM3U" and mark == "# Made by stretchcue" and re.fullmatch("# stretchcue-sha256:[0-9a-f]{64}", seal)
    )
    assert proof(text.encode()) is Proof.OURS
    body += "\n"
    assert body == "#PLAYLIST:My, album\n#EXTINF:62,A the first\n01 - A.mp3\n#EXTINF:5,B\nsub/b.mp3\n"
    assert not text.encode("utf-8").startswith(b"\xef\xbb\xbf") and text.endswith("\n")


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (
            "title: M\ntracks:\n  - routine: back-stretches\n    hodl: 3\n",
            4,
            "tracks[0].hodl: unknown key (did you mean 'hold'?)",
        ),
        ("title: M\ntracks:\n  - routine: nowhere\n", 3, "tracks[0].routine: no routine file 'nowhere'"),
        ("title: M\ntracks:\n  - routine: back-stretches\n    hold: -2\n", 4, "tracks[0].hold: must be at least 0.1"),
        ("title: M\ntracks:\n  - routine: back-stretches\n    voice: nobody\n", 4, "tracks[0].voice: no voice profile"),
        ("title: M\ntracks: []\n", 2, "tracks: must not be empty"),
        ("tracks:\n  - routine: back-stretches\n", 1, "title: is required"),
        ("title: M\nhold: x\ntracks:\n  - routine: back-stretches\n", 2, "hold: expected a number"),
    ],
)
def test_manifest_errors_name_file_line_field(cli, tmp_path: Path, content: str, line: int, words: str) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(content, encoding="utf-8")
    run = cli("batch", manifest, "--voice", "beep", "--out", tmp_path / "out")
    assert run.code == 2 and run.out == ""
    assert run.err == f"error: {manifest}:{line}: {words}" + run.err.split(words, 1)[1]
    assert run.err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_routine_error_inside_a_manifest_names_the_routine_file(cli, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("title: B\nexercises:\n  - name: A\n    instructions: x\n    reps: 0\n")
    manifest = tmp_path / "m.yaml"
    manifest.write_text("title: M\ntracks:\n  - routine: bad.yaml\n")
    run = cli("batch", manifest, "--voice", "beep", "--out", tmp_path / "out")
    assert run.code == 2 and f"{tmp_path / 'bad.yaml'}:5: exercises[0].reps: must be at least 1" in run.err


def test_files_stretchcue_did_not_write_are_never_touched(cli, small_routine: Path, tmp_path: Path) -> None:
    mine = tmp_path / "Quick check.mp3"
    mine.write_bytes(b"my own recording")
    note = tmp_path / "notes.txt"
    note.write_text("keep")
    run = cli("build", small_routine, "--voice", "beep", "--out", tmp_path)
    assert run.code == 2 and "was not made by stretchcue" in run.err
    assert mine.read_bytes() == b"my own recording" and note.read_text() == "keep"
    listed = sorted(p.name for p in tmp_path.iterdir())
    assert listed == ["Quick check.mp3", "notes.txt", "quick.yaml"]  # refused before the lock: nothing written


@pytest.mark.slow
def test_a_batch_may_mix_the_system_voice_and_piper(tmp_path: Path) -> None:
    """Both carry an espeak-ng; the system voice's once took over Piper's calls and crashed it."""
    (tmp_path / "tiny.yaml").write_text(
        "title: Tiny\ndefaults: {hold: 2, reps: 1, countdown: 1}\n"
        "exercises:\n  - {name: Reach, instructions: Reach up.}\n",
        encoding="utf-8",
    )
    manifest = tmp_path / "mixed.yaml"
    manifest.write_text(
        "title: Mixed\ntracks:\n"
        "  - {routine: tiny.yaml, title: System, voice: system}\n"
        "  - {routine: tiny.yaml, title: Piper, voice: piper}\n",
        encoding="utf-8",
    )
    result = run_cli("batch", manifest, "--out", tmp_path / "out")
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert mp3s(tmp_path / "out") == ["01 - System.mp3", "02 - Piper.mp3"]


@pytest.mark.slow
def test_each_set_lands_in_a_folder_of_its_own(cli, small_routine: Path, tmp_path: Path, monkeypatch) -> None:
    """Without --out, every single track, hold set, progression and manifest goes to a folder of its
    own under ./output, so a folder's album tag, track numbers, playlist and feed hold only what
    belongs together; the cards go beside the track they are for."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.yaml").write_text(
        "title: '../Evening: set'\ntracks:\n  - {routine: quick.yaml, hold: 2}\n  - {routine: quick.yaml, hold: 3}\n"
    )
    runs = {
        "quick-check": ["build", "quick.yaml"],
        "quick-check-2-s-holds": ["build", "quick.yaml", "--hold", "2"],
        "quick-check-2-3-s-holds": ["build", "quick.yaml", "--hold", "2", "--hold", "3"],
        "quick-check-progression-2-3-s-by-1-s": [
            "progression",
            "quick.yaml",
            "--from",
            "2",
            "--to",
            "3",
            "--step",
            "1",
        ],
        "evening-set": ["batch", "m.yaml", "--feed", "https://example.com/s/"],
    }
    for folder, args in runs.items():
        run = cli(*args, "--voice", "beep")
        assert run.code == 0, run.err
        assert f"built: {Path('output', folder)}{os.sep}" in run.out, run.out
    assert cli("cards", "quick.yaml").code == 0
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == sorted(runs)
    for folder in runs:
        tracks = sorted((tmp_path / "output" / folder).glob("*.mp3"))
        tags = [read_tags(track) for track in tracks]
        assert len({t.album for t in tags}) == 1, (folder, [t.album for t in tags])
        assert [(t.track, t.tracks) for t in tags] == [(n, len(tracks)) for n in range(1, len(tracks) + 1)], folder
        for playlist in (tmp_path / "output" / folder).glob("*.m3u8"):
            listed = [line for line in playlist.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
            assert listed == [track.name for track in tracks], playlist
    feed = (tmp_path / "output" / "evening-set" / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<item>") == 2
    cards = (tmp_path / "output" / "quick-check" / "cards").iterdir()
    assert {p.suffix for p in cards if not p.name.startswith(".")} == {".png", ".pdf"}


def test_a_skipped_track_warns_as_its_first_build_did(cli, tmp_path: Path) -> None:
    routine = tmp_path / "r.yaml"
    routine.write_text(
        "title: Slow\ndefaults: {hold: 2, reps: 1, breathing: {in: 4, out: 6}}\n"
        "exercises:\n  - {name: Reach, instructions: Reach up.}\n"
    )
    first = cli("build", routine, "--voice", "beep", "--out", tmp_path / "out")
    again = cli("build", routine, "--voice", "beep", "--out", tmp_path / "out")
    assert "skipped (unchanged)" in again.out, again.out
    warned = [line for line in first.err.splitlines() if line.startswith("warning: Reach: a breath")]
    assert warned and warned == [line for line in again.err.splitlines() if line.startswith("warning: ")], again.err
