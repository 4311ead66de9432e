"""The starter routine `stretchcue new` writes: every field with a comment saying what it does, its
range and its default (taken from the code that enforces them, so they cannot drift), and two
example exercises to edit."""

from __future__ import annotations

import json

from stretchcue.authoring.compiler import HALFWAY_FROM
from stretchcue.authoring.routine import Defaults, parse
from stretchcue.authoring.yamlcheck import MAX_TEXT, MAX_TITLE, unfit_text
from stretchcue.errors import InputError, StretchcueError
from stretchcue.limits import (
    MAX_BREATH,
    MAX_COUNTDOWN,
    MAX_EXERCISES,
    MAX_HOLD,
    MAX_MUSIC_LEVEL,
    MAX_REPS,
    MAX_REST,
    MIN_BREATH,
    MIN_MUSIC_LEVEL,
    MUSIC_LEVEL,
)

D = Defaults()
TEMPLATE = f"""\
# yaml-language-server: $schema={{schema}}
# A stretchcue routine. Check it with `stretchcue validate {{name}}`, see its timeline with
# `stretchcue plan {{name}}`, and make the MP3 with `stretchcue build {{name}}`.
# Lines marked optional may be deleted.
title: {{title}}  # said in the welcome; the track's title (at most {MAX_TITLE} characters)
description: A short routine to start from  # optional: the track's comment tag (at most {MAX_TEXT:,} characters)
language: en  # optional: en | de | es | fr, what the coach speaks and the cards say; write your own text in it
defaults:  # optional, as is each setting in it: they apply to every exercise (here at their built-in values)
  hold: {D.hold:g}  # seconds each stretch is held: more than 0, at most {MAX_HOLD:g}
  reps: {D.reps}  # per exercise and side, 1-{MAX_REPS}: the first rep gentle, later ones deeper
  rest: {D.rest:g}  # seconds of quiet between reps, after "relax", 0-{MAX_REST:g}
  countdown: {D.countdown}  # the last N seconds of each hold are counted aloud, 0-{MAX_COUNTDOWN} (routine-wide)
  sides: {D.sides}  # none (both sides at once) | each (all reps on one side, then the other) | alternate (rep by rep)
  chimes: {json.dumps(D.chimes)}  # true: a soft chime as each hold starts, another as it ends (routine-wide)
  halfway: {json.dumps(D.halfway)}  # holds of {HALFWAY_FROM:g} s or more get a spoken "halfway" at their exact middle
  breathing: false  # false: none; {{{{in: 4, out: 6}}}}: tones pacing the breath in holds, seconds each way
  #                   ({MIN_BREATH:g}-{MAX_BREATH:g}), a rising tone to breathe in, a falling one to breathe out
  guidance: {D.guidance}  # how much is said: full | brief (name, reminder, calls) | minimal (calls) | timer (tones)
# music: calm.mp3  # optional: music under the voice (a file beside this one, at least 10 s long),
#                  # or {{{{file: calm.mp3, level: {MUSIC_LEVEL:g}}}}} with its level in dB against the voice
#                  # ({MIN_MUSIC_LEVEL:g} to {MAX_MUSIC_LEVEL:g}; default {MUSIC_LEVEL:g})
exercises:  # 1-{MAX_EXERCISES}, in the order they are done
  - name: Calf stretch  # said as the exercise starts (at most {MAX_TITLE} characters)
    position: standing  # optional: lying | face-down | kneeling | seated | standing; a change gives time to move
    sides: each  # optional here, as are hold, reps, rest, halfway, breathing and guidance: they override defaults
    hold: 20  # this exercise's own hold, instead of the defaults' {D.hold:g} s
    instructions: >  # said before the first rep (at most {MAX_TEXT:,} characters; lines are joined)
      Stand an arm's length from a wall with both hands on it. Step one foot back,
      press that heel into the floor, keep the back knee straight, and lean your hips
      toward the wall.
    reminder: Back heel down, lean in.  # optional: said before later reps and the second side instead
    feel: in the calf of the back leg  # optional: said as "You should feel it ..."
    tips: [Keep both feet pointing at the wall.]  # optional: a sentence, or a list of them, said after the instructions
    about: Works the calf muscles of the lower leg.  # optional: on the exercise's card only, never spoken

  - name: Seated twist
    position: seated
    sides: alternate  # right, left, right, left, ... rep by rep
    reminder: Sit tall and turn.
    instructions: >
      Sit tall near the front of a chair with both feet flat on the floor.
      This one is done two ways.
    variations:  # optional: ways of doing it, one after the other, each with all its reps
      - name: hands on your knees  # said before its instructions (at most {MAX_TITLE} characters)
        instructions: Turn your chest slowly to one side, keeping your hands on your knees.
        feel: gently through your middle back  # optional: where this way is felt
      - name: hand on the chair back
        instructions: >
          Turn to one side, reach the hand on that side to the back of the chair, and use it
          to turn a little further.
"""


def starter(title: str, schema_uri: str, name: str) -> str:
    """The starter routine for `title`, checked as any routine is (TITLE names the argument)."""
    if problem := unfit_text(title):
        raise StretchcueError(f"TITLE: {problem}")
    text = TEMPLATE.format(title=json.dumps(title, ensure_ascii=False), schema=schema_uri, name=name)
    try:
        parse(text.encode("utf-8"), "TITLE")
    except InputError as err:  # (everything else in it is fixed, and tested)
        raise StretchcueError(f"TITLE: {err.message}") from None
    return text


def file_name(title: str) -> str:
    """The title as a file name: lower case ASCII with hyphens (`Morning stretch` -> morning-stretch.yaml)."""
    from slugify import slugify

    return f"{slugify(title, max_length=80, word_boundary=True) or 'routine'}.yaml"
