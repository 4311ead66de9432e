"""Speaking: a `Voice` speaks texts with one profile, each distinct text once, through the speech cache."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from contextlib import contextmanager

from stretchcue.sound.cache import ClipCache
from stretchcue.sound.engines import ENGINES, Engine
from stretchcue.sound.profiles import VoiceProfile

log = logging.getLogger(__name__)

CACHE_VERSION = 4  # bump when finish_clip or the key changes, so old clips are not reused
# Bytes of samples a voice keeps in memory, the least recently used dropped first: 101 minutes of
# speech, far more than any track's, yet a worker that makes tracks for months does not grow
# without end (a clip dropped is read back from the cache when it is asked for again).
HELD_BYTES = 256 << 20


class Voice:
    """Speaks texts with one profile, each distinct text once, through the speech cache.

    Texts are read or spoken on the engine's own threads (`speakers`), as many at once as the
    engine can speak, whoever asks; the askers wait. So a track's sentences can be spoken ahead
    (`prefetch`) while its start is encoded, tracks built side by side share the work, and an
    engine that must stay on the thread that made it (pyttsx3's) does.
    """

    def __init__(self, profile: VoiceProfile, cache: ClipCache) -> None:
        self.profile = profile
        self.cache = cache
        self._identity: str | None = None
        self._engine: Engine | BaseException | None = None  # (an engine that failed to load: why)
        self._engine_lock = threading.Lock()
        self._clips: OrderedDict[str, bytes] = OrderedDict()  # text -> samples (the cache's format), oldest use first
        self._held = 0  # bytes in _clips
        self._asked: dict[str, Future[bytes]] = {}  # texts being read or spoken now, or waiting their turn
        self._lock = threading.Lock()  # over _clips, _held and _asked

    def key(self, text: str) -> str:
        """Everything that changes the sound: the engine, what it runs on (identity), its settings, the text."""
        if self._identity is None:
            self._identity = self.profile.identity()
            log.debug("voice %s: engine %s, identity %r", self.profile.name, self.profile.engine, self._identity)
        identity = [CACHE_VERSION, self.profile.engine, self._identity, self.profile.settings, text]
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def samples(self, text: str) -> bytes:
        """The finished clip for `text` (16-bit mono samples at SAMPLE_RATE): from memory, else the
        cache, else the engine; each text is spoken once, however many threads ask for it."""
        while True:
            with self._lock:
                if text in self._clips:
                    self._clips.move_to_end(text)
                    return self._clips[text]
                future = self._ask(text)
            try:
                return future.result()
            except CancelledError:  # withdrawn by a `prefetch` that was left before its turn: ask again
                continue

    def length(self, text: str) -> int:
        """The clip's length in samples. (From the cache it takes no audio library: `plan` with a
        warm cache imports neither numpy nor pydub.)"""
        return len(self.samples(text)) // 2

    @contextmanager
    def prefetch(self, texts: Iterable[str]) -> Iterator[None]:
        """Within: `texts` are read or spoken ahead, in order, while the caller lays out and encodes
        the ones before. Leaving (done, or stopped), those whose turn has not come are withdrawn;
        a sentence being spoken is finished (Ctrl-C waits for at most one per speaker)."""
        with self._lock:
            asked = [(text, self._ask(text)) for text in texts if text not in self._clips]
        try:
            yield
        finally:
            with self._lock:
                for text, future in asked:
                    if future.cancel() and self._asked.get(text) is future:
                        del self._asked[text]

    def _ask(self, text: str) -> Future[bytes]:
        """`text` as asked for already, else asked for now: read or spoken on a speaker thread, in
        its turn (the caller holds `_lock`)."""
        if text not in self._asked:
            self._asked[text] = speakers(self.profile.engine).submit(self._resolve, text)
        return self._asked[text]

    def _resolve(self, text: str) -> bytes:
        try:
            clip = self._load_or_speak(text)
        except BaseException:
            with self._lock:
                del self._asked[text]  # (a later ask tries again)
            raise
        with self._lock:  # kept before the askers are told: whoever asks next finds it here
            del self._asked[text]
            self._clips[text] = clip
            self._held += len(clip)
            while self._held > HELD_BYTES and len(self._clips) > 1:
                self._held -= len(self._clips.popitem(last=False)[1])
        return clip

    def _load_or_speak(self, text: str) -> bytes:
        path = self.cache.entry(self.profile.engine, self.key(text))
        samples = self.cache.load(path)
        if samples is not None:
            log.debug("cache hit: %r", text)
            return samples
        from stretchcue.sound.audio import finish_clip

        engine = self._engine_now()
        started = time.perf_counter()
        clip = finish_clip(engine.synthesize(text))
        log.debug("cache miss: %r spoken in %.2f s", text, time.perf_counter() - started)
        stored: bytes = self.cache.store(path, clip).raw_data
        return stored

    def _engine_now(self) -> Engine:
        """The engine, loaded the first time a text is not in the cache (once: if it fails, every
        later text fails with the same error, without loading it again)."""
        with self._engine_lock:
            if self._engine is None:
                started = time.perf_counter()
                try:
                    self._engine = self.profile.create_engine(self.cache.scratch())
                except Exception as err:
                    self._engine = err
                    raise
                log.debug("voice %s: engine loaded in %.2f s", self.profile.name, time.perf_counter() - started)
            if isinstance(self._engine, BaseException):
                raise self._engine
            return self._engine


_speakers: dict[tuple[str, int], ThreadPoolExecutor] = {}
_speakers_lock = threading.Lock()


def speakers(engine: str) -> ThreadPoolExecutor:
    """The threads that speak with `engine`, for every voice of it in this process: as many as it
    can speak texts at once (`at_once`), kept for the process's life."""
    at_once = ENGINES[engine].at_once
    with _speakers_lock:
        if (engine, at_once) not in _speakers:
            _speakers[engine, at_once] = ThreadPoolExecutor(at_once, thread_name_prefix=f"speaking-{engine}")
        return _speakers[engine, at_once]
