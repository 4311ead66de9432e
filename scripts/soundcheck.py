"""Sound check: for each voice, with and without music, the figures issue 9 asks for, measured on
the built MP3 of the bundled back-stretches routine (10 s holds). Prints figures; asserts nothing.

    scripts/soundcheck [voice ...]     (default: beep system piper)

Loudness and true peak come from ffmpeg's ebur128 filter (a mono file weighed as dual-mono); cue
levels are each cue's gated BS.1770 loudness over 100 ms blocks; pace is words per minute over
the instructions of ten words or more; the music is two steady low tones (55 and 82.5 Hz, under any voice), so its
level can be read under the voice: the ducking depth is its level in holds less its loudest under
any cue.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from measure import cue_levels, decode_mono, ducking_depth, loudness_and_true_peak

from stretchcue.sound.audio import ffmpeg_exe

ROUTINE = "back-stretches"
WORK = Path(tempfile.mkdtemp(prefix="stretchcue-soundcheck-"))


def stretchcue(*args: str | Path) -> str:
    command = [sys.executable, "-m", "stretchcue.cli", *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(result.stderr)
    return result.stdout


def test_music() -> Path:
    path = WORK / "music.mp3"
    tones = [
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=55:duration=60",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=82.5:duration=60",
    ]
    mix = ["-filter_complex", "[0][1]amerge=inputs=2,volume=0.3", "-ar", "44100", "-b:a", "160k"]
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *tones, *mix, str(path)], check=True)
    return path


def measure(voice: str, music: Path | None) -> str:
    extra = ["--music", music] if music else []
    out = WORK / f"{voice}-{'music' if music else 'voice'}"
    stretchcue("build", ROUTINE, "--voice", voice, "--out", out, *extra)
    plan = json.loads(stretchcue("plan", ROUTINE, "--voice", voice, "--json", *extra))
    rate = plan["format"]["sample_rate"]
    mp3 = next(out.glob("*.mp3"))
    loudness, peak = loudness_and_true_peak(mp3)
    pcm = (decode_mono(mp3, rate) * 32768).astype(np.int16)
    levels = cue_levels(pcm, rate, plan)
    every = np.concatenate(list(levels.values()))
    spread = np.percentile(every, 95) - np.percentile(every, 5)
    countdown = np.median(levels["countdown"]) - np.median(levels["instruction"])
    long = [c for c in plan["cues"] if c["kind"] == "instruction" and len(c["text"].split()) >= 10]
    pace = sum(len(c["text"].split()) for c in long) / (sum(c["end"] - c["start"] for c in long) / 60)
    row = (
        f"{voice:<7} {'music' if music else 'voice':<6} {loudness:6.1f} LUFS {peak:6.1f} dBTP "
        f"{spread:5.1f} dB {countdown:+5.1f} dB {pace:5.0f} wpm"
    )
    if music:
        depth, _, _ = ducking_depth(decode_mono(mp3, rate), rate, plan, 55.0)
        row += f" {depth:5.1f} dB"
    return row


def main(voices: list[str]) -> None:
    try:
        music = test_music()
        print(f"{ROUTINE}, 10 s holds; work in {WORK} (removed at the end)")
        print("voice   under   loudness    true peak  cue spread  countdown  pace     ducking")
        for voice in voices:
            for under in (None, music):
                print(measure(voice, under), flush=True)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)  # tracks of every voice: tens of MB


if __name__ == "__main__":
    main(sys.argv[1:] or ["beep", "system", "piper"])
