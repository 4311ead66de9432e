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

_OWN = resources.files("stretchcue") / "fonts"
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
        """The first face with a glyph for this character; None for an unseen mark no face draws."""
        if ord(char) in _own_covers(self.weight) or char.isspace():
            return self._own
        if _unseen(char):
            return None
        for n, (path, index) in enumerate(_FALLBACKS):
            if ord(char) in _covers(path, index):
                return self._fallback(n)
        return self._own  # its empty box says a character is missing

    def runs(self, text: str) -> list[tuple[ImageFont.FreeTypeFont, str]]:
        """The line as drawn, left to right: Arabic joined, right-to-left runs reversed, and cut
        into runs of one face each."""
        visual = get_display(arabic_reshaper.reshape(text)) if _has_rtl(text) else text
        runs: list[tuple[ImageFont.FreeTypeFont, str]] = []
        for char in visual:
            face = self._font_for(char)
            if face is None:
                continue
            if runs and runs[-1][0] is face:
                runs[-1] = (face, runs[-1][1] + char)
            else:
                runs.append((face, char))
        return runs

    def getlength(self, text: str) -> float:
        return sum(face.getlength(part) for face, part in self.runs(text))

    @property
    def ascent(self) -> int:
        return self._own.getmetrics()[0]

    def draw(
        self, pen: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, fill: Color, anchor: str = "la"
    ) -> None:
        """Draw a line at `xy`: anchor "la" (its left, at the top of the letters), "ra" (its right,
        at the top) or "rs" (its right, on the baseline)."""
        x, y = xy
        runs = self.runs(text)
        if anchor[0] == "r":
            x -= sum(face.getlength(part) for face, part in runs)
        baseline = y if anchor[1] == "s" else y + self.ascent
        for face, part in runs:  # each run on the one baseline, whatever its face's metrics
            pen.text((x, baseline), part, font=face, fill=fill, anchor="ls")
            x += face.getlength(part)


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


def wrap(text: str, face: Face, width: int) -> list[str]:
    """The text in lines no wider than `width`: broken between words, and inside a word that is
    wider than a line on its own (long compound words, as German has; Chinese and Japanese, which
    put no spaces between words)."""
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
            continue
        while face.getlength(word) > width and len(word) > 1:
            cut = 1
            while cut < len(word) and face.getlength(word[: cut + 1]) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines


def fit(text: str, face: Face, width: float) -> str:
    """The text, cut with an ellipsis if it is wider than `width`."""
    while face.getlength(text) > width and len(text) > 1:
        text = text[:-2] + "…"
    return text
