"""The phrasebook: every sentence the coach speaks, in English, in one place.

The compiler decides what is said when; this module decides how it is worded. Another language
would be another module with the same names. Repeated cues have several wordings (HOLD, RELEASE,
REST, DEEPER, GENTLE, LAST_REP), taken in turn so twenty holds do not sound the same; each thing
is said once (an exercise's name is not said twice in a row).
"""

from __future__ import annotations

SIDES = ("right", "left")

HOLD = ("Hold.", "And hold it there.", "Stay here.", "Hold, and breathe.")
RELEASE = ("And release.", "Release.", "Let it go.", "Slowly ease out.")
REST = ("Relax.", "Rest for a moment.", "Breathe out, and relax.", "Take a breath.")
DEEPER = (
    "A little deeper this time.",
    "Ease a bit further, still without pain.",
    "Go a little further if it feels fine.",
)
GENTLE = ("Gently now, ease into the stretch.", "Ease in gently.")
LAST_REP = (  # the exercise's last hold
    "Last one. Go a little deeper, to a moderate stretch.",
    "The final one. A little further, still without pain.",
    "One more, the last. Ease in a touch deeper.",
)
LAST_ON_SIDE = (  # the last on this side; the other side follows
    "Last one on this side. A little deeper, to a moderate stretch.",
    "The final one for this side. Ease a little further.",
)
SAFETY_LINE = "Stretch only to a gentle tension, never to pain."  # also printed on the routine's card
SAFETY = SAFETY_LINE + " If you catch yourself waiting for a hold to end, you are pushing too hard: ease off a little."
HALFWAY = ("Halfway.", "Halfway there.", "Half done. Keep breathing.")
CHIMES = "A soft chime marks the start of each hold, and another its end."
BREATHING = "During the holds, follow the tones with your breath: in as the tone rises, out as it falls."
START_RIGHT = "Start with your right side."
START_ALTERNATING = "Start to the right, then switch sides each time."
SWITCH_TO_LEFT = "Switch sides. Now the left side."
SWITCH_SHORT = "Switch sides."
GUIDANCE = {"full": "full guidance", "brief": "brief guidance", "minimal": "minimal guidance", "timer": "timer"}
OUTRO_SHORT = "That's the routine. Well done."
# Chapter titles (shown by players, not spoken).
CHAPTER_INTRO = "Introduction"
CHAPTER_END = "Finish"
ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth")

_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number(n: int) -> str:
    """0..999 in words, so every engine reads numbers the same way; larger numbers stay digits."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return f"{_ONES[n // 100]} hundred" + ("" if rest == 0 else " and " + number(rest))
    return str(n)


def seconds(value: float) -> str:
    if value == int(value):
        whole = int(value)
        return f"{number(whole)} second" + ("" if whole == 1 else "s")
    return f"{value:g} seconds"


def welcome(title: str) -> str:
    return f"Welcome to {title}."


def length(minutes: int) -> str:
    return f"This session takes about {number(minutes)} minute{'s' if minutes != 1 else ''}."


def how_often(reps: int | None) -> str:
    """`reps`: the same for every exercise, or None when they differ."""
    times = "twice" if reps == 2 else f"{number(reps)} times" if reps and reps > 2 else "a few times"
    return f"Each stretch is done {times}: gently the first time, then a little deeper."


def next_up(name: str, moving: bool = False) -> str:
    """`moving`: the next exercise is done in another position (its instructions say which)."""
    return f"Well done. Next up: {name}." + (" Take your time to change position." if moving else "")


def chapter(name: str, way: str = "", side: str | None = None) -> str:
    """A chapter's title: the exercise, the way it is done (when there are several), the side."""
    title = f"{name}: {way}" if way else name
    return f"{title} ({side} side)" if side else title


def again(name: str) -> str:
    """A later rep's reminder, for an exercise that has none of its own."""
    return f"{name}, again."


def outro(build_up_to: float | None) -> str:
    """`build_up_to`: the hold to work up to, when the track's holds are shorter."""
    text = "That is the end of the routine. Well done. Take a moment before you get up."
    if build_up_to is not None:
        text += f" As it gets easier, build up your holds, bit by bit, to about {seconds(build_up_to)}."
    return text + " Come back to it every other day or more: it gets easier each time."


def announce(name: str, number_in_routine: int, total: int, named: bool = False) -> str:
    """`named`: its name was just said ("next up"), so only its place in the routine is."""
    if total == 1:
        return f"{name}."
    place = f"Stretch {number(number_in_routine)} of {number(total)}"
    return f"{place}." if named else f"{place}: {name}."


def way(index: int, name: str, instructions: str) -> str:
    """One of several ways of doing an exercise (index from 0)."""
    return f"{ORDINALS[index] if index < len(ORDINALS) else 'Next'} way: {name}. {instructions}"


def feel(where: str) -> str:
    return f"You should feel it {where}."


def to_side(side: str) -> str:
    return f"Now to the {side}."


def count(k: int) -> str:
    return f"{number(k).capitalize()}."


# -- the cards (printed, not spoken) --------------------------------------------------------------

WHERE = {
    "lying": "on your back",
    "face-down": "on your stomach",
    "kneeling": "kneeling",
    "seated": "seated",
    "standing": "standing",
}
SIDES_ON_CARD = {"each": "each side", "alternate": "sides in turn", "none": ""}


TIMES = "\u00d7"  # the multiplication sign, as printed: 3 x 10 s


def dose(reps: int, hold: float, sides: str) -> str:
    """Reps times hold, and the sides: "3 x 10 s, each side" (with the multiplication sign)."""
    text = f"{reps} {TIMES} {hold:g} s"
    return f"{text}, {SIDES_ON_CARD[sides]}" if SIDES_ON_CARD[sides] else text


def stretches(count: int, hold: float | None) -> str:
    """`hold`: the one hold of every exercise, if they share it."""
    text = f"{count} stretch{'es' if count != 1 else ''}"
    return f"{text} · {hold:g} s holds" if hold is not None else text


def and_more(count: int) -> str:
    """On a card too small to list every exercise: how many more there are."""
    return f"… and {count} more"


def card_heading(number_in_routine: int, total: int) -> str:
    return f"Stretch {number_in_routine} of {total}"


def feel_it(where: str) -> str:
    return f"Feel it {where}."


def title_only(name: str) -> str:
    """A name said on its own, as a sentence: "Glute stretch." """
    return name if name.endswith((".", "!", "?")) else f"{name}."


def first_sentence(text: str) -> str:
    """The first sentence of an exercise's instructions: brief guidance's reminder when it has none."""
    end = next(
        (i + 1 for i, c in enumerate(text) if c in ".!?" and (i + 1 == len(text) or text[i + 1] == " ")), len(text)
    )
    return title_only(text[:end].strip())
