"""Speaking: a `Voice` speaks texts with one profile, each distinct text once, through the speech cache."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from stretchcue.sound.cache import ClipCache
from stretchcue.sound.engines import ENGINES, Engine
from stretchcue.sound.profiles import VoiceProfile

log = logging.getLogger(__name__)

CACHE_VERSION = 4  # bump when finish_clip or the key changes, so old clips are not reused
# Bytes of samples a voice keeps in memory, the least recently used dropped first: 97 minutes of
# speech, far more than any track's (so a batch reads each clip once), yet a worker that makes
# tracks for months does not grow without end.
HELD_BYTES = 256 << 20


class Voice:
    """Speaks texts with one profile, each distinct text once, through the speech cache."""

    def __init__(self, profile: VoiceProfile, cache: ClipCache) -> None:
        self.profile = profile
        self.cache = cache
        self._identity: str | None = None
        self._engine: Engine | None = None
        self._clips: OrderedDict[str, bytes] = OrderedDict()  # text -> samples (the cache's format), oldest use first
        self._held = 0  # bytes in _clips
        self._asked: dict[str, Future[bytes]] = {}  # texts being read or spoken, by the thread that asked first
        self._lock = threading.Lock()  # over _clips, _held and _asked
        self._engine_lock = threading.Lock()
        self._at_once = threading.Semaphore(ENGINES[profile.engine].at_once)  # texts the engine may speak at once

    def key(self, text: str) -> str:
        """Everything that changes the sound: the engine, what it runs on (identity), its settings, the text."""
        if self._identity is None:
            self._identity = self.profile.identity()
            log.debug("voice %s: engine %s, identity %r", self.profile.name, self.profile.engine, self._identity)
        identity = [CACHE_VERSION, self.profile.engine, self._identity, self.profile.settings, text]
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def samples(self, text: str) -> bytes:
        """The finished clip for `text` (16-bit mono samples at SAMPLE_RATE): from memory, else the
        cache, else the engine. Many threads may ask (tracks built side by side, `ahead`): each
        text is spoken once, by the first to ask; the others wait for it."""
        with self._lock:
            if text in self._clips:
                self._clips.move_to_end(text)
                return self._clips[text]
            if text in self._asked:
                waiting = self._asked[text]
            else:
                waiting, mine = None, self._asked.setdefault(text, Future())
        if waiting is not None:
            return waiting.result()
        try:
            clip = self._load_or_speak(text)
        except BaseException as err:
            with self._lock:
                del self._asked[text]
            mine.set_exception(err)
            raise
        with self._lock:
            del self._asked[text]
            self._clips[text] = clip
            self._held += len(clip)
            while self._held > HELD_BYTES and len(self._clips) > 1:
                self._held -= len(self._clips.popitem(last=False)[1])
        mine.set_result(clip)
        return clip

    def length(self, text: str) -> int:
        """The clip's length in samples. (From the cache it takes no audio library: `plan` with a
        warm cache imports neither numpy nor pydub.)"""
        return len(self.samples(text)) // 2

    @contextmanager
    def ahead(self, texts: Iterable[str]) -> Iterator[None]:
        """Within: `texts` are spoken (or read from the cache) in the background, in order, as many
        at once as the engine can (`at_once`), while the caller lays out and encodes the ones
        before. Leaving, what is not begun is dropped."""
        pool = ThreadPoolExecutor(ENGINES[self.profile.engine].at_once, thread_name_prefix="speaking")
        for text in texts:
            pool.submit(self.samples, text)
        try:
            yield
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _load_or_speak(self, text: str) -> bytes:
        path = self.cache.entry(self.profile.engine, self.key(text))
        samples = self.cache.load(path)
        if samples is not None:
            log.debug("cache hit: %r", text)
            return samples
        from stretchcue.sound.audio import finish_clip

        engine = self._engine_now()
        started = time.perf_counter()
        with self._at_once:
            spoken = engine.synthesize(text)
        clip = finish_clip(spoken)
        log.debug("cache miss: %r spoken in %.2f s", text, time.perf_counter() - started)
        stored: bytes = self.cache.store(path, clip).raw_data
        return stored

    def _engine_now(self) -> Engine:
        """The engine, loaded the first time a text is not in the cache."""
        with self._engine_lock:
            if self._engine is None:
                started = time.perf_counter()
                self._engine = self.profile.create_engine(self.cache.scratch())
                log.debug("voice %s: engine loaded in %.2f s", self.profile.name, time.perf_counter() - started)
            return self._engine
