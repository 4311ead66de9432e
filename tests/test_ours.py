"""Nothing of anyone else's, ever: a file is ours only by its seal (ours.py), never by a word in it;
every path read is a regular file of bounded size, opened without blocking; the cache removes only
what proves itself. Each family is tried with several inputs of its kind."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import time
from pathlib import Path

import pytest
from conftest import TINY_ROUTINE, run_cli
from PIL import Image

from stretchcue.disk import ours
from stretchcue.disk.ours import BLANK, Proof, proof, proof_of, seal
from stretchcue.outputs.images import jpeg, pdf, png
from stretchcue.outputs.track import read_stamp, track_proof
from stretchcue.sound import cache

BASE = "https://example.com/stretch/"
TRACK = "Tiny.mp3"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (not following links) with its content's checksum, or where a link
    points; but for our lock file, which stays in a folder once a run has written there."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.name == ".stretchcue.lock":
            continue
        if path.is_symlink():
            found[str(path.relative_to(folder))] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[str(path.relative_to(folder))] = digest(path)
    return found


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_ROUTINE, encoding="utf-8")
    return path


# -- the seal itself ------------------------------------------------------------------------------------


def image() -> Image.Image:
    return Image.effect_mandelbrot((300, 200), (-2, -1, 1, 1), 50).convert("RGB")


SEALED = {
    "text": lambda: seal(b"WEBVTT\n\nNOTE made by stretchcue\n\nNOTE " + BLANK + b"\n"),
    "png": lambda: png(image()),
    "jpeg": lambda: jpeg(image()),
    "pdf": lambda: pdf([image(), image()], "Title"),
}


@pytest.mark.parametrize("kind", SEALED)
def test_a_sealed_file_is_ours_and_any_change_makes_it_not(kind: str, tmp_path: Path) -> None:
    data = SEALED[kind]()
    assert proof(data) is Proof.OURS
    for at in (0, len(data) // 3, len(data) // 2, len(data) - 1):  # one byte changed anywhere
        changed = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
        assert proof(changed) is not Proof.OURS, at
    assert proof(data + b"\n") is Proof.CHANGED and proof(data[:-1]) is Proof.CHANGED
    path = tmp_path / f"copy.{kind}"
    path.write_bytes(data)
    assert proof_of(path) is Proof.OURS  # a copy anywhere is still ours: it is the same bytes
    if kind in ("png", "jpeg"):
        Image.open(io.BytesIO(data)).load()  # still a valid image (a PNG's CRC was made again)


def test_the_word_alone_proves_nothing() -> None:
    for data in (
        b"stretchcue",
        b"<rss><generator>stretchcue</generator></rss>",
        b"NOTE Made by stretchcue\n",
        b"# Made by stretchcue (checksum 0123456789abcdef)\n",
        ours.TOKEN + b"0" * 64,
        ours.TOKEN + b"f" * 64,
        "stretchcue".encode("utf-16"),
    ):
        assert proof(data) is not Proof.OURS, data


def test_a_large_file_is_checked_as_it_streams(tmp_path: Path) -> None:
    body = os.urandom(3 * ours.WINDOW)
    for data in (seal(body + b"<!-- " + BLANK + b" -->\n"), seal(b"# " + BLANK + b"\n" + body)):
        path = tmp_path / "big"
        path.write_bytes(data)
        assert proof_of(path) is Proof.OURS
        path.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])  # (a byte that differs, whatever it was)
        assert proof_of(path) is Proof.CHANGED


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null", "/dev/full", "/proc/self/pagemap"])
def test_a_device_is_never_ours_and_never_read(device: str, tmp_path: Path) -> None:
    link = tmp_path / "feed.xml"
    link.symlink_to(device)
    started = time.monotonic()
    assert proof_of(link) is Proof.FOREIGN and proof_of(Path(device)) is Proof.FOREIGN
    assert track_proof(link) is Proof.FOREIGN and read_stamp(link) is None
    assert time.monotonic() - started < 5


def test_a_named_pipe_is_never_opened_for_a_blocking_read(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert proof_of(pipe) is Proof.FOREIGN and track_proof(pipe) is Proof.FOREIGN and read_stamp(pipe) is None


def test_a_huge_sparse_file_is_not_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge"
    with huge.open("wb") as file:
        file.truncate(50 << 30)  # 50 GB of nothing, instantly
    started = time.monotonic()
    assert proof_of(huge) is Proof.FOREIGN and read_stamp(huge) is None
    assert time.monotonic() - started < 5


# -- files in the way that are not ours, at every name we write ------------------------------------------


LOOKALIKES = {
    "mentions us": b"a file about stretchcue, mine",
    "old word mark": b"WEBVTT\n\nNOTE Made by stretchcue\n",
    "blank seal": b"<rss/>\n<!-- " + BLANK + b" -->\n",
    "utf-16": "made by stretchcue".encode("utf-16"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["feed.xml", "Tiny.jpg", "Tiny.chapters.json"])
@pytest.mark.parametrize("content", list(LOOKALIKES))
def test_a_lookalike_beside_a_track_stops_feed_and_build_with_nothing_written(
    cli, tiny: Path, tmp_path: Path, name: str, content: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_bytes(LOOKALIKES[content])
    before = snapshot(out)
    refused = (f"{out / name} exists and was not made by stretchcue", f"{out / name} was changed since")
    run = cli("build", tiny, "--voice", "beep", "--out", out, "--feed", BASE)
    assert run.code == 2 and run.err.count("\n") == 1 and any(r in run.err for r in refused), run.err
    assert snapshot(out) == before and not (out / TRACK).exists()  # not even the track: nothing written
    (out / name).unlink()
    assert cli("build", tiny, "--voice", "beep", "--out", out).code == 0
    (out / name).write_bytes(LOOKALIKES[content])
    before = snapshot(out)
    run = cli("feed", out, "--base-url", BASE)
    assert run.code == 2 and any(r in run.err for r in refused), run.err
    assert snapshot(out) == before


@pytest.mark.parametrize("suffix", [".mp3", ".vtt", ".lrc"])
def test_an_edited_file_of_ours_is_left_as_it_is(cli, tiny: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / "out"
    assert cli("build", tiny, "--voice", "beep", "--out", out).code == 0
    path = (out / TRACK).with_suffix(suffix)
    data = bytearray(path.read_bytes())
    at = 20 if suffix == ".mp3" else len(data) // 2  # (in an MP3: inside its tag)
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    run = cli("build", tiny, "--voice", "beep", "--out", out, "--reps", "2")
    assert run.code == 2 and f"{path} was changed since stretchcue made it" in run.err, run.err
    assert path.read_bytes() == bytes(data)


@pytest.mark.parametrize("field", ["tracknumber", "length"])
@pytest.mark.parametrize("value", ["٣", "²", "3a", "-1", ""])
def test_a_track_whose_tags_were_edited_is_trusted_by_nothing(
    cli, tiny: Path, tmp_path: Path, field: str, value: str
) -> None:
    from mutagen.easyid3 import EasyID3

    out = tmp_path / "out"
    assert cli("build", tiny, "--voice", "beep", "--out", out, "--feed", BASE).code == 0
    tags = EasyID3(out / TRACK)  # as a tagger edits it, by the field's common name
    tags[field] = value
    tags.save(out / TRACK, v2_version=3)
    assert read_stamp(out / TRACK) is None and track_proof(out / TRACK) is Proof.CHANGED
    run = cli("feed", out, "--base-url", BASE)  # the only track is left out: none to publish
    assert run.code == 2 and "was changed since stretchcue made it" in run.err, run.err
    run = cli("build", tiny, "--voice", "beep", "--out", out)
    assert run.code == 2 and "was changed since stretchcue made it" in run.err, run.err


def test_cards_and_a_long_feed_address_are_recognised_as_ours_run_after_run(cli, tiny: Path, tmp_path: Path) -> None:
    for _ in range(3):
        run = cli("cards", tiny, "--out", tmp_path / "cards")
        assert run.code == 0, run.err
    out = tmp_path / "out"
    assert cli("build", tiny, "--voice", "beep", "--out", out).code == 0
    long_base = "https://example.com/" + "/".join(["a-rather-long-folder-name"] * 1500) + "/"
    for _ in range(2):
        run = cli("feed", out, "--base-url", long_base)
        assert run.code == 0, run.err
    assert (out / "feed.xml").stat().st_size > 3 * ours.WINDOW  # its seal is found at its end


# -- inputs that never end: devices and pipes where a file is read ----------------------------------------


def plant(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(kind)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "/dev/urandom"])
def test_a_pipe_or_device_at_any_name_we_read_is_one_line_not_a_hang(cli, tiny: Path, tmp_path: Path, kind: str):
    out, cards_out = tmp_path / "out", tmp_path / "cards"
    out.mkdir()
    cards_out.mkdir()
    assert cli("build", tiny, "--voice", "beep", "--out", out).code == 0
    cases = [
        (out / "feed.xml", ["feed", out, "--base-url", BASE]),
        (out / "Tiny.jpg", ["feed", out, "--base-url", BASE]),
        (out / "Tiny.chapters.json", ["build", tiny, "--voice", "beep", "--out", out, "--feed", BASE]),
        (cards_out / "01 - A.png", ["cards", tiny, "--out", cards_out]),
        (cards_out / "Tiny - cards.pdf", ["cards", tiny, "--out", cards_out]),
        (tmp_path / "session.png", ["plan", tiny, "--voice", "beep", "--png", tmp_path / "session.png"]),
        (out / "Tiny.vtt", ["build", tiny, "--voice", "beep", "--out", out, "--reps", "2"]),
    ]
    for path, args in cases:
        if path.exists() or path.is_symlink():
            path.unlink()
        plant(path, kind)
        run = cli(*args)  # a hang fails here, at pytest-timeout's limit
        assert run.code == 2 and run.err.count("\n") == 1, (args, run.err)
        says = "is a link" if kind.startswith("/dev/") else "exists and was not made by stretchcue"
        assert f"{path} {says}" in run.err, run.err
        path.unlink()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "sparse", "folder", "copied"])
def test_a_cache_entry_that_is_not_an_entry_is_spoken_again(cli, tiny: Path, tmp_path: Path, kind: str) -> None:
    store, out = tmp_path / "cache", tmp_path / "out"
    args = ["build", tiny, "--voice", "beep", "--out", out, "--cache", store]
    assert cli(*args).code == 0
    first = (out / TRACK).read_bytes()
    entries = sorted(store.glob("beep/*.clip"))
    for n, entry in enumerate(entries):
        entry.unlink()
        if kind == "sparse":
            with entry.open("wb") as file:
                file.truncate(50 << 30)
        elif kind == "folder":
            entry.mkdir()
        elif kind == "copied":  # a valid entry of another key under this name
            entry.write_bytes(cache.encode(_clip(n), "0" * 64))
        else:
            plant(entry, kind)
    (out / TRACK).unlink()
    plan = cli("plan", tiny, "--voice", "beep", "--cache", store)
    assert plan.code == 0, plan.err
    run = cli(*args)
    assert run.code == 0 and run.err.count("\n") <= 1, run.err
    assert "damaged speech cache entr" in plan.err, plan.err
    built = (out / TRACK).read_bytes()
    assert len(built) == len(first)  # the same clips, spoken again (tags differ only in their dates, if at all)


def _clip(n: int):
    from pydub import AudioSegment

    return AudioSegment(data=bytes(2 * (1000 + n)), sample_width=2, frame_rate=22_050, channels=1)


# -- the cache clears only what is its own ---------------------------------------------------------------


def test_clearing_a_shared_cache_folder_removes_only_its_own(cli, tiny: Path, tmp_path: Path) -> None:
    shared, outside = tmp_path / "shared", tmp_path / "outside"
    outside.mkdir()
    (outside / "x.clip").write_bytes(b"mine, outside")
    shared.mkdir()
    for name in ("beep", "photos", "empty"):
        (shared / name).mkdir()
    (shared / "beep" / "notes.clip").write_bytes(b"my notes")  # a .clip of someone else's, in a folder of our name
    (shared / "beep" / f"{'a' * 64}.clip").write_bytes(b"stretchcue clip\n" + b"not really")
    (shared / "photos" / "beach.clip").write_bytes(b"a photo")
    (shared / "linked").symlink_to(outside)
    (shared / "top.clip").write_bytes(b"top")
    (shared / "scratch").mkdir()
    (shared / "scratch" / ".speech.abcdefgh.stretchcue-part.wav.mine").write_bytes(b"not our pattern")
    before = snapshot(shared) | {"outside": digest(outside / "x.clip")}
    assert cli("build", tiny, "--voice", "beep", "--out", tmp_path / "out", "--cache", shared).code == 0
    run = cli("cache", "--cache", shared, "--clear")
    assert run.code == 0 and "removed" in run.out and " 0 clips" not in run.out, run.out
    after = snapshot(shared) | {"outside": digest(outside / "x.clip")}
    assert after == before  # all that was there is there, as it was
    assert (shared / "empty").is_dir() and (shared / "beep").is_dir()  # folders it did not make stay
    assert cli("cache", "--cache", shared).out.endswith(": 0 clips, 0.0 MB\n")


def test_clearing_removes_the_folders_the_cache_made(cli, tiny: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert cli("build", tiny, "--voice", "beep", "--out", tmp_path / "out", "--cache", store).code == 0
    assert cli("cache", "--cache", store, "--clear").code == 0
    assert sorted(p.name for p in store.iterdir()) == [".stretchcue.lock"]


# -- music that never ends, or is far too big --------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "/dev/urandom", "sparse", "folder"])
def test_music_that_is_not_a_file_is_one_line(cli, tiny: Path, tmp_path: Path, kind: str) -> None:
    music = tmp_path / "music.flac"
    if kind == "sparse":
        with music.open("wb") as file:
            file.truncate(5 << 30)
    elif kind == "folder":
        music.mkdir()
    else:
        plant(music, kind)
    for command in ("plan", "build"):
        args = [command, tiny, "--voice", "beep", "--music", music] + (
            ["--out", tmp_path / "out"] * (command == "build")
        )
        run = cli(*args)
        assert run.code == 2 and run.err.count("\n") == 1, run.err
        assert run.err.startswith("error: music: ") and str(music) in run.err, run.err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_voice_profile_that_is_a_pipe_or_device_is_one_line(cli, tiny: Path, tmp_path: Path) -> None:
    for kind in ("fifo", "/dev/zero", "/dev/urandom"):
        path = tmp_path / f"{kind.strip('/').replace('/', '-')}.toml"
        plant(path, kind)
        run = cli("plan", tiny, "--voice", path)
        assert run.code == 2 and run.err.count("\n") == 1 and str(path) in run.err, run.err


@pytest.mark.slow
def test_a_routine_or_manifest_that_is_a_pipe_or_device_is_one_line(cli, tmp_path: Path) -> None:
    for kind in ("fifo", "/dev/zero", "/dev/urandom"):
        for command, name in (("build", "r.yaml"), ("batch", "m.yaml"), ("plan", "p.yaml")):
            path = tmp_path / f"{kind.strip('/').replace('/', '-')}-{name}"
            plant(path, kind)
            out = ["--out", tmp_path / "out"] if command != "plan" else []
            run = cli(command, path, *out)
            assert run.code == 2 and run.err.count("\n") == 1, run.err
            assert str(path) in run.err and "regular file" in run.err, run.err


# -- the rest of the findings ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_feed_of_a_folder_with_two_albums_is_titled_by_the_folder(
    cli, tiny: Path, small_routine, tmp_path: Path
) -> None:
    out = tmp_path / "my stretches"
    assert cli("build", tiny, "--voice", "beep", "--out", out).code == 0
    assert cli("build", small_routine, "--voice", "beep", "--out", out, "--hold", "2", "--hold", "3").code == 0
    cwd = Path.cwd()
    os.chdir(out)
    try:
        run = cli("feed", ".", "--base-url", BASE)
    finally:
        os.chdir(cwd)
    assert run.code == 0 and "(3 episodes)" in run.out, run.err
    import feedparser

    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo and parsed.feed.title == "my stretches"


@pytest.mark.parametrize(("value", "says"), [("no", None), ("off", None), ("false", None), ("yes", "got True")])
@pytest.mark.parametrize("field", ["sides", "position"])
def test_yaml_booleans_where_a_word_is_expected(cli, tmp_path: Path, field: str, value: str, says: str | None) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(f"title: T\nexercises:\n  - {{name: A, instructions: Go., {field}: {value}}}\n", encoding="utf-8")
    run = cli("plan", path, "--voice", "beep", "--json")
    if field == "sides" and says is None:  # YAML reads no/off/false as false: no sides
        assert run.code == 0, run.err
    else:
        assert (
            run.code == 2
            and run.err.count("\n") == 1
            and f"r.yaml:3: exercises[0].{field}: expected one of" in (run.err)
        ), run.err


def test_the_year_is_written_as_id3v23_says(cli, tiny: Path, tmp_path: Path) -> None:
    from conftest import ffprobe

    assert cli("build", tiny, "--voice", "beep", "--out", tmp_path).code == 0
    tag = (tmp_path / TRACK).read_bytes()[:4096]
    assert b"TYER" in tag and b"TDRC" not in tag
    assert ffprobe(tmp_path / TRACK)["format"]["tags"]["date"] == time.strftime("%Y")


def test_the_same_routine_elsewhere_or_named_otherwise_is_not_built_again(cli, tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", tiny, "--voice", "beep", "--out", out).code == 0
    copy = tmp_path / "elsewhere" / "copy.yaml"
    copy.parent.mkdir()
    copy.write_bytes(tiny.read_bytes())
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        for named in (copy, Path("tiny.yaml"), Path("elsewhere/../tiny.yaml"), tiny.resolve()):
            run = cli("build", named, "--voice", "beep", "--out", out)
            assert run.code == 0 and run.out.startswith("skipped (unchanged)"), (named, run.out)
    finally:
        os.chdir(cwd)
    run = cli("build", tiny, "--voice", "beep", "--out", out, "--reps", "2")
    assert run.out.startswith("built: "), run.out  # what it is made from did change


CAPTIONS = ["Bend <slowly> & breathe.", "Hold --> then rest.", "A <b>bold</b> claim", "Knees & toes -->"]


def test_captions_hold_any_text_as_a_webvtt_reader_reads_it(cli, tmp_path: Path) -> None:
    import html

    import webvtt

    path = tmp_path / "r.yaml"
    items = "".join(f"  - {{name: 'E{n}', instructions: '{text}'}}\n" for n, text in enumerate(CAPTIONS))
    path.write_text(f"title: 'Odd <text> & more'\ndefaults: {{hold: 1, reps: 1}}\nexercises:\n{items}", "utf-8")
    assert cli("build", path, "--voice", "beep", "--out", tmp_path / "out").code == 0
    vtt = tmp_path / "out" / "Odd -text- & more.vtt"
    plan = [c for c in json_plan(cli, path) if c["text"]]
    read = webvtt.read(vtt)
    assert [html.unescape(c.text) for c in read.captions] == [c["text"] for c in plan]  # none cut, none merged
    assert all(text in [html.unescape(c.text) for c in read.captions] for text in CAPTIONS)


def json_plan(cli, path: Path) -> list[dict]:
    import json

    run = cli("plan", path, "--voice", "beep", "--json")
    assert run.code == 0, run.err
    return json.loads(run.out)["cues"]


@pytest.mark.parametrize("name", ["Tiny.vtt", "Tiny.lrc", "Tiny.mp3", "playlist"])
def test_a_link_to_a_file_of_ours_elsewhere_is_the_users_and_is_kept(cli, tiny: Path, tmp_path, name: str) -> None:
    out, other = tmp_path / "out", tmp_path / "other"
    batch = ("progression", tiny, "--from", "1", "--to", "2", "--step", "1")
    args = batch if name == "playlist" else ("build", tiny)
    for folder in (out, other):
        assert cli(*args, "--voice", "beep", "--out", folder).code == 0
    if name == "playlist":
        [found] = out.glob("*.m3u8")
        name = found.name
    (out / name).unlink()
    (out / name).symlink_to(other / name)
    before = {p.name: p.read_bytes() for p in [*out.iterdir(), *other.iterdir()] if p.is_file() and not p.is_symlink()}
    run = cli(*args, "--voice", "beep", "--reps", "2", "--out", out)  # other inputs: everything is rebuilt
    assert run.code == 2 and run.err.count("\n") == 1, run.err
    assert f"{out / name} is a link" in run.err, run.err
    assert (out / name).is_symlink() and (out / name).readlink() == other / name
    after = {p.name: p.read_bytes() for p in [*out.iterdir(), *other.iterdir()] if p.is_file() and not p.is_symlink()}
    assert after == before  # nothing written, in either folder


@pytest.mark.slow
def test_music_of_many_channels_and_a_high_rate_is_read(tiny: Path, tmp_path: Path) -> None:
    from stretchcue.sound.audio import ffmpeg_exe

    music = tmp_path / "surround.flac"
    made = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=f=330:r=96000:d=12", "-ac", "6", str(music)],
        capture_output=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    run = run_cli("plan", tiny, "--voice", "beep", "--music", music, timeout=300)
    assert run.returncode == 0 and "written as stereo 44.1 kHz" in run.stdout, run.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["feed", "{file}", "--base-url", BASE], "{file}: not a folder"),
        (["plan", "{tiny}", "--voice", "beep", "--png", ".png"], "--png: .png should be a file name ending in .png"),
        (["plan", "{tiny}", "--voice", "beep", "--png", "x.jpg"], "--png: x.jpg should be a file name ending in .png"),
    ],
)
def test_messages_say_what_is_wrong(cli, tiny: Path, tmp_path: Path, args: list[str], says: str) -> None:
    file = tmp_path / "file.txt"
    file.write_text("x")
    fill = {"{file}": str(file), "{tiny}": str(tiny)}
    run = cli(*[fill.get(a, a) for a in args])
    assert (run.code == 2 and run.err == f"error: {says.replace('{file}', str(file))}\n") or (
        run.code == 2 and says.replace("{file}", str(file)) in run.err and run.err.count("\n") == 1
    ), run.err


@pytest.mark.parametrize(
    ("yaml", "says"),
    [
        ("music: {file: m.wav, level: loud}", "music.level: expected a number of dB, got 'loud'"),
        ("defaults: {hold: 600.0001}", "defaults.hold: must be at most 600, got 600.0001"),
        ("defaults: {reps: 0}", "defaults.reps: must be at least 1, got 0"),
    ],
)
def test_routine_messages_say_what_is_wrong(cli, tmp_path: Path, yaml: str, says: str) -> None:
    (tmp_path / "m.wav").write_bytes(b"")
    path = tmp_path / "r.yaml"
    path.write_text(f"title: T\n{yaml}\nexercises:\n  - {{name: A, instructions: Go.}}\n", encoding="utf-8")
    run = cli("plan", path, "--voice", "beep")
    assert run.code == 2 and run.err.count("\n") == 1 and says in run.err, run.err


@pytest.mark.slow
def test_many_exercises_are_not_blamed_on_aliases(cli, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    items = "".join(f"  - {{name: E{n}, instructions: Go.}}\n" for n in range(10_000))
    path.write_text(f"title: T\nexercises:\n{items}", encoding="utf-8")
    run = cli("plan", path, "--voice", "beep")
    assert run.code == 2 and "alias" not in run.err and "YAML values" in run.err, run.err


def test_cards_on_a_full_disk_name_the_file_and_leave_none(tiny: Path, tmp_path: Path) -> None:
    import resource
    import signal

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    out = tmp_path / "cards"
    run = run_cli("cards", tiny, "--out", out, preexec_fn=limited, timeout=300)
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith(f"error: cannot write the cards: {out}/") and "File too large" in run.stderr
    assert not out.exists()


@pytest.mark.slow
def test_music_named_like_an_ffmpeg_protocol_is_read_as_the_file(tmp_path: Path) -> None:
    from stretchcue.sound.audio import ffmpeg_exe

    tone = ["-f", "lavfi", "-i", "sine=f=330:r=32000:d=12", "-ac", "1", "-f", "wav"]
    made = subprocess.run([ffmpeg_exe(), "-v", "error", *tone, str(tmp_path / "pipe:0")], capture_output=True)
    assert made.returncode == 0, made.stderr
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY_ROUTINE, encoding="utf-8")
    run = run_cli("plan", routine, "--voice", "beep", "--music", "pipe:0", cwd=tmp_path, timeout=300)
    assert run.returncode == 0 and "written as mono 22.05 kHz" in run.stdout, run.stderr


@pytest.mark.slow
def test_seals_in_the_words_do_not_hide_our_own(cli, tmp_path: Path) -> None:
    fake = "stretchcue-sha256:" + "ab" * 32
    path = tmp_path / "r.yaml"
    items = "".join(f"  - {{name: 'E{n}', instructions: 'Say {fake} now.'}}\n" for n in range(10))
    path.write_text(f"title: '{fake}'\ndefaults: {{hold: 1, reps: 1}}\nexercises:\n{items}", encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", path, "--voice", "beep", "--out", out, "--hold", "1", "--hold", "2").code == 0
    for made in out.iterdir():
        if made.name != ".stretchcue.lock":
            assert (track_proof if made.suffix == ".mp3" else proof_of)(made) is Proof.OURS, made.name
    run = cli("build", path, "--voice", "beep", "--out", out, "--hold", "1", "--hold", "2")
    assert run.code == 0 and run.out.count("skipped (unchanged)") == 2, run.out + run.err


def test_a_track_whose_audio_was_edited_in_place_is_kept_but_a_cut_one_is_rebuilt(
    cli, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert cli("build", tiny, "--voice", "beep", "--out", out).code == 0
    track = out / TRACK
    whole = track.read_bytes()
    edited = bytearray(whole)
    edited[-500] ^= 0x10  # in the audio, as a gain tool changes it: same size, other bytes
    track.write_bytes(bytes(edited))
    assert track_proof(track) is Proof.CHANGED and read_stamp(track) is None
    run = cli("build", tiny, "--voice", "beep", "--out", out)
    assert run.code == 2 and f"{track} was changed since stretchcue made it" in run.err, run.err
    assert track.read_bytes() == bytes(edited)
    run = cli("feed", out, "--base-url", BASE)
    assert run.code == 2 and "left out of the feed" in run.err, run.err
    track.write_bytes(whole[:-4000])  # cut short, as a failed copy leaves it: ours, damaged, built again
    stamp = read_stamp(track)
    assert track_proof(track) is Proof.OURS and stamp is not None and not stamp.whole
    run = cli("build", tiny, "--voice", "beep", "--out", out)
    assert run.code == 0 and run.out.startswith("built: "), run.err
    assert track.read_bytes() == whole


@pytest.mark.parametrize("order", ["ours first", "theirs first"])
def test_a_name_that_differs_only_in_case_is_checked_too(cli, tiny: Path, tmp_path: Path, order: str) -> None:
    out = tmp_path / "out"
    assert cli("build", tiny, "--voice", "beep", "--out", out).code == 0
    theirs = b"ID3 their own recording"
    if order == "ours first":  # ours under another case; theirs at the very name we write
        (out / TRACK).rename(out / TRACK.lower())
        (out / TRACK).write_bytes(theirs)
    else:
        (out / TRACK.upper()).write_bytes(theirs)
    before = snapshot(out)
    run = cli("build", tiny, "--voice", "beep", "--out", out, "--reps", "2")
    assert run.code == 2 and "exists and was not made by stretchcue" in run.err, run.err
    assert snapshot(out) == before


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["text", "track"])
def test_a_file_put_at_the_name_while_ours_is_written_is_kept(cli, tiny: Path, tmp_path: Path, kind: str) -> None:
    from stretchcue.disk.files import replacing, write_text
    from stretchcue.errors import NotOurs
    from stretchcue.outputs.track import check_track

    out = tmp_path / "out"
    assert cli("build", tiny, "--voice", "beep", "--out", out).code == 0
    path = out / (TRACK if kind == "track" else "Tiny.vtt")
    ours_before = path.read_bytes()
    check = {"check": check_track} if kind == "track" else {}  # (text files: the default check)
    with pytest.raises(NotOurs, match="exists and was not made by stretchcue"), replacing(path, **check) as file:
        file.write(b"new contents")
        path.unlink()
        path.write_bytes(b"someone else's, put here meanwhile")  # another program takes no lock of ours
    assert path.read_bytes() == b"someone else's, put here meanwhile"
    assert sorted(p.name for p in out.iterdir() if "stretchcue-part" in p.name) == []  # no temp file left
    path.write_bytes(ours_before)  # our own file there: replaced as usual
    if kind == "text":
        write_text(path, "WEBVTT\n")
        assert path.read_text() == "WEBVTT\n"


def test_fake_seals_cost_at_most_two_passes_over_a_large_file(tmp_path: Path, monkeypatch) -> None:
    passes = []
    streamed = ours._streamed_digest
    monkeypatch.setattr(ours, "_streamed_digest", lambda *a: passes.append(1) or streamed(*a))
    fakes = b"".join(ours.TOKEN + os.urandom(32).hex().encode() + b"\n" for _ in range(30))
    path = tmp_path / "many seals"
    path.write_bytes(fakes + os.urandom(3 * ours.WINDOW) + fakes)
    assert proof_of(path) is Proof.CHANGED
    assert len(passes) == 2


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variant", "command"),
    [
        ("FEED.XML", "feed"),
        ("tiny.JPG", "feed"),
        ("Tiny.Chapters.json", "feed"),
        ("TINY.LRC", "build"),
        ("00 - tiny.PNG", "cards"),
        ("TINY - CARDS.pdf", "cards"),
        ("SESSION.png", "png"),
    ],
)
def test_a_file_of_someone_elses_under_our_name_in_another_case_stops_every_command(
    cli, tiny: Path, tmp_path: Path, variant: str, command: str
) -> None:
    out = tmp_path / "out"
    assert cli("build", tiny, "--voice", "beep", "--out", out, "--feed", BASE).code == 0
    (out / variant).write_bytes(b"someone else's")
    args = {
        "feed": ["feed", out, "--base-url", BASE],
        "build": ["build", tiny, "--voice", "beep", "--out", out, "--reps", "2"],
        "cards": ["cards", tiny, "--out", out],
        "png": ["plan", tiny, "--voice", "beep", "--png", out / "session.png"],
    }[command]
    before = snapshot(tmp_path)
    run = cli(*args)
    assert run.code == 2 and f"{out / variant} exists and was not made by stretchcue" in run.err, run.err
    assert run.err.count("\n") == 1 and snapshot(tmp_path) == before


def test_our_track_under_its_name_in_another_case_is_found_again_not_doubled(cli, tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", tiny, "--voice", "beep", "--out", out).code == 0
    (out / TRACK).rename(out / "TINY.MP3")
    run = cli("build", tiny, "--voice", "beep", "--out", out)
    assert run.code == 0 and run.out.startswith(f"skipped (unchanged): {out / 'TINY.MP3'}"), run.out
    run = cli("build", tiny, "--voice", "beep", "--out", out, "--reps", "2")
    assert run.code == 0 and run.out.startswith(f"built: {out / 'TINY.MP3'}"), run.out
    assert sorted(p.name.lower() for p in out.iterdir() if p.suffix.lower() == ".mp3") == ["tiny.mp3"]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["build", "cards", "feed"])
def test_a_refused_run_into_a_folder_leaves_not_even_a_lock_file(cli, tiny: Path, tmp_path: Path, command: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    name = {"build": TRACK, "cards": "01 - A.png", "feed": "feed.xml"}[command]
    if command == "feed":
        assert cli("build", tiny, "--voice", "beep", "--out", tmp_path / "made").code == 0
        for made in (tmp_path / "made").iterdir():
            if made.suffix in (".mp3", ".vtt", ".lrc"):
                (out / made.name).write_bytes(made.read_bytes())
    (out / name).write_bytes(b"theirs")
    args = {"build": ["build", tiny, "--voice", "beep"], "cards": ["cards", tiny], "feed": ["feed"]}[command]
    before = snapshot(tmp_path)
    run = cli(*args, *(["--out", out] if command != "feed" else [out, "--base-url", BASE]))
    assert run.code == 2 and "exists and was not made by stretchcue" in run.err, run.err
    assert snapshot(tmp_path) == before and not (out / ".stretchcue.lock").exists()


def test_a_picture_in_the_way_is_reported_before_anything_is_spoken(cli, tiny: Path, tmp_path: Path) -> None:
    (tmp_path / "pic.png").write_bytes(b"theirs")
    cache_folder = tmp_path / "new cache"
    run = cli("plan", tiny, "--voice", "beep", "--png", tmp_path / "pic.png", "--cache", cache_folder)
    assert run.code == 2 and "pic.png exists and was not made by stretchcue" in run.err, run.err
    assert not cache_folder.exists()


@pytest.mark.slow
@pytest.mark.parametrize("command", ["feed", "cards", "png"])
def test_a_file_of_ours_renamed_to_another_case_is_replaced_under_that_name_not_doubled(
    cli, tiny: Path, tmp_path: Path, command: str
) -> None:
    out = tmp_path / "out"
    assert cli("build", tiny, "--voice", "beep", "--out", out, "--feed", BASE).code == 0
    args = {
        "feed": ["feed", out, "--base-url", BASE],
        "cards": ["cards", tiny, "--out", out],
        "png": ["plan", tiny, "--voice", "beep", "--png", out / "session.png"],
    }[command]
    assert cli(*args).code == 0
    (out / TRACK).rename(out / TRACK.upper())  # the feed finds its track under any case too
    for path in list(out.iterdir()):
        if path.suffix in (".xml", ".jpg", ".json", ".png", ".pdf"):
            upper = path.with_name(path.name.upper())
            path.rename(upper if path.suffix != ".jpg" else upper.with_suffix(".jpg"))  # (a cover must end in .jpg)
    before = sorted(p.name for p in out.iterdir())
    run = cli(*args)
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.iterdir()) == before


@pytest.mark.slow
def test_an_output_folder_that_is_a_link_to_nowhere_is_one_line_before_anything_is_spoken(
    cli, tiny: Path, tmp_path: Path
) -> None:
    (tmp_path / "gone").symlink_to(tmp_path / "unmounted")
    cache_folder = tmp_path / "new cache"
    for args in (["plan", tiny, "--png", tmp_path / "gone" / "s.png"], ["build", tiny, "--out", tmp_path / "gone"]):
        run = cli(*args, "--voice", "beep", "--cache", cache_folder)
        assert run.code == 2 and run.err.count("\n") == 1, run.err
        assert f"{tmp_path / 'gone'} is not a folder" in run.err, run.err
        assert not cache_folder.exists() and (tmp_path / "gone").is_symlink()
