"""The facts an article states about an exercise, in the many ways articles state them: how long
to hold, how many times, which sides, the position, where to feel it. Each fact keeps the words it
was read from, so a person can check it against the article.

Number words become digits first (text2num's alpha2digit: "thirty" -> 30); the patterns below
then read digits, units spelled out or cut short, ranges, and the common phrases ("twice", "half
a minute", "x 5", "per leg", "alternating").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Fact(Generic[T]):
    value: T
    words: str  # the article's words it was read from
    note: str = ""  # what else they say ("5-10 s, working up to 30: the start is used")


# -- numbers -------------------------------------------------------------------------------------

_WORDS = {"once": "1 time", "twice": "2 times", "thrice": "3 times"}
_SPECIAL = [  # phrases alpha2digit leaves as words
    (r"\b(?:a|one) minute and a half\b", "90 seconds"),
    (r"\b(?:one and a half|1\.5|1 \u00bd|1 1/2) minutes?\b", "90 seconds"),
    (r"\bhalf (?:a|of a|one) minute\b|\b(?:\u00bd|1/2|0\.5) (?:a )?minutes?\b", "30 seconds"),
    (r"\b(?:a|one) full minute\b|\b(?:a|one) minute\b", "60 seconds"),
    (r"\b(?:a|one) couple of\b", "2"),
    (r"\bone\b(?=[\s-]+(?:seconds?|secs?|minutes?|mins?|times?|reps?|repetitions?)\b)", "1"),
]


def digits(text: str) -> str:
    """`text` with its number words as digits; everything else as it was."""
    from text_to_num import alpha2digit

    text = text.replace("\u00bd", " \u00bd").replace("\u2013", "-").replace("\u2014", "-")
    for pattern, replacement in _SPECIAL:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    text = alpha2digit(text, "en")
    for word, replacement in _WORDS.items():
        text = re.sub(rf"\b{word}\b(?!\s+(?:you|the|your|it|this|that|a|an)\b)", replacement, text, flags=re.I)
    return text


NUMBER = r"\d+(?:\.\d+)?"
SECONDS = r"(?:seconds?|secs?|s\b|\")"
MINUTES = r"(?:minutes?|mins?\b)"
RANGE = rf"(?P<a>{NUMBER})(?:\s*(?:-|to|or)\s*(?P<b>{NUMBER}))?"
DURATION = re.compile(
    rf"(?:between\s+)?{RANGE}(?:\s*(?:and)\s*(?P<c>{NUMBER}))?[\s-]*(?P<unit>{SECONDS}|{MINUTES})", re.IGNORECASE
)
HOLDING = re.compile(
    r"\b(?:hold|holds|holding|held|stay|remain|maintain|keep (?:it|this|that|the (?:stretch|pose|position))|"
    r"sustain|pause)\b|\b(?:stretch|pose)\s+for\b|[\s-](?:second|sec|minute)s?[\s-]+(?:hold|stretch)|"
    r"\d\s*[x\u00d7]\s*\d+(?:\.\d+)?\s*(?:s\b|sec|second|min)",  # "3 x 30 s"
    re.IGNORECASE,
)
NOT_A_HOLD = re.compile(
    r"\b(?:a day|per day|daily|a week|per week|weekly|each day|every day|in total|total|routine|workout|"
    r"session|program|breaks?|rest(?:ing)?|between|whole|entire|all of them|the series|walk|video)\b",
    re.IGNORECASE,
)
UP_TO = re.compile(
    rf"\b(?:up to|working up to|build(?:ing)? up to|increas\w* [\w ]{{0,40}}?to|gradually to)\s+(?P<n>{NUMBER})", re.I
)


NEGATED = re.compile(  # "Never hold this for 60 seconds", "avoid holding for 2 minutes", "hold your breath"
    r"\b(?:never|not|don't|do not|avoid)\s+(?:\w+\s+){0,2}?(?:hold|stay|keep|remain)\w*|\bhold(?:ing)? your breath\b",
    re.I,
)


def hold(sentence: str) -> Fact[float] | None:
    """How long a sentence says to hold, in seconds; ranges take their start (the rest is a note).
    A sentence that says what not to do ("never hold it for 60 seconds") says no hold."""
    text = digits(sentence)
    if not HOLDING.search(text) or NEGATED.search(text):
        return None
    for match in DURATION.finditer(text):
        after = text[match.end() : match.end() + 30]
        before = text[max(0, match.start() - 25) : match.start()]
        if NOT_A_HOLD.search(after) or re.search(r"\b(?:every|each|rest|breaks?|wait)\b\s*(?:for\s*)?$", before):
            continue
        scale = 60.0 if match["unit"].lower().startswith("m") else 1.0
        start = float(match["a"]) * scale
        upper = match["b"] or match["c"]
        more = UP_TO.search(text, match.end())
        note = ""
        if upper or more:
            top = f"{match['a']}-{upper} {_unit(scale)}" if upper else f"{match['a']} {_unit(scale)}"
            grow = f", working up to {more['n']}" if more else ""
            note = f"{top}{grow}: the start is used"
        if 0 < start <= 600:
            return Fact(start, sentence.strip(), note)
    return None


def growth(sentence: str) -> str:
    """ "working up to 30" when a sentence says the hold grows to a length."""
    match = UP_TO.search(digits(sentence))
    return f"working up to {match['n']}" if match else ""


def _unit(scale: float) -> str:
    return "min" if scale == 60 else "s"


REPS = [
    re.compile(rf"\b(?:reps?|repetitions?|times|sets? of)\s*[:=]\s*(?P<n>{NUMBER})\b", re.I),
    re.compile(r"(?<![\w.])(?P<n>\d+)\s*(?:x|\u00d7)(?=\s*\d)", re.I),  # "3 x 30 s": 3 times
    re.compile(r"(?:^|\s)(?:x|\u00d7)\s*(?P<n>\d+)\b", re.I),  # "x 5"
    re.compile(r"\b(?P<sets>\d+)\s+sets?\s+of\s+(?P<n>\d+)\b", re.I),
    re.compile(r"\b(?P<n>\d+)\s*(?:more\s+)?(?:times|reps?\b|repetitions?|rounds?)\b", re.I),
    re.compile(r"\b(?:do|perform|repeat)\b[^.]{0,60}?\b(?P<n>1) time\b", re.I),  # "once", as digits
]
NOT_REPS = re.compile(r"^\s*(?:a|per|each|every)\s+(?:day|week|month)|^\s*(?:daily|weekly)", re.I)


def reps(sentence: str) -> Fact[int] | None:
    """How many times a sentence says to do it."""
    text = digits(sentence)
    for pattern in REPS:
        for match in pattern.finditer(text):
            if NOT_REPS.search(text[match.end() : match.end() + 20]):
                continue
            count = int(float(match["n"]))
            note = f"{match['sets']} sets of {count}: sets are not kept" if "sets" in match.groupdict() else ""
            if 1 <= count <= 20:
                return Fact(count, sentence.strip(), note)
    return None


LIMBS = r"(?:sides?|legs?|arms?|hands?|feet|foot|knees?|hips?|shoulders?|wrists?|ankles?|directions?|ways?)"
ALTERNATE = re.compile(
    rf"\balternat\w*\b|\bswitch(?:ing)? {LIMBS} (?:after|with|on) (?:each|every)\b|"
    rf"\b(?:right|left)(?:,| and) (?:then )?(?:left|right)(?:,| and) (?:then )?(?:right|left)\b",
    re.I,
)
EACH = re.compile(
    rf"\b(?:each|per|either|the other|other|opposite|the opposite)\s+{LIMBS}\b|\b(?:on|to) both sides\b|"
    rf"\bswitch(?:ing)? (?:{LIMBS}|to the other)\b|\brepeat (?:it |this |the stretch )?(?:on|with|to|for) the "
    rf"(?:other|opposite)\b|\bon the (?:left|right) and (?:the )?(?:left|right)\b|"
    rf"\b(?:left|right) (?:side|leg|arm)?,? then (?:the )?(?:left|right)\b",
    re.I,
)


def sides(sentence: str) -> Fact[str] | None:
    """ "each" (all reps one side, then the other) or "alternate", if the sentence says."""
    for value, pattern in (("alternate", ALTERNATE), ("each", EACH)):
        if pattern.search(sentence):
            return Fact(value, sentence.strip())
    return None


POSITIONS = [  # the first one an exercise's text names is where it is done
    ("face-down", r"\b(?:on|onto) (?:your|the) (?:stomach|belly|front|tummy)\b|\bface[- ]down\b|\bprone\b"),
    (
        "lying",
        r"\b(?:lie|lying|lay) (?:down |flat )?(?:on|onto) (?:your|the) back\b|\bon your back\b|\bsupine\b|"
        r"\b(?:lie|lying) (?:down|flat)\b|\broll onto your back\b|\b(?:lie|lying) on (?:the|a) (?:floor|mat|bed)\b",
    ),
    ("kneeling", r"\bhands and knees\b|\ball fours\b|\bkneel\w*\b|\btable ?top\b|\bquadruped\b"),
    ("seated", r"\b(?:sit|sitting|seated|sits)\b|\bin (?:a|your) chair\b|\bon (?:a|the) chair\b"),
    ("standing", r"\b(?:stand|standing|stands)\b"),
]


def position(text: str) -> Fact[str] | None:
    found = [(m.start(), name, m) for name, pattern in POSITIONS if (m := re.search(pattern, text, re.I))]
    if not found:
        return None
    _, name, match = min(found, key=lambda f: f[0])
    return Fact(name, _sentence_around(text, match.start()))


SENSATION = (
    r"stretch(?:ing)?|pull(?:ing)?|tension|lengthening|release|opening|movement|tingling|pressure|"
    r"sensation|work|burn|stretch sensation|this|it"
)
FEEL = re.compile(
    r"\b(?:feel|feeling|felt)\b(?:\s+(?:this|it|the|a|an|that)\b)?(?:\s+(?:gentle|mild|slight|good|deep|strong|"
    rf"nice|light|comfortable|big|real))*(?:\s+(?:{SENSATION})(?:\s+(?:or|and)\s+(?:{SENSATION}))?)?\s+"
    r"(?P<where>(?:\w+ly\s+)?(?:in|along|across|down|up|through|at|on|behind|from|deep|around|between|over|into|"
    r"under|throughout|all)\b[^.!?]*)",
    re.I,
)
LOOSENING = re.compile(  # "You'll feel your lower back and hips loosening."
    r"\bfeel (?P<where>(?:your|the) [^.!?]{1,80}?) (?:loosen|open|releas|relax|stretch|lengthen|soften|warm)\w*", re.I
)
RUNS = re.compile(  # "The stretch runs down your side and wraps around your ribs."
    r"^(?:the|this|that) (?:stretch|pull|sensation) (?:runs|goes|travels|spreads|moves|is felt|should be felt|"
    r"sits)\s+(?P<where>[^.!?]+)",
    re.I,
)


def feel(sentence: str) -> Fact[str] | None:
    """Where a sentence says the stretch is felt: "along the back of your thigh"."""
    match = FEEL.search(sentence) or RUNS.search(sentence.strip())
    where = match["where"] if match else ""
    if not match and (loosening := LOOSENING.search(sentence)):
        where = f"in {loosening['where']}"
    where = re.sub(r"\s+", " ", where).strip(" ,;:")
    where = re.sub(r",?\s+(?:as you|when you|if you|while you)\b.*$", "", where)
    return Fact(where, sentence.strip()) if 2 <= len(where.split()) <= 25 else None


def _sentence_around(text: str, at: int) -> str:
    start = max(text.rfind(". ", 0, at), text.rfind("\n", 0, at)) + 1
    end = min((i for i in (text.find(". ", at), text.find("\n", at)) if i >= 0), default=len(text))
    return text[start : end + 1].strip()


def quote(words: str, limit: int = 110) -> str:
    """The article's words, short enough for a comment."""
    words = " ".join(words.split())
    return words if len(words) <= limit else words[: limit - 1].rsplit(" ", 1)[0] + "…"
