"""Batches on a Dask cluster (`batch --scheduler ADDRESS`, the `cluster` extra): this machine
decides what to build, as a local batch does, and holds --out's lock; each track to build is a
task, made on a worker in memory (the MP3 and its transcripts), and written into --out here,
whole, as it arrives. A worker speaks into its own speech cache
(its $STRETCHCUE_CACHE, or its user's), which may be a folder every worker shares.

A worker that dies takes its running tasks with it; the scheduler gives them to another worker
(up to its `distributed.scheduler.allowed-failures` deaths per task, 3 by default), so no track is
lost. `distributed` is imported only here, and only when a batch is sent to a cluster.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import threading
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any

from stretchcue.disk.ours import Proof
from stretchcue.errors import StretchcueError
from stretchcue.outputs.track import examine, put_mp3
from stretchcue.pipeline.build import Job, Made, Report, Track, Voices, finish, make_track
from stretchcue.pipeline.tracks import TrackSpec
from stretchcue.sound.cache import ClipCache, location
from stretchcue.sound.music import Music

EXTRA = "pip install 'stretchcue[cluster]'"
WORKERS_SECONDS = 60  # a cluster without a worker for this long is an error, not a wait without end
WATCH_SECONDS = 10  # with no track back for this long, the client checks the cluster still has a worker


class ClusterBuilder:
    """Builds on the workers of the Dask scheduler at `address` (tcp://HOST:PORT)."""

    def __init__(self, address: str) -> None:
        try:  # said before anything is read or written
            import distributed  # noqa: F401
            from distributed.comm.addressing import parse_address, parse_host_port
            from distributed.comm.registry import backends
            from distributed.security import Security
        except ImportError:
            raise StretchcueError(f"--scheduler needs Dask's distributed scheduler: {EXTRA}") from None
        try:  # (a Client given a bad address fails, then hangs on its way out)
            scheme, location = parse_address(address)
            parse_host_port(location)
        except ValueError as err:
            raise StretchcueError(f"--scheduler: {err}; expected tcp://HOST:PORT") from None
        if scheme not in backends:
            raise StretchcueError(f"--scheduler: {address}: no such protocol as {scheme}://; expected tcp://HOST:PORT")
        # (A client of another protocol, or of tls:// without its settings, fails half made, then
        # takes a minute to close as the program ends.)
        if scheme not in ("tcp", "tls"):
            raise StretchcueError(
                f"--scheduler: {address}: a scheduler is reached over tcp:// or tls://, not {scheme}://"
            )
        if scheme == "tls" and Security().get_connection_args("client")["ssl_context"] is None:
            raise StretchcueError(
                f"--scheduler: {address}: tls:// needs Dask's TLS settings (distributed.comm.tls.ca-file, "
                "and the client's cert and key)"
            )
        self.address = address

    def build(self, jobs: list[Job], say: Report) -> dict[int, Track]:
        from distributed import KilledWorker, wait

        if not logging.getLogger("stretchcue").isEnabledFor(logging.DEBUG):  # (--debug shows Dask's log too)
            for handler in logging.getLogger("distributed").handlers:  # (its loggers all write through these)
                handler.setLevel(logging.CRITICAL)  # what went wrong is said in one line
        client = self._connect()
        results: dict[int, Track] = {}
        with client, client.as_current():
            self._workers(client)
            # Each music is sent to the workers once, not with every track.
            distinct = {id(job.music): job.music for job in jobs if job.music}
            musics = {key: client.scatter(music, hash=False) for key, music in distinct.items()}
            futures = {}
            for job in jobs:
                music = musics[id(job.music)] if job.music else None
                # Named by its stamp: clients asking for the same track at once share one task.
                key = f"stretchcue-track-{job.stamp}"
                futures[client.submit(make_on_worker, job.spec, music, job.stamp, key=key)] = job
                say(job.index, "sent", 0, 1)
            pending = set(futures)
            try:
                while pending:
                    try:
                        done, pending = wait(pending, timeout=WATCH_SECONDS, return_when="FIRST_COMPLETED")
                    except TimeoutError:  # nothing finished for a while: is anyone still building?
                        self._workers(client)
                        continue
                    for future in done:
                        job = futures[future]
                        if future.status == "lost":  # made, but its worker left before it was sent: made again
                            pending.add(future)
                            continue
                        try:
                            made, mp3 = future.result()
                        except KilledWorker as err:
                            raise StretchcueError(
                                f"{job.spec.title}: its build killed each worker it ran on: {err}"
                            ) from None
                        future.release()  # the worker forgets the track's bytes
                        results[job.index] = _put(job, made, mp3)
                        say(job.index, "built", 1, 1)
            except CancelledError:  # the scheduler went away, and its tasks with it
                raise StretchcueError(f"--scheduler: lost {self.address} while building") from None
            finally:
                with contextlib.suppress(Exception):  # (a client that lost its scheduler cannot cancel)
                    client.cancel([future for future in futures if not future.done()])
        return results

    def _connect(self) -> Any:
        """A client of the scheduler, or one line saying why not, within Dask's connect timeout
        (`distributed.comm.timeouts.connect`). The client is made on a thread of its own: one
        given a server that accepts but is not Dask's (a dashboard's port) waits without end."""
        import dask
        from dask.utils import parse_timedelta
        from distributed import Client

        limit = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="s") + 2
        made: dict[str, Any] = {}
        done = threading.Event()

        def connect() -> None:
            try:
                made["client"] = Client(self.address, set_as_default=False)
            except Exception as err:  # refused, unknown host, tls:// without Dask's TLS settings...
                made["error"] = str(err)  # (only its words: a client half made takes a minute to close)
            done.set()

        threading.Thread(target=connect, name="connecting", daemon=True).start()  # (left behind if it hangs)
        if done.wait(limit) and "client" in made:
            return made["client"]
        why = made.get("error") or f"no Dask scheduler answered in {limit:g} s"
        raise StretchcueError(f"--scheduler: cannot reach {self.address}: {why}")

    def _workers(self, client: Any) -> None:
        """Return once the cluster has a worker; after WORKERS_SECONDS without one, fail."""
        try:
            client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:
            raise StretchcueError(f"--scheduler: no worker at {self.address} for {WORKERS_SECONDS} s") from None


def _put(job: Job, made: Made, mp3: bytes) -> Track:
    """A worker's track, written into its place as a local build writes its own (each file whole or
    absent, the track first), once it has shown itself to be the track asked for: one of ours,
    whole, made from the job's inputs."""
    proof, stamp = examine(io.BytesIO(mp3))
    if proof is not Proof.OURS or stamp is None or not stamp.whole or stamp.tags.stamp != job.stamp:
        raise StretchcueError(f"{job.spec.title}: a worker sent back something other than the track asked for")
    put_mp3(job.path, lambda file: file.write(mp3))
    return finish(job.path, job.spec.title, made)


_voices: dict[Path, Voices] = {}  # a worker's voices, kept from task to task: each engine loads once
_voices_lock = threading.Lock()


def make_on_worker(spec: TrackSpec, music: Music | None, stamp: str) -> tuple[Made, bytes]:
    """On a worker: the track (and its MP3's bytes), made as a local build makes it, from the same
    inputs, in memory: a worker writes nothing but its speech cache."""
    try:
        if spec.stamp(music) != stamp:  # else it would not be the track its stamp says
            raise StretchcueError(
                f"{spec.title}: the worker on {socket.gethostname()} has another stretchcue or voice engine "
                f"({spec.voice.name}) than this machine; install the same on every machine"
            )
        root, _ = location()
        with _voices_lock:
            if root not in _voices:
                _voices[root] = Voices(ClipCache(root))
            voices = _voices[root]
        file = io.BytesIO()
        made = make_track(spec, voices.of(spec.voice), music, stamp, _ignore, threading.Event(), file)
        return made, file.getvalue()
    except StretchcueError as err:  # as a plain one: its subclasses take other arguments, and do not unpickle
        raise StretchcueError(str(err)) from None


def _ignore(*_: Any) -> None:
    pass
