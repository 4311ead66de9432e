"""Text set for the cards and pictures, in every script a routine may use: the bundled Source
Sans Pro first, then Noto (from the manimgx-fonts packages, SIL OFL) for what it lacks, chosen
character by character: Arabic, Hebrew, Indic scripts, Thai, Chinese, Japanese, Korean, symbols
and emoji (drawn in one colour, as the card's text is).

Pillow's own shaping (raqm) needs system libraries a fresh machine may not have, and lays text
out differently where it has them, so text is always set with Pillow's basic layout: Arabic is
joined into its presentation forms by arabic-reshaper, and right-to-left runs put in visual order
by python-bidi. Scripts whose letters must be reordered or fused (Devanagari's conjuncts, say)
are drawn letter by letter, legibly but not as a typesetter would.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import arabic_reshaper
import manimgx_fonts
import manimgx_fonts_cjk
from bidi import get_display
from fontTools.ttLib import TTFont
from PIL import ImageDraw, ImageFont

Color = tuple[int, int, int]

_OWN = resources.files("stretchcue.outputs") / "fonts"
_NOTO = Path(manimgx_fonts.__path__[0])
_CJK = Path(manimgx_fonts_cjk.__path__[0]) / "NotoSansCJK-VF.otf.ttc"
WEIGHTS = {"Regular": 400, "Semibold": 600}

# The fallbacks, in the order they are asked: a file and its face's index in it. Noto Sans first
# (Greek, Cyrillic, Vietnamese beyond Source Sans), the CJK collection's Japanese face (it holds
# every Han character, kana and Hangul), emoji last so that digits and # stay in the text's face.
_FALLBACKS: tuple[tuple[Path, int], ...] = (
    *(
        (_NOTO / f"NotoSans{script}[wght].ttf", 0)
        for script in (
            "",
            "Arabic",
            "Hebrew",
            "Armenian",
            "Georgian",
            "Devanagari",
            "Bengali",
            "Gurmukhi",
            "Gujarati",
            "Oriya",
            "Tamil",
            "Telugu",
            "Kannada",
            "Malayalam",
            "Sinhala",
            "Thai",
            "Lao",
            "Khmer",
            "Myanmar",
            "Ethiopic",
        )
    ),
    (_CJK, 0),
    (_NOTO / "NotoSansSymbols[wght].ttf", 0),
    (_NOTO / "NotoEmoji[wght].ttf", 0),
)


@functools.cache
def _covers(path: Path, index: int) -> frozenset[int]:
    """The code points this face has a glyph for (read once, when a character first needs it)."""
    with TTFont(path, fontNumber=index, lazy=True) as face:
        return frozenset(face.getBestCmap())


@functools.cache
def _own_covers(weight: str) -> frozenset[int]:
    with resources.as_file(_OWN / f"SourceSansPro-{weight}.otf") as path:
        return _covers(path, 0)


@functools.cache
def _source(char: str, weight: str) -> int | None:
    """Which face draws a character: -1 the cards' own (also for a character no face has: its
    empty box says so), else the first fallback that has it; None for a mark that is not drawn."""
    if ord(char) in _own_covers(weight) or char.isspace():
        return -1
    if _unseen(char):
        return None
    return next((n for n, (path, index) in enumerate(_FALLBACKS) if ord(char) in _covers(path, index)), -1)


def _unseen(char: str) -> bool:
    """A mark that only steers its neighbours (joiners, direction marks, variation selectors, skin
    tones): without a shaper to apply it, it is left out rather than drawn as a box."""
    name = unicodedata.name(char, "")
    return unicodedata.category(char) in ("Cf", "Cc") or name.startswith(("VARIATION SELECTOR", "EMOJI MODIFIER"))


@dataclass(frozen=True)
class Face:
    """A weight at a size, with its fallbacks: measures and draws text in any script."""

    weight: str
    size: int

    @functools.cached_property
    def _own(self) -> ImageFont.FreeTypeFont:
        with resources.as_file(_OWN / f"SourceSansPro-{self.weight}.otf") as path:
            return ImageFont.truetype(str(path), self.size, layout_engine=ImageFont.Layout.BASIC)

    @functools.cache  # noqa: B019 - faces are few and live as long as the process
    def _fallback(self, n: int) -> ImageFont.FreeTypeFont:
        path, index = _FALLBACKS[n]
        face = ImageFont.truetype(str(path), self.size, index=index, layout_engine=ImageFont.Layout.BASIC)
        face.set_variation_by_axes([WEIGHTS[self.weight]])
        return face

    def _font_for(self, char: str) -> ImageFont.FreeTypeFont | None:
        """The face that draws this character; None for a mark that is not drawn."""
        source = _source(char, self.weight)
        return None if source is None else self._own if source < 0 else self._fallback(source)

    def runs(self, text: str, rtl: bool | None = None) -> list[tuple[ImageFont.FreeTypeFont, str]]:
        """The line as drawn, left to right: accents composed with their letters, Arabic joined,
        right-to-left runs reversed (in a paragraph that reads right to left if `rtl`, as its
        first strong letter says if None), and cut into runs of one face each."""
        text = unicodedata.normalize("NFC", text)  # an accent typed apart is drawn on its letter
        if rtl or _has_rtl(text):
            direction = None if rtl is None else "R" if rtl else "L"
            text = _mirror_pairs(get_display(arabic_reshaper.reshape(text), base_dir=direction))
        runs: list[tuple[ImageFont.FreeTypeFont, str]] = []
        for char in text:
            face = self._font_for(char)
            if face is None:
                continue
            if runs and runs[-1][0] is face:
                runs[-1] = (face, runs[-1][1] + char)
            else:
                runs.append((face, char))
        return runs

    def getlength(self, text: str) -> float:
        """The line's width: the sum of its letters' advances, which is what the basic layout sets
        (it applies no kerning), each measured once."""
        text = unicodedata.normalize("NFC", text)
        return sum(map(self._advance, arabic_reshaper.reshape(text) if _has_rtl(text) else text))

    @functools.cache  # noqa: B019 - as _fallback
    def _advance(self, char: str) -> float:
        face = self._font_for(char)
        return 0.0 if face is None else face.getlength(char)

    @property
    def ascent(self) -> int:
        return self._own.getmetrics()[0]

    def draw(
        self,
        pen: ImageDraw.ImageDraw,
        xy: tuple[float, float],
        text: str,
        fill: Color,
        anchor: str = "la",
        rtl: bool | None = None,
    ) -> None:
        """Draw a line at `xy`: anchor "la" (its left, at the top of the letters), "ra" (its right,
        at the top) or "rs" (its right, on the baseline); `rtl` as in `runs`."""
        x, y = xy
        runs = self.runs(text, rtl)
        if anchor[0] == "r":
            x -= sum(face.getlength(part) for face, part in runs)
        baseline = y if anchor[1] == "s" else y + self.ascent
        for face, part in runs:  # each run on the one baseline, whatever its face's metrics
            pen.text((x, baseline), part, font=face, fill=fill, anchor="ls")
            x += face.getlength(part)


_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">", "«": "»", "\u2039": "\u203a"}
_CLOSING = {closing: opening for opening, closing in _PAIRS.items()}


def _mirror_pairs(visual: str) -> str:
    """Brackets in right-to-left runs mirrored, which python-bidi's reordering leaves undone: a
    pair that reads backwards in the visual line, ")...(", is a pair set right to left."""
    chars, stack = list(visual), list[int]()
    for at, char in enumerate(chars):
        top = chars[stack[-1]] if stack else None
        if char in _PAIRS and top == _PAIRS[char]:
            chars[stack.pop()], chars[at] = char, _PAIRS[char]  # a backwards pair: swap its glyphs
        elif char in _CLOSING and top == _CLOSING[char]:
            stack.pop()  # a pair that reads forwards
        elif char in _PAIRS or char in _CLOSING:
            stack.append(at)
    return "".join(chars)


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def right_to_left(text: str) -> bool:
    """Whether a paragraph reads right to left (its first strong letter does), to be set flush right."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


@functools.lru_cache(maxsize=64)
def font(weight: str, px: int) -> Face:
    """The cards' typeface: weight "Regular" or "Semibold", size in pixels."""
    return Face(weight, px)


def leading(face: Face) -> int:
    """The distance between lines of this face."""
    return round(face.size * 1.25)


def wrap(text: str, face: Face, width: int, lines: int | None = None) -> list[str]:
    """The text in lines no wider than `width`: broken between words, and inside a word that is
    wider than a line on its own (long compound words, as German has; Chinese and Japanese, which
    put no spaces between words). With `lines`, at most that many, the last ending in "…" if
    the text goes on."""
    wrapped: list[str] = []
    for word in unicodedata.normalize("NFC", text).split():  # (never cut between a letter and its accent)
        if wrapped and face.getlength(f"{wrapped[-1]} {word}") <= width:
            wrapped[-1] += f" {word}"
            continue
        while len(word) > 1 and (cut := _fitting(word, face, width)) < len(word):
            wrapped.append(word[:cut])
            word = word[cut:]
        wrapped.append(word)
        if lines is not None and len(wrapped) > lines:
            return [*wrapped[: lines - 1], _ellipsized(wrapped[lines - 1], face, width)] if lines else []
    return wrapped


def fit(text: str, face: Face, width: float) -> str:
    """The text, cut with an ellipsis if it is wider than `width`."""
    return text if face.getlength(text) <= width else _ellipsized(text, face, width)


def _ellipsized(text: str, face: Face, width: float) -> str:
    """As much of the text as fits in `width` with "…" after it."""
    return text[: _fitting(text, face, width, "…")].rstrip() + "…"


def _fitting(text: str, face: Face, width: float, after: str = "") -> int:
    """How many of the text's first characters fit in `width` with `after` (at least one), found
    in a few measurements however long the text is: doubling, then halving the difference."""
    fits, too_long = 1, 2
    while too_long <= len(text) and face.getlength(text[:too_long] + after) <= width:
        fits, too_long = too_long, too_long * 2
    too_long = min(too_long, len(text) + 1)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if face.getlength(text[:middle] + after) <= width:
            fits = middle
        else:
            too_long = middle
    return fits
