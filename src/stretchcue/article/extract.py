"""A page's text as a list of blocks (headings, paragraphs, list items, table rows), whatever it
came as: the main text of an HTML page found by trafilatura (navigation, banners, ads, related
links and comments left out), or a schema.org HowTo the page carries; markdown and plain text
through markdown-it, which knows their structure."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from stretchcue.article.fetch import Page

MAX_BLOCKS = 5000  # an article has a few hundred; more is not an article, and would only be slow
BlockKind = Literal["heading", "paragraph", "item", "row"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str  # plain text, lines kept ("\n"); for a row, its cells joined by " | "
    level: int = 0  # a heading's level (1-6); an item's list depth (1 = top)
    lead: str = ""  # a bold lead-in ("**Cat-cow.** Kneel on ...": "Cat-cow"), taken out of `text`
    number: int | None = None  # an ordered item's number
    cells: tuple[str, ...] = ()  # a table row's cells


@dataclass(frozen=True)
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    how: str = ""  # where the structure came from, for the routine's header: "the page's HowTo data"


def documents(page: Page) -> list[Document]:
    """The readings of a page, best first: for HTML, its HowTo data (if any) and its main text."""
    if page.kind != "html":
        text = decode(page.data, page.encoding)
        return [from_markdown(text, markdown=page.kind == "markdown")]
    tree = _tree(page.data)
    if tree is None:
        return []
    found = list(howtos(tree))
    import trafilatura

    main = trafilatura.extract(
        page.data,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=True,
        favor_precision=True,
        deduplicate=False,
    )
    whole = list(_walk(tree))[:MAX_BLOCKS]
    headings = [b.text for b in whole if b.kind == "heading" and b.level == 1]
    title = best_title([*headings, _clean_title(_page_title(tree))])
    if main:
        found.append(from_markdown(main, title, markdown=True))
    found.append(Document(title, whole, "the page's whole text"))  # when the above miss it
    return found


def _tree(html: bytes) -> Any:
    """The page parsed by lxml, or None for one with nothing in it."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        return lxml_html.fromstring(html)
    except (etree.LxmlError, ValueError, SyntaxError, RecursionError):
        return None


def _page_title(tree: Any) -> str:
    """The page's own title: its og:title, else its <title> (a site's name is cut off later)."""
    found = tree.xpath('//meta[@property="og:title"]/@content') or tree.xpath("//title/text()")
    return _tidy(str(found[0])) if found else ""


def decode(data: bytes, declared: str | None) -> str:
    """Text in the encoding its server declared, else UTF-8, else as charset-normalizer guesses."""
    for encoding in filter(None, (declared, "utf-8-sig")):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best else data.decode("utf-8", errors="replace")


TOPIC = re.compile(
    r"\b(?:stretch\w*|exercis\w*|yoga|poses?|routine|mobility|rehab\w*|programm?e|workout|moves?|"
    r"flexibility|cool-?down|warm-?up|physio\w*|relief|reset)\b",
    re.I,
)
NOT_TITLE = re.compile(
    r"^(?:skip to|(?:home|menu)\s*(?:$|[|>/\u203a])|posted|filed|by\b|leaflet|page \d|\W*$)|\||>|\u203a", re.I
)


def best_title(candidates: list[str]) -> str:
    """Of the lines that could be the title, the first that names the routine ("Leg Stretches for
    Cyclists", not the site's name above it); capitals made ordinary."""
    lines = [re.sub(r"^\d+[.)]\s+", "", " ".join(c.replace("*", "").replace("_", " ").split())) for c in candidates]
    lines = [line for line in lines if line and not NOT_TITLE.search(line) and len(line.split()) <= 16]
    title = next((line for line in lines if TOPIC.search(line)), lines[0] if lines else "")
    return title.capitalize() if title.isupper() else title


def _front_matter(text: str) -> tuple[str, str]:
    """A markdown file's YAML front matter title (Jekyll, Hugo), and the text after it."""
    match = re.match(r"\A---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not match:
        return "", text
    try:
        data = yaml.safe_load(match[1])
    except yaml.YAMLError:
        data = None
    title = str(data.get("title", "")) if isinstance(data, dict) else ""
    return title, text[match.end() :]


def _clean_title(title: str) -> str:
    """A page's title without its site's name ("Neck stretches | HealthSite")."""
    return re.split(r"\s+[|\u2013\u2014·»]\s+|\s+-\s+(?=[^-]*$)", title)[0].strip() if title else ""


# -- markdown and text ---------------------------------------------------------------------------


def from_markdown(text: str, title: str = "", markdown: bool = False) -> Document:
    """Blocks of markdown, or of plain text read as markdown. In markdown a line break inside a
    paragraph is a space; in plain text it is kept, as a name alone on its line may start one."""
    from markdown_it import MarkdownIt

    matter, text = _front_matter(text)
    lines = [line.strip().lstrip("#").strip() for line in text.splitlines()[:25] if line.strip()]

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks: list[Block] = []
    depth, numbers, in_item, row = 0, list[int | None](), 0, list[str]()
    for n, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            start = token.attrGet("start")
            numbers.append((int(start) if start else 1) if token.type == "ordered_list_open" else None)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            numbers.pop()
        elif token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
            if numbers and numbers[-1] is not None:
                numbers[-1] = (numbers[-1] or 0) + 1
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            blocks.append(Block("row", " | ".join(row), cells=tuple(row)))
        elif token.type == "inline":
            opener = tokens[n - 1]
            words, lead = _inline(token.children or [], markdown)
            if opener.type in ("th_open", "td_open"):
                row.append(" ".join(filter(None, (lead, words))))
            elif opener.type == "heading_open":
                blocks.append(Block("heading", words or lead, int(opener.tag[1:])))
            elif in_item and opener.type == "paragraph_open" and _first_in_item(tokens, n):
                number = numbers[-1] if numbers else None
                blocks.append(Block("item", words, depth, lead, number))
            elif words or lead:
                blocks.append(Block("paragraph", words, lead=lead))
    headings = [b.text for b in blocks if b.kind == "heading" and b.level == 1]
    return Document(title or best_title([matter, *headings, *lines]), blocks[:MAX_BLOCKS])


def _first_in_item(tokens: list[Any], at: int) -> bool:
    """Whether the paragraph at `at` is the first one of its list item (later ones are paragraphs)."""
    return at >= 2 and tokens[at - 2].type == "list_item_open"


def _inline(children: list[Any], markdown: bool = False) -> tuple[str, str]:
    """An inline run as plain text (links as their words, images dropped), and its bold lead-in
    ("**Cat-cow.** Kneel ...") taken out of it, if it starts with one."""
    start = next((n for n, c in enumerate(children) if c.type != "text" or c.content.strip()), 0)
    lead: list[str] = []
    if start < len(children) and children[start].type == "strong_open":
        end = next((n for n in range(start, len(children)) if children[n].type == "strong_close"), start)
        lead = [_words(c, markdown) for c in children[start + 1 : end]]
        children = children[end + 1 :]
    text = _tidy("".join(_words(c, markdown) for c in children))
    if lead:
        text = text.lstrip(" .:-\u2013\u2014").strip()
    return text, _tidy("".join(lead)).rstrip(" .:-\u2013\u2014")


def _tidy(text: str) -> str:
    """Spaces of every kind as one space, lines kept (any line break as "\\n"); control and
    formatting characters (bidi overrides, zero widths) and pictographs left out: none is spoken."""
    text = re.sub(r"\s*\u00b0", " degrees", text)  # (a symbol, as the pictographs are, but one to say)
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs", "So"))
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def _words(token: Any, markdown: bool = False) -> str:
    if token.type in ("text", "code_inline"):
        return str(token.content)
    if token.type == "softbreak":
        return " " if markdown else "\n"
    return "\n" if token.type == "hardbreak" else ""


# -- a page's whole text ---------------------------------------------------------------------------

SKIPPED = {"script", "style", "nav", "footer", "header", "aside", "form", "noscript", "button", "select", "svg"}
CLUTTER = re.compile(
    r"nav|menu|cookie|banner|footer|sidebar|comment|share|social|related|newsletter|advert|\bads?\b|promo|"
    r"subscribe|breadcrumb|popup|modal|author|bio|widget|secondary|disqus|respond|reply|replies|discussion|"
    r"sponsor|outbrain|taboola|recommend",
    re.I,
)
BLOCKS = {"p", "li", "td", "th", "dd", "dt", "blockquote", "figcaption", "pre", "div", "section", "article"}


def _walk(element: Any, depth: int = 0) -> Iterator[Block]:
    """Every heading, paragraph and table row of a page, clutter (menus, banners, comments) left
    out by its tags and class names: for pages whose main text the extractor misses (old table
    layouts)."""
    if depth > 200:  # deeper than any page is laid out
        return
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        marks = f"{child.get('class', '')} {child.get('id', '')} {child.get('role', '')}"
        if not tag or tag in SKIPPED or CLUTTER.search(marks):
            continue
        if re.fullmatch(r"h[1-6]", tag):
            yield Block("heading", _tidy(child.text_content()), int(tag[1]))
        elif tag == "tr":
            cells = tuple(_tidy(cell.text_content()) for cell in child if cell.tag in ("td", "th"))
            layout = any(_has_blocks(cell) for cell in child)  # a page laid out in a table: its cells hold the text
            if any(cells) and not layout:
                yield Block("row", " | ".join(cells), cells=cells)
            else:
                yield from _walk(child)
        elif tag in BLOCKS and not any(
            isinstance(c.tag, str)
            and (c.tag in BLOCKS or c.tag in ("table", "ul", "ol") or re.fullmatch(r"h[1-6]", c.tag))
            for c in child.iter()
            if c is not child
        ):
            text = _tidy(child.text_content())
            if text:
                strong = child.find("./strong") if child.find("./strong") is not None else child.find("./b")
                lead = (
                    _tidy(strong.text_content())
                    if strong is not None and text.startswith(_tidy(strong.text_content()))
                    else ""
                )
                rest = text[len(lead) :].lstrip(" .:-\u2013\u2014") if lead else text
                yield Block("item" if tag == "li" else "paragraph", rest, lead=lead.rstrip(" .:-\u2013\u2014"))
        else:
            yield from _walk(child, depth + 1)


def _has_blocks(element: Any) -> bool:
    return any(
        isinstance(c.tag, str) and (c.tag in BLOCKS or c.tag in ("table", "ul", "ol") or re.fullmatch(r"h[1-6]", c.tag))
        for c in element.iter()
        if c is not element
    )


# -- schema.org HowTo ------------------------------------------------------------------------------


def howtos(tree: Any) -> Iterator[Document]:
    """Each schema.org HowTo in the page's JSON-LD, as a document: its sections or named steps as
    headings, the steps' words as paragraphs."""
    for data in _json_ld(tree):
        for howto in _of_type(data, "HowTo"):
            blocks = list(_steps(howto.get("step") or howto.get("steps") or []))
            if blocks:
                yield Document(_text(howto.get("name")), blocks, "the page's HowTo data")


def _json_ld(tree: Any) -> Iterator[Any]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            yield json.loads(script.text_content())
        except (ValueError, RecursionError):
            continue


def _of_type(data: Any, wanted: str, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 20:
        return
    if isinstance(data, list):
        for item in data:
            yield from _of_type(item, wanted, depth + 1)
    elif isinstance(data, dict):
        kinds = data.get("@type")
        if wanted == kinds or (isinstance(kinds, list) and wanted in kinds):
            yield data
        else:
            yield from _of_type(data.get("@graph", []), wanted, depth + 1)


def _steps(steps: Any, level: int = 2) -> Iterator[Block]:
    if level > 8:
        return
    for step in steps if isinstance(steps, list) else [steps]:
        if isinstance(step, str):
            yield Block("paragraph", step)
            continue
        if not isinstance(step, dict):
            continue
        kind = step.get("@type")
        name, text = _text(step.get("name")), _text(step.get("text"))
        if kind == "HowToSection" or "itemListElement" in step:
            if name:
                yield Block("heading", name, level)
            yield from _steps(step.get("itemListElement") or [], level + 1)
        elif name and text and not text.startswith(name):
            yield Block("heading", name, level)
            yield Block("paragraph", text)
        elif text or name:
            yield Block("paragraph", text or name)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    text = str(value or "")
    if "<" in text:  # some pages put HTML in their JSON-LD
        text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())
