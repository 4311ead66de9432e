"""Benchmark: build times (cold and warm cache), speed relative to real time, peak memory, and
how render + encode scale with track length. Prints figures; asserts nothing (timings are noisy,
so compare the ratios within one run)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stretchcue.cache import ClipCache
from stretchcue.compiler import Options
from stretchcue.pipeline import make_plan
from stretchcue.profiles import VoiceProfile
from stretchcue.render import Tags, render, write_mp3
from stretchcue.routine import load
from stretchcue.speech import Voice


def timed_build(voice: str, out: Path) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one `stretchcue build back-stretches` process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stretchcue.cli",
            "build",
            "back-stretches",
            "--voice",
            voice,
            "--out",
            str(out),
            "--cache",
            str(out / "cache"),
        ],
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        sys.exit(f"build with {voice} failed")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> None:
    voices = sys.argv[1:] or ["piper", "system", "beep"]
    print(f"{'voice':<8} {'track':>8} {'cold s':>8} {'warm s':>8} {'warm/cold':>10} {'x realtime':>11} {'peak MiB':>9}")
    for voice in voices:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder)
            cold, memory = timed_build(voice, out)
            warm, _ = timed_build(voice, out)
            track = Voice(VoiceProfile.load(voice), ClipCache(out / "cache"))
            length = make_plan(load("back-stretches"), Options(), track).timeline
            seconds = length.length / length.sample_rate
            print(
                f"{voice:<8} {seconds / 60:>7.1f}m {cold:>8.2f} {warm:>8.2f} {warm / cold:>10.2f} "
                f"{seconds / cold:>11.0f} {memory:>9.0f}"
            )

    print("\nbatch back-series (6 tracks), first run and re-run (nothing to rebuild)")
    for voice in voices:
        with tempfile.TemporaryDirectory() as folder:
            times = []
            for _ in range(2):
                start = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "stretchcue.cli",
                        "batch",
                        "back-series",
                        "--voice",
                        voice,
                        "--out",
                        folder,
                        "--cache",
                        f"{folder}/cache",
                    ],
                    stdout=subprocess.DEVNULL,
                    check=True,
                )
                times.append(time.perf_counter() - start)
            print(f"  {voice:<8} first {times[0]:6.2f} s, re-run {times[1]:5.2f} s (x{times[1] / times[0]:.2f})")

    print("\nrender + encode against track length (beep voice, warm cache): linear means time ratio ~ length ratio")
    with tempfile.TemporaryDirectory() as folder:
        voice = Voice(VoiceProfile.load("beep"), ClipCache(Path(folder)))
        base = None
        for hold in (5, 20, 80):
            plan = make_plan(load("back-stretches"), Options(hold=hold), voice)
            start = time.perf_counter()
            write_mp3(
                render(plan.timeline, plan.clips), plan.timeline.sample_rate, Tags("b", "b"), Path(folder) / "b.mp3"
            )
            spent = time.perf_counter() - start
            base = base or (plan.timeline.length, spent)
            print(
                f"  hold {hold:>3} s: track {plan.timeline.length / plan.timeline.sample_rate / 60:5.1f} min, "
                f"{spent:5.2f} s; length x{plan.timeline.length / base[0]:.2f}, time x{spent / base[1]:.2f}"
            )


if __name__ == "__main__":
    main()
