"""From an article's blocks to a draft routine: which parts are exercises, and what each says.

An exercise is a section (a heading, a numbered name on a line of its own, a bold name leading a
paragraph or a list item) whose text tells a body to move: a sentence with a movement and a part
of the body. Of the levels of headings a page has, the one with the most such sections holds the
exercises ("## Lower body" over "### Hamstring stretch"), and sections such as "How to do it"
or "Tips" under an exercise belong to it. What is said before or between the exercises ("hold
each stretch for 30 seconds") holds for all of them unless an exercise says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stretchcue.article import facts
from stretchcue.article.extract import Block, Document
from stretchcue.article.facts import Fact

MOVES = (
    r"lie|lying|lay|sit|sitting|stand|standing|kneel|kneeling|bend|bending|reach|reaching|pull|pulling|push|"
    r"press|lift|raise|lower|tilt|turn|rotate|twist|lean|draw|bring|hold|stretch|place|put|cross|extend|"
    r"straighten|roll|step|clasp|interlace|grab|grasp|tuck|arch|round|drop|relax|rest|hug|slide|shift|"
    r"squeeze|tighten|sink|fold|hinge|clasp|point|flex|curl|open|swing|walk|keep|let|move|start|begin|return|"
    r"inhale|exhale|breathe"
)
BODY = (
    r"neck|head|chin|ear|shoulders?|shoulder blades?|arms?|elbows?|wrists?|hands?|palms?|fingers?|thumbs?|"
    r"chest|back|spine|torso|trunk|waist|hips?|pelvis|tailbone|glutes?|buttocks?|bottom|seat|stomach|belly|"
    r"abdominals?|abs|core|legs?|thighs?|hamstrings?|quads?|knees?|calf|calves|shins?|ankles?|feet|foot|heels?|"
    r"toes?|sides?|body|forehead|jaw|ribs?"
)
LEAD_IN = re.compile(  # what may come before the verb of an instruction: "Then", "Slowly", "With your arms up,"
    r"^(?:(?:then|next|now|first|finally|slowly|gently|carefully|again|also|from here|from there|"
    r"and|or|to (?:start|begin))\b[,\s]*|(?:with|while|keeping|maintaining|using|from|if|when|once|as|"
    r"starting|holding|without|still)\b[^,]{0,80},\s*)+",
    re.I,
)
IMPERATIVE = re.compile(rf"^(?:{MOVES})\b", re.I)
BODY_PART = re.compile(rf"\b(?:{BODY})\b", re.I)
NOT_EXERCISES = re.compile(
    r"\b(?:benefits?|why|how often|when to|tips?|safety|warnings?|cautions?|precautions?|faqs?|questions|"
    r"conclusion|summary|references|sources|related|comments?|author|equipment|what you need|anatomy|"
    r"muscles? (?:worked|involved)|resources|about|disclaimer|newsletter|share|contents|bottom line|"
    r"takeaway|overview|introduction|more|common mistakes|mistakes|modifications?|variations?|videos?|"
    r"group|series|list of|articles?|products?|shop|cart|"
    r"how to do it|instructions|steps?|directions|getting started|before you (?:start|begin))\b",
    re.I,
)
SUBSECTION = re.compile(
    r"^(?:how to(?: do it| perform it)?|instructions|steps?|directions|technique|form|method|do it|dose|dosage|"
    r"how long|how many|how often|sets and reps|reps and sets|prescription|where (?:you(?:'ll|\u2019ll)? )?feel it|"
    r"feel it|you(?:'ll|\u2019ll)? feel it|starting position|setup|set-up|position|"
    r"tips?|notes?|cues?|modifications?|variations?|make it (?:easier|harder)|common mistakes|mistakes|"
    r"muscles? (?:worked|targeted|stretched)|targets?|why it (?:works|helps)|benefits?|what to feel)\b",
    re.I,
)
NUMBERED = re.compile(
    r"^\s*(?:#\s*\d+\s*[:.)\-\u2013\u2014]?|\d+\s*[.):\-\u2013\u2014]|(?:exercise|stretch|step|pose|move|movement|no\.?|number)\s*#?\s*"
    r"\d+\s*[:.)\-\u2013\u2014]?)\s*",
    re.I,
)
MEDIA = re.compile(
    r"https?://|www\.|\b(?:click|tap|watch|video|subscribe|download|pinterest|instagram|facebook|newsletter|"
    r"shown|pictured|picture|photo|photograph|image|illustration|diagram|figure|fig\.|see (?:below|above)|"
    r"as demonstrated|add to cart|buy|affiliate|sponsored|advertisement|gif|scroll|swipe|read more|learn more|"
    r"continue reading|sources?|getty|shutterstock|istock|as the model|in our guide|this (?:article|post|page)|"
    r"next (?:stretch|pose|slide)|previous (?:stretch|pose|slide))\b",
    re.I,
)
ASIDE = re.compile(
    r"\s*\((?:[^()]*\b(?:as shown|shown|pictured|see|picture|photo|image|video|figure|fig\.)\b[^()]*)\)|"
    r",?\s*(?:as (?:you (?:can )?)?(?:see|seen|shown|pictured)|see) (?:in|on|below|above)[^,.;]*|"
    r",?\s*(?:as|like) (?:in|on) the (?:gif|video|picture|photo|image|illustration|diagram|figure|clip)\b[^,.;]*",
    re.I,
)
CAPTION = re.compile(r"^(?:figure|fig\.|image|photo|picture|video|illustration|source|credit)\b[\s\d.:]*", re.I)
ABBREVIATIONS = [(re.compile(r"\bR\b(?!-)"), "right"), (re.compile(r"\bL\b(?!-)"), "left")]
MAX_NAME_WORDS = 12
NAMED = re.compile(r"^([^:.!?\n]{3,60}?)(?::| [-\u2013\u2014]) +(?=[A-Z])")
FEEL_SENTENCE = re.compile(
    r"^(?:you(?:'ll|\u2019ll)?\s+(?:should|will|may|might|can|could|want to)?\s*(?:also\s+)?)?feel\b", re.I
)
LABEL = re.compile(
    r"^(?:hold|reps?|repetitions?|sets?|sides?|time|duration|note|tip|how|why|target|position|start|"
    r"starting position|equipment|level|feel|breathe|caution|warning)\b",
    re.I,
)
FACT_LABEL = re.compile(r"^(?:hold|reps?|repetitions?|sets?|sides?|time|duration|tips?|note|caution|warning)$", re.I)


@dataclass
class Exercise:
    name: str
    sentences: list[str] = field(default_factory=list)  # the instructions, speakable
    tips: list[str] = field(default_factory=list)
    hold: Fact[float] | None = None
    reps: Fact[int] | None = None
    sides: Fact[str] | None = None
    position: Fact[str] | None = None
    feel: Fact[str] | None = None


@dataclass
class Draft:
    title: str
    how: str
    exercises: list[Exercise]
    hold: Fact[float] | None = None  # what the article says of every exercise
    reps: Fact[int] | None = None


@dataclass
class _Section:
    name: str
    level: int
    blocks: list[Block]
    own: list[Block] = field(default_factory=list)  # up to the next section of any level


def read(document: Document) -> Draft:
    sections, outside = _sections(document.blocks)
    found = _exercise_sections(sections)
    exercises = [_exercise(section) for section in found]
    exercises = [e for e in exercises if e.sentences]
    listed = _table_exercises(document.blocks)
    if len(listed) > len(exercises):  # a table that is the routine ("Stretch | How | Hold | Reps")
        exercises = listed
    chosen = {id(section) for section in found}
    shared = [b for s in sections if id(s) not in chosen and not _inside_chosen(s, sections, chosen) for b in s.own]
    shared = outside + shared
    draft = Draft(document.title, document.how, exercises)
    said = _sentences(shared)
    for n, sentence in enumerate(said):
        if not draft.hold and (hold := facts.hold(sentence)):
            grows = "" if "working up" in hold.note else facts.growth(" ".join(said[n + 1 : n + 2]))
            note = hold.note.replace(": the start", f", {grows}: the start") if grows and hold.note else hold.note
            draft.hold = Fact(hold.value, f"{sentence} {said[n + 1]}" if grows else sentence, note)
        draft.reps = draft.reps or facts.reps(sentence)
    _from_tables(document.blocks, exercises)
    return draft


# -- sections --------------------------------------------------------------------------------------


def _sections(blocks: list[Block]) -> tuple[list[_Section], list[Block]]:
    """Every section a name starts (any level), each with the blocks under it; and the blocks
    before the first one."""
    marked = list(_headers(blocks))
    sections: list[_Section] = []
    outside: list[Block] = []
    for index, (block, level, name) in enumerate(marked):
        if level is None:
            if not sections:
                outside.append(block)
            continue
        body = [block] if block.kind != "heading" and block.text and name != block.text else []
        own_done = False
        section = _Section(name, level, [], [])
        if body:
            section.blocks.extend(body)
            section.own.extend(body)
        for later, later_level, _ in marked[index + 1 :]:
            if later_level is not None and later_level <= level:
                break
            if later_level is not None:
                own_done = True
            section.blocks.append(later)
            if not own_done:
                section.own.append(later)
        sections.append(section)
    return sections, outside


def _headers(blocks: list[Block]) -> list[tuple[Block, int | None, str]]:
    """Each block with the level of the section it starts (None: it starts none) and its name.
    Headings keep their level; a short line standing alone (numbered, in capitals, or followed
    by text) is a heading below them; a bold lead-in names a section of its own paragraph."""
    marked: list[tuple[Block, int | None, str]] = []
    for n, block in enumerate(blocks):
        following = blocks[n + 1] if n + 1 < len(blocks) else None
        if block.kind == "heading":
            marked.append((block, block.level, block.text))
        elif block.kind in ("paragraph", "item") and "\n" in block.text and _title_like(block.text.split("\n")[0]):
            first, rest = block.text.split("\n", 1)  # a name on its own line, then its text
            marked.append((Block("heading", first), 7, first))
            marked.append((Block("paragraph", rest), None, ""))
        elif block.kind in ("paragraph", "item") and not block.lead and _name_like(block.text):
            numbered = bool(NUMBERED.match(block.text)) or block.number is not None
            alone = following is not None and following.kind in ("paragraph", "item") and not _name_like(following.text)
            if numbered or block.text.isupper() or alone:
                marked.append((block, 7 if numbered else 8, block.text))
            else:
                marked.append((block, None, ""))
        elif block.lead and _name_like(block.lead) and not SUBSECTION.match(block.lead) and not _label(block.lead):
            marked.append((block, 9, block.lead))
        elif (named := NAMED.match(block.text)) and block.kind in ("paragraph", "item") and _name_like(named[1]):
            if _label(named[1]) or SUBSECTION.match(named[1]):
                marked.append((block, None, ""))
            else:  # "Supine piriformis stretch: Lie on your back ..." names its own paragraph
                marked.append((Block(block.kind, block.text[named.end() :], block.level, named[1]), 9, named[1]))
        else:
            marked.append((block, None, ""))
    return marked


def _label(lead: str) -> bool:
    """A bold lead-in that labels a fact, not an exercise: "Hold:", "Reps:", "Note:"."""
    return bool(
        re.match(
            r"^(?:hold|reps?|repetitions?|sets?|sides?|time|duration|note|tip|how|why|target|"
            r"position|start|starting position|equipment|level|feel|breathe|caution|warning)\b",
            lead,
            re.I,
        )
    )


def _name_like(text: str) -> bool:
    text = text.strip()
    words = text.split()
    return (
        0 < len(words) <= MAX_NAME_WORDS
        and len(text) <= 90
        and not text.endswith((".", "!", "?", ",", ";"))
        and not facts.DURATION.search(text)
    ) or (bool(NUMBERED.match(text)) and 0 < len(words) <= MAX_NAME_WORDS and not text.endswith((".", "?", "!")))


def _title_like(line: str) -> bool:
    """A line that names what follows (not the first line of a wrapped paragraph): short, and
    numbered, in capitals, or with most of its words capitalised."""
    words = line.split()
    capitalised = sum(w[0].isupper() for w in words if w[0].isalpha())
    short = _name_like(line) and len(words) <= 8
    return short and (bool(NUMBERED.match(line)) or line.isupper() or len(words) <= 3 or capitalised * 2 >= len(words))


def _exercise_sections(sections: list[_Section]) -> list[_Section]:
    """The sections at the level that holds the most exercises."""
    best: list[_Section] = []
    for level in sorted({s.level for s in sections}):
        found = [s for s in sections if s.level == level and _is_exercise(s)]
        if len(found) > len(best):
            best = found
    return best


def _inside_chosen(section: _Section, sections: list[_Section], chosen: set[int]) -> bool:
    return any(id(other) in chosen and any(b in other.blocks for b in section.own) for other in sections)


def _is_exercise(section: _Section) -> bool:
    name = _name(section.name)
    if not re.search(r"[^\W\d_]{3}", name) or re.search(r"[$\u20ac\u00a3\u2605]|\breviews?\b", name):
        return False  # a price, a rating, a number
    if len(name.split()) > MAX_NAME_WORDS or NOT_EXERCISES.search(name) or SUBSECTION.match(name):
        return False
    return any(_instruction(sentence) for sentence in _sentences(_instruction_blocks(section)))


def _instruction(sentence: str) -> bool:
    """A sentence that tells a body to move: a movement verb first (after "Then", "Slowly", "With
    your arms up," and the like) and a part of the body."""
    verb_first = LEAD_IN.sub("", sentence.strip(" *-•"), count=1)
    return bool(IMPERATIVE.match(verb_first)) and bool(BODY_PART.search(sentence)) and len(sentence.split()) >= 3


def _instruction_blocks(section: _Section) -> list[Block]:
    """The section's own text, and that of its "How to do it" parts (not its exercises' text)."""
    blocks = [b for b in section.own if not _note(b)]
    marked = _headers(section.blocks)
    inside = False
    for block, level, name in marked:
        if level is not None and block not in section.own:
            inside = bool(HOW.match(_name(name)))
            continue
        if inside and block not in blocks and not _note(block):
            blocks.append(block)
    return blocks


def _note(block: Block) -> bool:
    """An aside about the article or the routine ("Note: this routine was designed ..."), not the exercise."""
    return bool(re.match(r"^(?:note|p\.?s\.?|editor'?s note|disclaimer)\b", block.lead or block.text, re.I))


# -- one exercise ----------------------------------------------------------------------------------


def _exercise(section: _Section) -> Exercise:
    exercise = Exercise(_name(section.name))
    texts = _sentences(_instruction_blocks(section))
    embedded: Fact[str] | None = None
    for sentence in texts:
        hold, reps, sides = facts.hold(sentence), facts.reps(sentence), facts.sides(sentence)
        exercise.hold = exercise.hold or hold
        exercise.reps = exercise.reps or reps
        exercise.sides = exercise.sides or sides
        if FEEL_SENTENCE.match(sentence) or facts.RUNS.match(sentence):  # the track says it its own way
            exercise.feel = exercise.feel or facts.feel(sentence)
            continue
        embedded = embedded or facts.feel(sentence)  # "... until you feel a stretch in ...": kept as said
        if re.match(r"^(?:tips?|note|caution|warning)\s*:", sentence, re.I):
            if re.match(r"^tips?\s*:", sentence, re.I):
                exercise.tips.append(_speakable(sentence.split(":", 1)[1]))
            continue
        if (hold or reps or sides or re.search(r"\d", sentence)) and _only_facts(sentence):
            continue
        spoken = _speakable(sentence)
        if spoken:
            exercise.sentences.append(spoken)
    exercise.tips = [t for t in exercise.tips if t]
    exercise.feel = exercise.feel or _felt(section) or embedded
    exercise.position = facts.position(" ".join(texts))
    return exercise


FELT = re.compile(
    r"^(?:where (?:you(?:'ll|\u2019ll| will)? )?feel it|what you(?:'ll|\u2019ll| will)? feel|feel it)\b", re.I
)
HOW = re.compile(  # the parts of an exercise that say how to do it (others: tips, benefits, mistakes, where to feel it)
    r"^(?:how to(?: do it| perform it)?|instructions|steps?|directions|technique|form|method|do it|dose|dosage|"
    r"how long|how many|sets and reps|reps and sets|prescription|starting position|setup|set-up|position)\b",
    re.I,
)


def _felt(section: _Section) -> Fact[str] | None:
    """The words under a "Where you'll feel it" part of the exercise, as they are."""
    under = False
    for block, level, name in _headers(section.blocks):
        if level is not None:
            under = bool(FELT.match(_name(name)))
            if under and block.kind != "heading" and block.text:  # "**Where you'll feel it:** deep in ..."
                return Fact(block.text.split(". ")[0].strip().rstrip("."), block.text)
            continue
        if under and block.text:
            return facts.feel(block.text) or Fact(block.text.split(". ")[0].strip().rstrip("."), block.text)
    return None


def _name(text: str) -> str:
    name = NUMBERED.sub("", text.strip(), count=1)
    name = re.sub(r"\s*\([^)]*\)", "", name).strip(" :.-\u2013\u2014#*")
    if name.isupper():
        name = name.capitalize()
    return " ".join(name.split())


def _only_facts(sentence: str) -> bool:
    """A sentence that only says how long, how often or which sides ("Hold for 30 seconds, then
    switch sides."): the track says those itself."""
    rest = facts.digits(sentence)
    rest = re.sub(
        rf"{facts.DURATION.pattern}|\b\d+\b|\b(?:hold|holding|stay|remain|repeat|do|this|it|the|stretch|for|"
        r"times?|reps?|repetitions?|sets?|of|on|each|per|both|other|opposite|side|sides|leg|legs|arm|arms|"
        r"switch|then|and|to|at|least|about|around|up|seconds?|minutes?|secs?|mins?|s|position|pose|there|"
        r"here|again|direction|way|alternating|alternate|once|twice|more|in|between|you|can|should|that|a|"
        r"count|breaths?|deep)\b",
        " ",
        rest,
        flags=re.I,
    )
    return len(re.findall(r"[A-Za-z]{3,}", rest)) <= 1


def _speakable(sentence: str) -> str:
    """The sentence as a coach can say it: no links, captions or pictures, no "R" for right."""
    text = ASIDE.sub("", sentence)
    if CAPTION.match(text) or MEDIA.search(text):
        return ""
    text = re.sub(r"\s*\[\d+\]", "", text)  # citation marks
    text = text.replace("--", ", ").replace("\u2014", ", ").replace(" \u2013 ", ", ")
    for pattern, word in ABBREVIATIONS:
        text = pattern.sub(word, text)
    text = re.sub(r"[*_`#>|]+", "", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(text.split()))
    text = re.sub(r",\s*,", ",", text).strip(" ,;")
    if not re.search(r"[A-Za-z]{2,}", text) or len(text.split()) < 2:
        return ""
    return text if text.endswith((".", "!", "?")) else text + "."


SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d\u2019)]?\s+(?=[\"\u201c(]?[A-Z0-9])|\n+")


MAX_SENTENCE = 600  # characters: a longer "sentence" is not one a coach says (and would only be slow to read)


def _sentences(blocks: list[Block]) -> list[str]:
    found: list[str] = []
    for block in blocks:
        if block.kind == "heading" or block.kind == "row":
            continue
        text = f"{block.lead}: {block.text}" if FACT_LABEL.match(block.lead) else block.text
        text = re.sub(r"(?<![.!?:;])\n(?=[a-z(])", " ", text)  # a line wrapped inside a sentence
        for part in SENTENCE_END.split(text):
            part = part.strip()
            if part and len(part) <= MAX_SENTENCE:
                found.append(part)
    return found


def _from_tables(blocks: list[Block], exercises: list[Exercise]) -> None:
    """A table row naming an exercise gives it the hold, reps and sides its cells say."""
    header: tuple[str, ...] = ()
    for block in blocks:
        if block.kind != "row":
            header = ()
            continue
        if not header:
            header = block.cells
            continue
        name = _name(block.cells[0]).lower() if block.cells else ""
        for exercise in exercises:
            if exercise.name.lower() != name:
                continue
            for title, cell in zip(header[1:], block.cells[1:], strict=False):
                said = f"{title}: {cell}"
                holding = said if re.search(r"hold|time|duration", title, re.I) else ""
                exercise.hold = exercise.hold or (facts.hold(f"hold {cell}") if holding else None)
                exercise.reps = exercise.reps or facts.reps(said)
                exercise.sides = exercise.sides or facts.sides(said)


COLUMNS = {
    "name": r"exercise|stretch|name|movement|move|pose",
    "how": r"how|instructions?|description|steps?|what to do|technique",
    "feel": r"feel",
    "hold": r"hold|time|duration|seconds",
    "reps": r"reps?|repeat|repetitions?|sets?|times",
    "sides": r"sides?|legs?|arms?",
}


def _table_exercises(blocks: list[Block]) -> list[Exercise]:
    """The exercises of a table with a name column and an instructions column, each row one."""
    found: list[Exercise] = []
    columns: dict[str, int] = {}
    for n, block in enumerate(blocks):
        if block.kind != "row":
            columns = {}
            continue
        if n == 0 or blocks[n - 1].kind != "row":  # the header
            columns = {}
            for index, title in enumerate(block.cells):
                for key, pattern in COLUMNS.items():
                    if key not in columns and re.search(rf"\b(?:{pattern})\b", title, re.I):
                        columns[key] = index
                        break
            if "name" not in columns or "how" not in columns:
                columns = {}
            continue
        if not columns:
            continue
        cell = {key: block.cells[index] if index < len(block.cells) else "" for key, index in columns.items()}
        exercise = Exercise(_name(cell["name"]))
        for sentence in SENTENCE_END.split(cell["how"]):
            if FEEL_SENTENCE.match(sentence.strip()):
                exercise.feel = exercise.feel or facts.feel(sentence)
            elif spoken := _speakable(sentence):
                exercise.sentences.append(spoken)
        if cell.get("feel"):
            exercise.feel = Fact(cell["feel"].strip().rstrip("."), cell["feel"])
        if cell.get("hold"):
            exercise.hold = facts.hold(f"hold {cell['hold']}")
        said = " ".join(cell.get(key, "") for key in ("reps", "sides"))
        exercise.reps = facts.reps(f"repeat {cell['reps']} times" if cell.get("reps", "").isdigit() else said)
        exercise.sides = facts.sides(said) or facts.sides(cell["how"])
        exercise.position = facts.position(cell["how"])
        if exercise.name and exercise.sentences:
            found.append(exercise)
    return found
