"""Benchmark of batches on a cluster: tracks per minute per core on a 50-track manifest (the back
series' routines at several holds), with the beep and the system voice and a warm speech cache,
built locally (plain `batch`, a thread per core) and over a Dask scheduler with two local workers
(one thread each, sharing the warm cache); and what a thousand clients' tracks would cost.

    .venv/bin/python scripts/bench_cluster.py [--quick]     # --quick: 10 tracks, not 50

`measure(work, quick)` gives the lines to print (scripts/bench.py may call it); it takes about 40
minutes on 2 busy cores (--quick: 9). Each figure is one timed run into a new folder, after a run
that warmed the cache; the workers have imported what a track needs before the clock starts.
Besides wall time it counts the CPU seconds of the processes that built (the batch's, or the
client's, the scheduler's and the workers'), which a machine busy with other work disturbs less.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROUTINES = [
    "lower-back-stretches",
    "lower-back-stretches-2",
    "seated-back-stretch",
    "reach-out-stretch",
    "reach-up-stretch",
    "exercise-ball-back-stretch",
]
HOLDS = (10, 15, 20, 25, 30, 35, 40, 45, 50)
TRACKS_PER_NIGHT = 1000  # a thousand clients, a track each a night
NIGHT_HOURS = 8
CORE_HOUR = 0.04  # US$ per vCPU-hour on demand in a public cloud (about what a compute-optimised instance costs)
WORKERS = 2


def manifest(folder: Path, count: int) -> Path:
    """`count` distinct tracks: the back series' routines at one hold after another."""
    routines = [(ROUTINES[n % len(ROUTINES)], HOLDS[n // len(ROUTINES)]) for n in range(count)]
    tracks = [f"  - {{routine: {routine}, hold: {hold}}}\n" for routine, hold in routines]
    path = folder / f"bench-{count}.yaml"
    path.write_text(f"title: Bench {count}\ntracks:\n" + "".join(tracks), encoding="utf-8")
    return path


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a live process, and of its children it has waited for (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def batch(args: list[str | Path], env: dict[str, str], others: list[int]) -> tuple[float, float]:
    """Wall and CPU seconds of one `stretchcue batch`: its own CPU and that of `others` (live
    processes: the scheduler and workers) meanwhile."""
    import resource

    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    before = children() + sum(cpu_seconds(pid) for pid in others)
    command = [sys.executable, "-m", "stretchcue.cli", "batch", *map(str, args)]
    start = time.perf_counter()
    process = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{process.stderr.decode(errors='replace')}")
    return wall, children() + sum(cpu_seconds(pid) for pid in others) - before


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def local_cluster(folder: Path, cache: Path) -> Iterator[tuple[str, list[int]]]:
    """A scheduler and WORKERS one-thread workers on 127.0.0.1, speaking into `cache`: its
    address, and the processes' ids."""
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {**os.environ, "STRETCHCUE_CACHE": str(cache)}
    python = [sys.executable, "-m"]
    commands = [[*python, "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1]]]
    for n in range(WORKERS):
        commands.append([*python, "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny"])
        commands[-1] += ["--host", "127.0.0.1", "--local-directory", str(folder / f"worker-{n}")]
    processes = []
    try:
        for command in commands:
            log = (folder / f"{len(processes)}.log").open("wb")
            processes.append(
                subprocess.Popen([*command, "--no-dashboard"], stdout=log, stderr=log, env=env, start_new_session=True)
            )
            log.close()
            if len(processes) == 1:
                time.sleep(1)  # (workers retry until the scheduler listens)
        from distributed import Client

        with Client(address, timeout=120, set_as_default=False) as client:
            client.wait_for_workers(WORKERS, timeout=120)
            # Workers that stay up, as a cluster's do: what a track needs is imported before the clock starts.
            client.run(importlib.import_module, "stretchcue.pipeline.cluster")
        yield address, [p.pid for p in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=60)


def measure(work: Path, quick: bool) -> list[str]:
    """The figures, as lines to print."""
    count = 10 if quick else 50
    cores = os.cpu_count() or 1
    work.mkdir(parents=True, exist_ok=True)
    path = manifest(work, count)
    lines = [f"Batches on a cluster: {count} tracks (back series at holds of 10-50 s), warm speech cache"]
    runs = iter(range(10**6))
    for voice in ("beep", "system"):
        cache = work / f"cache-{voice}"
        env = {**os.environ, "STRETCHCUE_CACHE": str(cache)}
        common: list[str | Path] = [path, "--voice", voice]

        def timed(
            extra: list[str | Path], others: list[int], common: list[str | Path] = common, env: dict[str, str] = env
        ) -> tuple[float, float, Path]:
            out = work / f"out-{next(runs)}"
            wall, cpu = batch([*common, "--out", out, *extra], env, others)
            return wall, cpu, out

        timed([], [])  # warms the cache (and the files the system reads)
        wall, cpu, out = timed([], [])
        seconds = _mean_length(out)
        lines.append(f"  {voice}: tracks of {seconds / 60:.1f} min on average")
        lines.append(_figure("locally", count, wall, cpu, cores, f"a thread per core, {cores} cores"))
        with local_cluster(work, cache) as (address, pids):
            wall, cpu, _ = timed(["--scheduler", address], pids)
        lines.append(
            _figure("on the cluster", count, wall, cpu, WORKERS, f"{WORKERS} workers of 1 thread, client and scheduler")
        )
        per_core = count / (cpu / 60)  # tracks per CPU minute, the cluster's
        core_hours = TRACKS_PER_NIGHT / per_core / 60
        lines.append(
            f"    {TRACKS_PER_NIGHT} clients, a track each a night: {core_hours:.1f} core-hours "
            f"({core_hours / NIGHT_HOURS:.2f} cores busy for {NIGHT_HOURS} h; about ${core_hours * CORE_HOUR:.2f} "
            f"a night, ${core_hours * CORE_HOUR * 30:.0f} a month at ${CORE_HOUR}/core-hour), "
            f"{TRACKS_PER_NIGHT * _mean_size(out) / 1e9:.1f} GB sent back to the clients"
        )
    return lines


def _figure(where: str, count: int, wall: float, cpu: float, cores: int, how: str) -> str:
    return (
        f"    {where}: {count / (wall / 60) / cores:.1f} tracks/min/core by the clock ({wall:.1f} s, {how}); "
        f"{count / (cpu / 60):.1f} tracks per CPU minute ({cpu:.1f} CPU s)"
    )


def _mean_length(folder: Path) -> float:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from stretchcue.outputs.track import read_stamp

    lengths = [stamp.tags.length_ms / 1000 for p in folder.glob("*.mp3") if (stamp := read_stamp(p))]
    return sum(lengths) / len(lengths)


def _mean_size(folder: Path) -> float:
    files = list(folder.glob("*.mp3")) + list(folder.glob("*.vtt")) + list(folder.glob("*.lrc"))
    return sum(p.stat().st_size for p in files) / len(list(folder.glob("*.mp3")))


if __name__ == "__main__":
    import tempfile

    for line in measure(Path(tempfile.mkdtemp(prefix="stretchcue-bench-cluster-")), "--quick" in sys.argv):
        print(line, flush=True)
