"""Music under the voice, measured on the decoded MP3: the format it sets, its loop, its level,
and how far it dips under every spoken cue."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import SMALL_ROUTINE, plan_json, read_tags
from measure import decode_mono, ducking_depth, loudness_and_true_peak
from mutagen.mp3 import MP3

from stretchcue.format import choose_format
from stretchcue.sound.audio import ffmpeg_exe

RATE = 44_100
ROUTINE = SMALL_ROUTINE.replace("hold: 3\n", "hold: 6\n").replace("hold: 2.5\n", "hold: 5\n")
MUSIC_PITCH = 220.0  # the test music: 220 and 330 Hz; the beep voice is 440 Hz


def make_music(path: Path, seconds: float, channels: int = 2, rate: int = RATE) -> Path:
    """A stand-in for music: two steady tones (one per channel when stereo), encoded as MP3."""
    sources = ["-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}"]
    sources += ["-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}"]
    mix = "[0][1]amerge=inputs=2" if channels == 2 else "[0][1]amix=inputs=2"
    command = [ffmpeg_exe(), "-v", "error", "-y", *sources, "-filter_complex", f"{mix},volume=0.3", "-ar", str(rate)]
    subprocess.run([*command, "-b:a", "160k", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def with_music(tmp_path_factory: pytest.TempPathFactory):
    """The small routine built with the beep voice over 20 s of stereo music (so it loops), and its plan."""
    folder = tmp_path_factory.mktemp("music")
    routine = folder / "quick.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    music = make_music(folder / "music.mp3", 20)
    from stretchcue.cli import main

    out = folder / "out"
    assert main(["build", str(routine), "--voice", "beep", "--music", str(music), "--out", str(out)]) == 0
    return folder, routine, music, out / "Quick check.mp3"


@pytest.mark.slow
def test_music_sets_the_format_and_keeps_every_cue_where_the_plan_puts_it(cli, with_music) -> None:
    _, routine, music, mp3 = with_music
    plan = plan_json(cli, routine, "--voice", "beep", "--music", music)
    assert plan["format"] == {"sample_rate": 44100, "channels": 2, "bitrate": 128}
    assert plan["music"] == {"file": str(music), "level": -20.0}
    probe = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", mp3], capture_output=True, text=True).stderr
    assert "44100 Hz, stereo" in probe and "128 kb/s" in probe, probe
    pcm = decode_mono(mp3, RATE)
    assert len(pcm) == round(plan["duration"] * 22050) * 2  # the timeline doubled, to the sample
    assert plan["duration"] > 40  # longer than the music: it loops
    assert read_tags(mp3).title == "Quick check"


@pytest.mark.slow
def test_music_dips_at_least_12_db_under_speech_and_stays_audible_in_holds(cli, with_music) -> None:
    _, routine, music, mp3 = with_music
    plan = plan_json(cli, routine, "--voice", "beep", "--music", music)
    depth, held, under = ducking_depth(decode_mono(mp3, RATE), RATE, plan, MUSIC_PITCH)
    assert depth >= 12, (held, under)
    assert min(held) > -45, held  # audible in every hold, including those after the loop point
    assert max(held) - min(held) < 3, held  # the loops join without a dip or a bump


@pytest.mark.slow
@pytest.mark.parametrize("voice", ["beep", "system", "piper"])
def test_loudness_and_true_peak_with_music(cli, with_music, voice: str, tmp_path: Path) -> None:
    _, routine, music, _ = with_music
    assert cli("build", routine, "--voice", voice, "--music", music, "--out", tmp_path).code == 0
    loudness, peak = loudness_and_true_peak(tmp_path / "Quick check.mp3")
    assert abs(loudness + 16) <= 1 and peak <= -1, (voice, loudness, peak)


def test_the_format_follows_the_music() -> None:
    assert (choose_format(48_000, 2).rate, choose_format(48_000, 2).channels) == (44_100, 2)
    assert choose_format(44_100, 1) == choose_format(44_100, 1).__class__(44_100, 1, 96)
    assert (choose_format(22_050, 2).rate, choose_format(16_000, 1).bitrate) == (22_050, 64)


@pytest.mark.slow
def test_music_from_the_routine_file_and_a_changed_file_rebuilds(cli, tmp_path: Path) -> None:
    make_music(tmp_path / "calm.mp3", 12, channels=1, rate=22_050)
    routine = tmp_path / "r.yaml"
    routine.write_text(ROUTINE.replace("defaults:", "music: {file: calm.mp3, level: -20}\ndefaults:"), encoding="utf-8")
    plan = plan_json(cli, routine, "--voice", "beep")
    assert plan["music"] == {"file": str(tmp_path / "calm.mp3"), "level": -20.0}
    assert plan["format"] == {"sample_rate": 22050, "channels": 1, "bitrate": 64}
    out = tmp_path / "out"
    assert cli("build", routine, "--voice", "beep", "--out", out).out.startswith("built:")
    assert cli("build", routine, "--voice", "beep", "--out", out).out.startswith("skipped")
    make_music(tmp_path / "calm.mp3", 13, channels=1, rate=22_050)
    assert cli("build", routine, "--voice", "beep", "--out", out).out.startswith("built:")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not music at all", "error: music: cannot read {path}"),
        (None, "error: music: cannot read {path}: No such file or directory"),
    ],
)
def test_music_that_cannot_be_read_is_one_line_and_nothing_is_written(
    cli, small_routine: Path, tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "song.mp3"
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out"
    run = cli("build", small_routine, "--voice", "beep", "--music", path, "--out", out)
    assert run.code == 2 and run.err.startswith(message.format(path=path)) and run.err.count("\n") == 1, run.err
    assert not out.exists()


def test_a_routine_naming_a_missing_music_file_is_located(cli, tmp_path: Path) -> None:
    routine = tmp_path / "r.yaml"
    routine.write_text(ROUTINE.replace("defaults:", "music: nowhere.mp3\ndefaults:"), encoding="utf-8")
    run = cli("plan", routine, "--voice", "beep")
    assert run.code == 2 and run.err == f"error: {routine}:3: music: no music file {tmp_path / 'nowhere.mp3'}\n"
    plan = json.loads(cli("plan", routine, "--voice", "beep", "--json").out or "null")
    assert plan is None


@pytest.mark.slow
def test_manifest_music_per_track_and_the_level_option(cli, tmp_path: Path) -> None:
    (tmp_path / "quick.yaml").write_text(ROUTINE, encoding="utf-8")
    make_music(tmp_path / "stereo.mp3", 12)
    make_music(tmp_path / "mono.mp3", 12, channels=1)
    (tmp_path / "set.yaml").write_text(
        "title: Set\nmusic: stereo.mp3\ntracks:\n"
        "  - {routine: quick.yaml, title: Stereo}\n"
        "  - {routine: quick.yaml, title: Mono, music: {file: mono.mp3, level: -30}}\n",
        encoding="utf-8",
    )
    run = cli("batch", tmp_path / "set.yaml", "--voice", "beep", "--out", tmp_path / "out")
    assert run.code == 0, run.err
    stereo, mono = MP3(tmp_path / "out" / "01 - Stereo.mp3").info, MP3(tmp_path / "out" / "02 - Mono.mp3").info
    assert (stereo.sample_rate, stereo.channels, stereo.bitrate) == (44_100, 2, 128_000)
    assert (mono.sample_rate, mono.channels, mono.bitrate) == (44_100, 1, 96_000)

    plan = plan_json(
        cli, tmp_path / "quick.yaml", "--voice", "beep", "--music", tmp_path / "mono.mp3", "--music-level", "-25"
    )
    assert plan["music"]["level"] == -25.0
    run = cli("plan", tmp_path / "quick.yaml", "--voice", "beep", "--music-level", "-25")
    assert run.code == 2 and "--music-level" in run.err and "has no music" in run.err


@pytest.mark.parametrize("seconds", [0.5, 5.0])
def test_plan_refuses_the_music_build_refuses(cli, small_routine: Path, tmp_path: Path, seconds: float) -> None:
    """The plan is the truth: music too short to loop is refused by `plan` as by `build`, in the same words."""
    song = make_music(tmp_path / "short.wav", seconds)
    out = tmp_path / "out"
    built = cli("build", small_routine, "--voice", "beep", "--music", song, "--out", out)
    planned = cli("plan", small_routine, "--voice", "beep", "--music", song)
    assert built.code == planned.code == 2 and planned.out == "", planned.out
    assert planned.err == built.err and "to loop" in built.err and built.err.count("\n") == 1, built.err
    assert not out.exists()
