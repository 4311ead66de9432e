"""The speech cache: one per user, shared by every output folder, and verified on every read, so
a damaged entry is spoken again and never rendered."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import counting, decode, plan_json, samples

from stretchcue.sound import cache
from stretchcue.sound.engines import BeepEngine, PiperEngine
from stretchcue.sound.profiles import VoiceProfile
from stretchcue.sound.speech import Voice

TRACK = "Quick check.mp3"


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.clip"))


@pytest.mark.slow
def test_plan_then_build_into_any_folder_agree_to_the_sample_with_piper(
    cli, monkeypatch, small_routine: Path, tmp_path: Path
) -> None:
    # Piper speaks a sentence a little differently every time: only a shared cache makes them agree.
    store = tmp_path / "cache"
    plan = plan_json(cli, small_routine, "--voice", "piper", "--cache", store)
    spoken = counting(monkeypatch, PiperEngine)
    tracks = []
    for folder in ("a", "b"):
        run = cli("build", small_routine, "--voice", "piper", "--out", tmp_path / folder, "--cache", store)
        assert run.code == 0, run.err
        tracks.append(decode(tmp_path / folder / TRACK))
    assert spoken == []  # everything was spoken once, by plan
    assert len(tracks[0]) == samples(plan["duration"])
    assert np.array_equal(tracks[0], tracks[1])


def test_a_build_into_a_new_folder_speaks_nothing(cli, monkeypatch, small_routine: Path, tmp_path: Path) -> None:
    spoken = counting(monkeypatch, BeepEngine)
    store = tmp_path / "cache"
    assert cli("build", small_routine, "--voice", "beep", "--out", tmp_path / "a", "--cache", store).code == 0
    first = len(spoken)
    assert first == len(entries(store)) > 10
    assert cli("build", small_routine, "--voice", "beep", "--out", tmp_path / "b", "--cache", store).code == 0
    assert len(spoken) == first


def test_the_cache_command_says_where_and_how_big_and_clears(cli, small_routine: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    assert cli("plan", small_routine, "--voice", "beep", "--cache", store).code == 0
    count = len(entries(store))
    size = sum(p.stat().st_size for p in entries(store))
    assert cli("cache", "--cache", store).out == f"{store}: {count} clips, {size / 1e6:.1f} MB\n"
    (store / "mine.txt").write_text("not a clip")  # a cache folder may hold anything else: it stays
    assert cli("cache", "--cache", store, "--clear").out == f"{store}: removed {count} clips\n"
    assert entries(store) == [] and (store / "mine.txt").read_text() == "not a clip"
    assert cli("cache", "--cache", store).out == f"{store}: 0 clips, 0.0 MB\n"


def test_the_cache_is_found_by_option_then_variable_then_user_folder(cli, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STRETCHCUE_CACHE", str(tmp_path / "env"))
    assert cli("cache").out.startswith(f"{tmp_path / 'env'}: ")
    assert cli("cache", "--cache", tmp_path / "opt").out.startswith(f"{tmp_path / 'opt'}: ")
    env = {k: v for k, v in os.environ.items() if k not in ("STRETCHCUE_CACHE", "XDG_CACHE_HOME")}
    env["HOME"] = str(tmp_path / "home")
    run = subprocess.run([sys.executable, "-m", "stretchcue.cli", "cache"], capture_output=True, text=True, env=env)
    if sys.platform.startswith("linux"):
        assert run.stdout.startswith(f"{tmp_path / 'home' / '.cache' / 'stretchcue'}: "), run.stderr


def test_the_key_covers_everything_that_changes_the_sound(tmp_path: Path) -> None:
    store = cache.ClipCache(tmp_path)
    beep = VoiceProfile("beep", "beep", settings={"seconds_per_character": 0.04})
    slower = VoiceProfile("beep", "beep", settings={"seconds_per_character": 0.05})
    keys = {Voice(beep, store).key("Hold."), Voice(slower, store).key("Hold."), Voice(beep, store).key("Hold!")}
    assert len(keys) == 3
    assert Voice(beep, store).key("Hold.") == Voice(beep, store).key("Hold.")
    one, two, same = (tmp_path / f"{n}.onnx" for n in ("one", "two", "same"))
    one.write_bytes(b"model one" * 1000)
    two.write_bytes(b"model two" * 1000)
    same.write_bytes(b"model one" * 1000)
    for model in (one, two, same):
        Path(f"{model}.json").write_text("{}")
    identity = {m.stem: PiperEngine.identity(model=str(m)) for m in (one, two, same)}
    assert identity["one"] == identity["same"] != identity["two"]


def test_a_voice_holds_a_bounded_amount_in_memory(monkeypatch, tmp_path: Path) -> None:
    """A long-lived voice (a cluster's worker) drops the clips it used least recently; one dropped is
    read back from the cache, the same samples, not spoken again."""
    from stretchcue.sound import speech

    voice = Voice(VoiceProfile("beep", "beep"), cache.ClipCache(tmp_path))
    texts = [f"Stretch number {n}." for n in range(12)]
    one = len(voice.samples(texts[0]))
    monkeypatch.setattr(speech, "HELD_BYTES", one * 4)  # about four clips
    first = {text: voice.samples(text) for text in texts}
    assert voice._held <= speech.HELD_BYTES and len(voice._clips) < len(texts), (voice._held, len(voice._clips))
    assert voice._held == sum(map(len, voice._clips.values()))
    spoken = counting(monkeypatch, BeepEngine)
    assert texts[0] not in voice._clips and voice.samples(texts[0]) == first[texts[0]]
    assert spoken == [] and list(voice._clips)[-1] == texts[0]  # now the most recently used


def test_each_text_is_spoken_once_however_many_threads_ask(monkeypatch, tmp_path: Path) -> None:
    """Tracks built side by side and `prefetch` ask for the same texts at once:
    each is spoken once, by whoever asked first, and everyone gets the same samples."""
    from concurrent.futures import ThreadPoolExecutor

    spoken = counting(monkeypatch, BeepEngine)
    monkeypatch.setattr(BeepEngine, "at_once", 3)
    voice = Voice(VoiceProfile("beep", "beep"), cache.ClipCache(tmp_path))
    texts = [f"Breathe out, number {n}." for n in range(40)]
    with voice.prefetch(texts), ThreadPoolExecutor(4) as askers:
        heard = list(askers.map(lambda order: [voice.samples(t) for t in order], [texts, texts[::-1]] * 2))
    assert sorted(spoken) == sorted(texts), spoken
    assert all(run == heard[0] for run in heard[::2]) and all(run == heard[0][::-1] for run in heard[1::2])
    assert not voice._asked


def test_a_text_that_fails_fails_for_everyone_who_waited(monkeypatch, tmp_path: Path) -> None:
    from stretchcue.errors import StretchcueError

    def synthesize(self, text: str):
        raise StretchcueError(f"cannot say {text!r}")

    monkeypatch.setattr(BeepEngine, "synthesize", synthesize)
    voice = Voice(VoiceProfile("beep", "beep"), cache.ClipCache(tmp_path))
    with voice.prefetch(["Hold."]):
        for _ in range(2):  # (the first may be the background's; a later ask tries again)
            with pytest.raises(StretchcueError, match=r"cannot say 'Hold\.'"):
                voice.samples("Hold.")
    assert not voice._asked and not voice._clips


def test_a_prefetch_left_early_speaks_no_more_and_its_waiters_ask_again(monkeypatch, tmp_path: Path) -> None:
    """Stopping a build leaves its prefetch: sentences whose turn has not come are not spoken (Ctrl-C
    waits for one at most), and a thread that was waiting for one of them gets it all the same."""
    import threading
    import time

    original, spoken = BeepEngine.synthesize, []

    def slow(self, text: str):
        spoken.append(text)
        time.sleep(0.05)
        return original(self, text)

    monkeypatch.setattr(BeepEngine, "synthesize", slow)
    voice = Voice(VoiceProfile("beep", "beep"), cache.ClipCache(tmp_path))
    texts = [f"Rest, number {n}." for n in range(40)]
    got: list[bytes] = []
    with voice.prefetch(texts):
        voice.samples(texts[0])
        waiter = threading.Thread(target=lambda: got.append(voice.samples(texts[-1])))
        waiter.start()
        time.sleep(0.01)
    waiter.join(timeout=30)
    assert len(spoken) <= 4 and texts[-1] in spoken, spoken  # the first, one in hand, the waiter's own
    assert got and got[0] == voice.samples(texts[-1])
    assert not voice._asked


def wav_44k_stereo(clip: bytes) -> bytes:
    """An ordinary WAV of another format: what the cache held before entries were verified."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44_100)
        out.writeframes(clip * 4)
    return buffer.getvalue()


def _header_end(blob: bytes) -> int:
    return blob.index(b"\n", len(cache.MAGIC)) + 1


def _claim(blob: bytes, **fields: object) -> bytes:
    """The entry with its header changed but its checksum intact: the wrong format, told well."""
    end = _header_end(blob)
    header = json.loads(blob[len(cache.MAGIC) : end])
    header.update(fields)
    return cache.MAGIC + json.dumps(header).encode() + b"\n" + blob[end:]


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda b: b[: len(b) // 2],
    "emptied": lambda b: b"",
    "noise": lambda b: np.random.default_rng(len(b)).bytes(len(b)),
    "one-sample-changed": lambda b: b[:-2] + bytes([b[-2] ^ 0x40]) + b[-1:],
    "header-only": lambda b: b[: _header_end(b)],
    "extra-bytes": lambda b: b + b"\0\0",
    "claims-44k-stereo": lambda b: _claim(b, rate=44_100, channels=2),
    "claims-more-frames": lambda b: _claim(b, frames=10**6),
    "old-wav-44k-stereo": lambda b: wav_44k_stereo(b[_header_end(b) :]),
}


def _damage(path: Path, how: str) -> None:
    if how == "folder":
        path.unlink()
        (path / "inside").mkdir(parents=True)
    elif how == "dangling-link":
        path.unlink()
        path.symlink_to(path.parent / "nowhere")
    else:
        path.write_bytes(DAMAGE[how](path.read_bytes()))


@pytest.mark.slow
@pytest.mark.parametrize("how", [*DAMAGE, "folder", "dangling-link"])
def test_a_damaged_entry_is_spoken_again_never_rendered(cli, small_routine: Path, tmp_path: Path, how: str) -> None:
    store, out = tmp_path / "cache", tmp_path / "out"
    args = ["build", small_routine, "--voice", "beep", "--out", out, "--cache", store]
    assert cli(*args).code == 0
    good = decode(out / TRACK)  # the beep is deterministic: a rebuild from sound clips is identical
    for path in entries(store):  # every entry damaged the same way
        _damage(path, how)
    (out / TRACK).unlink()
    run = cli(*args)
    assert run.code == 0, run.err
    if how != "dangling-link":  # a missing entry is simply spoken; a damaged one is reported
        assert "damaged speech cache entries were spoken again" in run.err, run.err
    rebuilt = decode(out / TRACK)
    assert len(rebuilt) == len(good) and np.array_equal(rebuilt, good)
    assert len(entries(store)) > 10
    if how == "folder":  # a folder is not ours to remove, whatever its name: the clips are used, not stored
        assert all((p / "inside").is_dir() for p in entries(store))
    else:
        assert all(cache.decode(p.read_bytes(), p.stem) is not None for p in entries(store))  # repaired in place


def test_an_unwritable_cache_is_one_line_and_nothing_is_written(cli, small_routine: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run = cli("build", small_routine, "--voice", "beep", "--out", tmp_path / "out", "--cache", blocker / "cache")
    assert run.code == 2 and run.err == f"error: --cache: {blocker} is not a folder\n"
    assert not (tmp_path / "out").exists()
