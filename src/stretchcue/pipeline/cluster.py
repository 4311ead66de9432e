"""Batches on a Dask cluster (`batch --scheduler ADDRESS`, the `cluster` extra): this machine
decides what to build, as a local batch does, and holds --out's lock; each track to build is a
task, made on a worker into bytes (the MP3 and its transcripts, in a temp folder of the worker's),
and written into --out here, whole, as it arrives. A worker speaks into its own speech cache
(its $STRETCHCUE_CACHE, or its user's), which may be a folder every worker shares.

A worker that dies takes its running tasks with it; the scheduler gives them to another worker
(up to its `distributed.scheduler.allowed-failures` deaths per task, 3 by default), so no track is
lost. `distributed` is imported only here, and only when a batch is sent to a cluster.
"""

from __future__ import annotations

import socket
import tempfile
import threading
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stretchcue.disk.files import write_bytes
from stretchcue.errors import StretchcueError
from stretchcue.outputs.names import transcripts
from stretchcue.outputs.track import put_mp3
from stretchcue.pipeline.build import Job, Report, Track, Voices, build_track
from stretchcue.pipeline.tracks import TrackSpec
from stretchcue.sound.cache import ClipCache, location
from stretchcue.sound.music import Music

EXTRA = "pip install 'stretchcue[cluster]'"
WORKERS_SECONDS = 60  # a cluster without a worker for this long is an error, not a wait without end


class OnCluster:
    """Builds on the workers of the Dask scheduler at `address` (tcp://HOST:PORT)."""

    def __init__(self, address: str) -> None:
        try:  # said before anything is read or written
            import distributed  # noqa: F401
            from distributed.comm.addressing import parse_address, parse_host_port
            from distributed.comm.registry import backends
        except ImportError:
            raise StretchcueError(f"--scheduler needs Dask's distributed scheduler: {EXTRA}") from None
        try:  # (a Client given a bad address fails, then hangs on its way out)
            scheme, location = parse_address(address)
            parse_host_port(location)
        except ValueError as err:
            raise StretchcueError(f"--scheduler: {err}; expected tcp://HOST:PORT") from None
        if scheme not in backends:
            raise StretchcueError(f"--scheduler: {address}: no such protocol as {scheme}://; expected tcp://HOST:PORT")
        self.address = address

    def build(self, jobs: list[Job], say: Report) -> dict[int, Track]:
        from distributed import Client, KilledWorker, as_completed

        try:
            client = Client(self.address, set_as_default=False)
        except OSError as err:  # (after Dask's connect timeout: distributed.comm.timeouts.connect)
            raise StretchcueError(f"--scheduler: cannot reach {self.address}: {err}") from None
        results: dict[int, Track] = {}
        with client:
            try:
                client.wait_for_workers(1, timeout=WORKERS_SECONDS)
            except TimeoutError:
                raise StretchcueError(f"--scheduler: no worker at {self.address} in {WORKERS_SECONDS} s") from None
            # Each music is sent to the workers once, not with every track.
            distinct = {id(job.music): job.music for job in jobs if job.music}
            musics = {key: client.scatter(music, hash=False) for key, music in distinct.items()}
            futures = {}
            for job in jobs:
                music = musics[id(job.music)] if job.music else None
                # Named by its stamp: clients asking for the same track at once share one task.
                key = f"stretchcue-track-{job.stamp}"
                futures[client.submit(made, job.spec, music, job.stamp, job.path.name, key=key)] = job
                say(job.index, "building", 0, 1)
            try:
                for future in as_completed(futures, loop=client.loop):
                    job = futures[future]
                    try:
                        track = future.result()
                    except KilledWorker as err:
                        raise StretchcueError(
                            f"{job.spec.title}: its build killed each worker it ran on: {err}"
                        ) from None
                    except CancelledError:  # the scheduler went away, and its tasks with it
                        raise StretchcueError(f"--scheduler: lost {self.address} while building") from None
                    results[job.index] = track.put(job)
                    future.release()  # the worker forgets the track's bytes
                    say(job.index, "built", 1, 1)
            except BaseException:
                client.cancel(list(futures))  # (what is in --out is whole: see `Made.put`)
                raise
        return results


@dataclass(frozen=True)
class Made:
    """A track made on a worker: its length, warnings, and files."""

    seconds: float
    warnings: tuple[str, ...]
    mp3: bytes
    vtt: bytes
    lrc: bytes

    def put(self, job: Job) -> Track:
        """Write the files into their places, each whole or absent, the track first (as a local build does)."""
        put_mp3(job.path, self.mp3)
        vtt, lrc = transcripts(job.path)
        write_bytes(vtt, self.vtt)
        write_bytes(lrc, self.lrc)
        return Track(job.path, job.spec.title, self.seconds, skipped=False, warnings=self.warnings)


_voices: dict[Path, Voices] = {}  # a worker's voices, kept from task to task: each engine loads once
_voices_lock = threading.Lock()


def made(spec: TrackSpec, music: Music | None, stamp: str, name: str) -> Made:
    """On a worker: the track, made as a local build makes it, from the same inputs (else it would
    not be the track its stamp says: the worker's stretchcue or voice engine is not the client's)."""
    if spec.stamp(music) != stamp:
        raise StretchcueError(
            f"{spec.title}: the worker on {socket.gethostname()} has another stretchcue or voice engine "
            f"({spec.voice.name}) than this machine; install the same on every machine"
        )
    root, _ = location()
    with _voices_lock:
        if root not in _voices:
            _voices[root] = Voices(ClipCache(root))
        voices = _voices[root]
    with tempfile.TemporaryDirectory(prefix="stretchcue-") as folder:
        path = Path(folder) / name
        track = build_track(spec, voices.of(spec.voice), music, path, stamp, _ignore, threading.Event())
        vtt, lrc = (p.read_bytes() for p in transcripts(path))
        return Made(track.seconds, track.warnings, path.read_bytes(), vtt, lrc)


def _ignore(*_: Any) -> None:
    pass
