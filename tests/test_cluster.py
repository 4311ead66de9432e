"""Batches on a Dask cluster: a real scheduler and two workers on 127.0.0.1, each worker a
process of its own (one thread) with a speech cache and a temp folder of its own (which it must
leave empty: it makes tracks in memory); the batch itself runs as a user runs it, in a process
of its own."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SMALL_ROUTINE, TINY_ROUTINE, read_tags, run_cli
from test_music import make_music

WAIT = 120  # seconds any one wait may take before the test fails (the machine may be busy)
MANIFEST = "title: Spread\ntracks:\n" + "".join(f"  - {{routine: tiny.yaml, hold: {h}}}\n" for h in (1, 2))
MUSIC = "  - {routine: tiny.yaml, hold: 3, music: calm.mp3}\n"  # (sent to the workers once, decoded)
# Tracks of the small routine with long holds: each takes a second or so to make, long enough to be killed.
LONG = "title: Long\ntracks:\n" + "".join(f"  - {{routine: quick.yaml, hold: {h}}}\n" for h in (30, 35, 40, 45))


def wait_for(what: str, done, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + WAIT
    while not done():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"it ended (status {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} in {WAIT} s")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A scheduler and its workers, each in a process group of its own (killed whole at the end)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: list[subprocess.Popen] = []
        self.scheduler = self._start("scheduler", [self.address.rsplit(":", 1)[1]], {})
        self.workers = [self.start_worker(n) for n in range(2)]
        self.wait_for_workers(2)

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        if name == "scheduler":
            command = ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", *args]
        else:
            command = ["distributed.cli.dask_worker", self.address, *args]
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", *command, "--no-dashboard", "--dashboard-address", "127.0.0.1:0"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "DASK_TEMPORARY_DIRECTORY": str(self.folder / "dask"), **env},
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    def start_worker(self, n: int) -> subprocess.Popen:
        """Worker `n`: speaking into cache-N, making its tracks in tmp-N."""
        (self.folder / f"tmp-{n}").mkdir(exist_ok=True)
        env = {"STRETCHCUE_CACHE": str(self.folder / f"cache-{n}"), "TMPDIR": str(self.folder / f"tmp-{n}")}
        args = ["--name", f"w{n}", "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1"]
        return self._start(f"worker-{n}", args, env)

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=WAIT, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=WAIT)

    def making(self, name: str) -> bool:
        """Whether worker `name` is running a task now (asked of the worker itself)."""
        from distributed import Client

        with Client(self.address, timeout=WAIT, set_as_default=False) as client:
            found = [a for a, w in client.scheduler_info(n_workers=-1)["workers"].items() if w["name"] == name]
            running = client.run(lambda dask_worker: len(dask_worker.state.executing), workers=found)
        return any(running.values())

    def restart_workers(self) -> None:
        """Start again each worker that was killed, for the tests after this one."""
        for n, worker in enumerate(self.workers):
            if worker.poll() is not None:
                self.workers[n] = self.start_worker(n)
        self.wait_for_workers(len(self.workers))

    def kill(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=WAIT)

    def close(self) -> None:
        for process in self.processes:
            self.kill(process)

    def logs(self) -> str:
        return "\n".join(f"{p.name}:\n{p.read_text(errors='replace')}" for p in sorted(self.folder.glob("*.log")))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    started = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        yield started
    finally:
        started.close()


def run_until(command: list, making, interrupt, after) -> tuple[int, str, str]:
    """Run a batch; once `making()` (a track is being made), `interrupt()` the cluster; then, come
    what may, `after()`. Gives the batch's status, stdout and stderr."""
    batch = subprocess.Popen([str(a) for a in command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for("track being made", making, batch)
        interrupt()
        stdout, stderr = batch.communicate(timeout=WAIT)
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait(timeout=WAIT)
        after()
    return batch.returncode, stdout, stderr


def manifest_in(folder: Path, text: str) -> Path:
    (folder / "quick.yaml").write_text(SMALL_ROUTINE, encoding="utf-8")
    (folder / "tiny.yaml").write_text(TINY_ROUTINE, encoding="utf-8")
    (folder / "m.yaml").write_text(text, encoding="utf-8")
    return folder / "m.yaml"


def outputs(folder: Path) -> dict[str, bytes]:
    """What a batch wrote that must be the same wherever its tracks were made (the feed is dated)."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix in (".mp3", ".vtt", ".lrc", ".m3u8")}


@pytest.mark.slow
def test_a_cluster_batch_makes_what_a_local_batch_makes(cluster: Cluster, cli, tmp_path: Path) -> None:
    manifest = manifest_in(tmp_path, MANIFEST + MUSIC)
    make_music(tmp_path / "calm.mp3", 12, channels=1)
    feed = ["--feed", "https://example.com/s/"]
    on = ["--scheduler", cluster.address]
    remote = run_cli("batch", manifest, "--voice", "beep", "--out", tmp_path / "remote", *feed, *on)
    assert remote.returncode == 0, remote.stderr + cluster.logs()
    assert remote.stdout.count("built: ") == 3 and "playlist: " in remote.stdout and "feed: " in remote.stdout
    assert (tmp_path / "remote" / "feed.xml").read_text(encoding="utf-8").count("<item>") == 3
    assert list(cluster.folder.glob("cache-*/beep/*.clip")), "the workers speak into their own caches"
    local = cli("batch", manifest, "--voice", "beep", "--out", tmp_path / "local", *feed)
    assert local.code == 0, local.err
    made = outputs(tmp_path / "remote")
    assert len(made) == 10 and made == outputs(tmp_path / "local")  # byte for byte: audio and tags
    again = cli("batch", manifest, "--voice", "beep", "--out", tmp_path / "remote")
    assert again.code == 0 and again.out.count("skipped (unchanged): ") == 3 and "built: " not in again.out
    assert not list(tmp_path.rglob("*.stretchcue-part"))
    assert not [p for n in (0, 1) for p in (cluster.folder / f"tmp-{n}").iterdir()], "a worker wrote a file"


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_no_track(cluster: Cluster, cli, tmp_path: Path) -> None:
    manifest = manifest_in(tmp_path, LONG)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "stretchcue.cli", "batch", manifest, "--voice", "beep", "--out", out]
    code, stdout, stderr = run_until(
        [*command, "--scheduler", cluster.address],
        lambda: cluster.making("w0"),
        lambda: cluster.kill(cluster.workers[0]),
        cluster.restart_workers,
    )
    assert code == 0, stderr + cluster.logs()
    assert stdout.count("built: ") == 4
    local = cli("batch", manifest, "--voice", "beep", "--out", tmp_path / "local")
    assert local.code == 0, local.err
    for track in sorted(out.glob("*.mp3")):
        made, expected = read_tags(track), read_tags(tmp_path / "local" / track.name)
        assert (made.audio, made.stamp) == (expected.audio, expected.stamp), track.name
    again = cli("batch", manifest, "--voice", "beep", "--out", out)
    assert again.out.count("skipped (unchanged): ") == 4, again.out


@pytest.mark.slow
def test_a_batch_whose_workers_all_leave_fails_and_leaves_only_whole_files(cluster: Cluster, tmp_path: Path) -> None:
    manifest = manifest_in(tmp_path, LONG)
    out = tmp_path / "out"
    code = (  # the wait for a worker shortened from a minute to 2 s, and the watch to 0.2 s
        "import stretchcue.pipeline.cluster as c\nc.WORKERS_SECONDS, c.WATCH_SECONDS = 2, 0.2\n"
        "from stretchcue.cli import main\n"
        f"raise SystemExit(main(['batch', {str(manifest)!r}, '--voice', 'beep', '--out', {str(out)!r}, "
        f"'--scheduler', {cluster.address!r}]))\n"
    )
    status, _, stderr = run_until(
        [sys.executable, "-c", code],
        lambda: cluster.making("w0") or cluster.making("w1"),
        lambda: [cluster.kill(worker) for worker in cluster.workers],
        cluster.restart_workers,
    )
    assert status == 2, stderr
    assert stderr == f"error: --scheduler: no worker at {cluster.address} for 2 s\n"
    for track in out.glob("*.mp3"):  # what it built before they left, whole and as a local build makes it
        assert read_tags(track).stamp, track
    assert not list(out.glob("*.stretchcue-part"))


@pytest.mark.slow
def test_a_scheduler_lost_mid_batch_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "cluster").mkdir()
    own = Cluster(tmp_path / "cluster")  # (of its own: this one is killed)
    manifest = manifest_in(tmp_path, LONG)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "stretchcue.cli", "batch", manifest, "--voice", "beep", "--out", out]
    status, _, stderr = run_until(
        [*command, "--scheduler", own.address],
        lambda: own.making("w0") or own.making("w1"),
        lambda: own.kill(own.scheduler),
        own.close,
    )
    assert status == 2, stderr
    assert stderr == f"error: --scheduler: lost {own.address} while building\n", stderr
    assert not list(out.glob("*.stretchcue-part"))


def test_a_track_from_a_worker_is_checked_before_it_is_written(tmp_path: Path) -> None:
    """The client writes what a worker sends back only if it is a track of ours, whole, made from
    the job's inputs; and then as a local build writes it."""
    from stretchcue.authoring.compiler import Options
    from stretchcue.authoring.routine import load
    from stretchcue.errors import StretchcueError
    from stretchcue.pipeline.build import Job
    from stretchcue.pipeline.cluster import _put, make_on_worker
    from stretchcue.pipeline.tracks import single
    from stretchcue.sound.profiles import VoiceProfile

    manifest_in(tmp_path, "")
    [spec] = single(load(tmp_path / "tiny.yaml"), Options(), VoiceProfile.load("beep"))
    job = Job(0, spec, None, tmp_path / "out" / "Tiny.mp3", spec.stamp(None))
    made, mp3 = make_on_worker(spec, None, job.stamp)
    other = Job(0, spec, None, job.path, "1" * 64)
    for sent, asked in ((b"ID3 not a track", job), (mp3[: len(mp3) // 2], job), (mp3, other)):
        with pytest.raises(StretchcueError, match="a worker sent back something other than the track asked for"):
            _put(asked, made, sent)
        assert not job.path.parent.exists() or not list(job.path.parent.iterdir())
    track = _put(job, made, mp3)
    assert job.path.read_bytes() == mp3 and read_tags(job.path).stamp == job.stamp
    assert track.seconds == made.seconds and job.path.with_suffix(".vtt").read_text(encoding="utf-8") == made.vtt


@pytest.mark.slow
def test_plain_commands_never_import_distributed(tmp_path: Path) -> None:
    manifest = manifest_in(tmp_path, "title: One\ntracks:\n  - {routine: tiny.yaml}\n")
    code = (
        "import sys\nfrom stretchcue.cli import main\n"
        f"assert main(['batch', {str(manifest)!r}, '--voice', 'beep', '--out', {str(tmp_path / 'out')!r}]) == 0\n"
        "assert 'distributed' not in sys.modules and 'dask' not in sys.modules, 'imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_without_the_extra_scheduler_is_one_line(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    manifest = manifest_in(tmp_path, MANIFEST)
    run = cli("batch", manifest, "--voice", "beep", "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:1")
    assert run.code == 2 and run.out == ""
    assert run.err == "error: --scheduler needs Dask's distributed scheduler: pip install 'stretchcue[cluster]'\n"
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_one_line(cli, tmp_path: Path) -> None:
    import dask
    import distributed  # noqa: F401  (its settings are in dask's before the one set here, so they stay)

    manifest = manifest_in(tmp_path, MANIFEST)
    address = f"tcp://127.0.0.1:{free_port()}"  # nobody listens there
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        run = cli("batch", manifest, "--voice", "beep", "--out", tmp_path / "out", "--scheduler", address)
    assert run.code == 2 and run.err.startswith(f"error: --scheduler: cannot reach {address}: ")
    assert run.err.count("\n") == 1, run.err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_server_that_is_not_a_scheduler_is_one_line(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts and never answers (a dashboard's port, say) would keep Dask's client
    waiting without end: the batch gives up within the connect timeout (1 s here, plus 2)."""
    import threading

    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "1s")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        accepted: list[socket.socket] = []
        threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True).start()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        manifest = manifest_in(tmp_path, MANIFEST)
        started = time.monotonic()
        run = run_cli("batch", manifest, "--voice", "beep", "--out", tmp_path / "out", "--scheduler", address)
        for connection in accepted:
            connection.close()
    assert run.returncode == 2 and time.monotonic() - started < WAIT, run.stderr
    assert run.stderr == f"error: --scheduler: cannot reach {address}: no Dask scheduler answered in 3 s\n"
    assert not (tmp_path / "out").exists()


def test_the_workers_own_the_speech_cache(cli, tmp_path: Path) -> None:
    manifest = manifest_in(tmp_path, MANIFEST)
    run = cli("batch", manifest, "--out", tmp_path / "out", "--cache", tmp_path / "c", "--scheduler", "tcp://x:1")
    assert run.code == 2 and run.err.startswith("error: --cache: with --scheduler the workers speak")
    assert not (tmp_path / "out").exists() and not (tmp_path / "c").exists()


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("nonsense", "missing port number in address 'nonsense'"),
        ("smtp://h:1", "no such protocol as smtp://"),
        ("", "--scheduler: "),
        ("ucx://h:1", "a scheduler is reached over tcp:// or tls://, not ucx://"),
        ("tls://h:1", "tls:// needs Dask's TLS settings"),
    ],
)
def test_a_bad_address_is_one_line(cli, tmp_path: Path, address: str, words: str) -> None:
    manifest = manifest_in(tmp_path, MANIFEST)
    run = cli("batch", manifest, "--voice", "beep", "--out", tmp_path / "out", "--scheduler", address)
    assert run.code == 2 and words in run.err and run.err.count("\n") == 1, run.err
    assert not (tmp_path / "out").exists()


def test_a_worker_unlike_the_client_refuses_the_track(tmp_path: Path) -> None:
    """A worker whose stretchcue or engine gives another stamp would not make the track the client asked for."""
    from stretchcue.authoring.compiler import Options
    from stretchcue.authoring.routine import load
    from stretchcue.errors import StretchcueError
    from stretchcue.pipeline.cluster import make_on_worker
    from stretchcue.pipeline.tracks import single
    from stretchcue.sound.profiles import VoiceProfile

    manifest_in(tmp_path, "")
    [spec] = single(load(tmp_path / "tiny.yaml"), Options(), VoiceProfile.load("beep"))
    with pytest.raises(StretchcueError, match="has another stretchcue or voice engine"):
        make_on_worker(spec, None, "0" * 64)
