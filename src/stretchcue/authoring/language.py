"""The languages a routine is said in. In a module of their own, without the routine's reader
(and YAML), for the voice profiles: `stretchcue voices` reads no routine."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """What the listener hears and reads (each has its phrasebook); the command line stays English."""

    EN = "en"
    DE = "de"
    ES = "es"
    FR = "fr"


LANGUAGES = tuple(language.value for language in Language)
LANGUAGE_NAMES = {"en": "English", "de": "German", "es": "Spanish", "fr": "French"}  # (in messages, in English)
