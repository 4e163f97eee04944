"""A document in one language, as the page will show it: pure data, no I/O.

Each piece of text carries its review status, so the templates can label machine
text and English stand-ins, and the line of its catalog entry, so a font or
markup problem can be reported where a translator can fix it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from pipeline import states
from pipeline.documents import Block, Document
from pipeline.languages import Language
from pipeline.settings import District

#: Statuses a piece of text can have on a page.
REVIEWED, MACHINE, OUTDATED, ENGLISH, SOURCE = (
    "reviewed",
    "machine",
    "outdated",
    "english",
    "source",
)


@dataclass(frozen=True)
class Piece:
    text: str  # inline Markdown
    status: str = SOURCE
    line: int | None = None  # of its catalog entry

    @property
    def marked(self) -> bool:
        """Shown with a label: machine text, a draft of older English, or English standing in."""
        return self.status in (MACHINE, OUTDATED, ENGLISH)


@dataclass(frozen=True)
class PageBlock:
    kind: str  # heading | paragraph | quote | list | table | code | rule
    piece: Piece | None = None
    level: int = 0
    ordered: bool = False
    items: tuple[tuple[int, Piece], ...] = ()  # lists: (depth, text)
    rows: tuple[tuple[Piece, ...], ...] = ()  # tables: header row first
    raw: str = ""  # code blocks
    flyer: bool = True  # carried by the flyer


@dataclass(frozen=True)
class Page:
    doc_id: str
    kind: str
    lang: Language
    title: Piece
    summary: Piece | None
    date: str
    blocks: tuple[PageBlock, ...]
    district: District
    contact: Mapping[str, str] = field(default_factory=dict)
    words: Mapping[str, str] = field(default_factory=dict)
    english_words: frozenset[str] = frozenset()  # names of the words shown in English
    draft: bool = False
    catalog: Path | None = None  # shown path of the catalog the text came from
    iso_date: str = ""

    @property
    def rtl(self) -> bool:
        return self.lang.direction == "rtl"

    def pieces(self) -> list[Piece]:
        """Every piece of text on the page, in reading order."""
        found = [self.title, *([self.summary] if self.summary else [])]
        for block in self.blocks:
            found.extend([block.piece] if block.piece else [])
            found.extend(piece for _, piece in block.items)
            found.extend(piece for row in block.rows for piece in row)
        return found

    @property
    def marked(self) -> bool:
        return any(p.marked for p in self.pieces())

    @property
    def machine(self) -> bool:
        """Whether the page holds machine text (a draft not yet checked by a person)."""
        return any(p.status in (MACHINE, OUTDATED) for p in self.pieces())


class Translations:
    """Looks up the text to print for each English segment of one catalog."""

    def __init__(
        self,
        catalog: polib.POFile | None,
        draft: bool,
        errors: Set[str] = frozenset(),
        unprintable: Set[str] = frozenset(),
    ):
        self.entries = {e.msgid: e for e in catalog or () if not e.obsolete and not e.msgctxt}
        self.draft = draft
        self.errors = errors
        # a character no font can print would stop the whole build, drafts too: English
        self.unprintable = unprintable

    def piece(self, msgid: str) -> Piece:
        """The translation with its status; English (marked) where none can be shown."""
        entry = self.entries.get(msgid)
        if entry is None:
            return Piece(msgid, ENGLISH)
        state = states.state(entry)
        # outside drafts, a translation of English that has since changed never shows:
        # it may say what the English no longer says
        hidden = state == "needs-update" or states.is_pseudo(entry) or msgid in self.errors
        if state == "untranslated" or msgid in self.unprintable or (not self.draft and hidden):
            return Piece(msgid, ENGLISH, entry.linenum)
        status = {"reviewed": REVIEWED, "machine": MACHINE}.get(state, OUTDATED)
        return Piece(entry.msgstr, status, entry.linenum)

    def word(self, msgid: str) -> str | None:
        """A template word's translation: reviewed ones, or any with ``--draft``."""
        entry = self.entries.get(msgid)
        if entry is None or not states.is_translated(entry) or msgid in self.errors:
            return None
        return entry.msgstr if self.draft or states.state(entry) == "reviewed" else None


class Source(Translations):
    """The English original: every piece is itself."""

    def __init__(self) -> None:
        super().__init__(None, draft=False)

    def piece(self, msgid: str) -> Piece:
        return Piece(msgid, SOURCE)


def localized_date(date: dt.date | None, lang: str) -> str:
    """``date`` written the language's way (Babel); ISO 8601 where CLDR has no data (hmn, kar)."""
    if date is None:
        return ""
    try:
        return format_date(date, format="long", locale=Locale.parse(lang))
    except (UnknownLocaleError, ValueError):
        return date.isoformat()


def build_page(
    document: Document,
    lang: Language,
    text: Translations,
    district: District,
    words: Mapping[str, str],
    draft: bool = False,
    catalog: Path | None = None,
    source_words: Mapping[str, str] | None = None,
) -> Page:
    """The page for ``document`` in ``lang`` (pure); ``source_words``, the words in English,
    tell which of ``words`` stand in English."""
    blocks: list[PageBlock] = []
    items: list[tuple[int, Piece]] = []
    ordered = False
    on_flyer = _flyer_marks(document)
    for i, block in enumerate(document.blocks):
        if block.kind == "item":
            ordered = block.ordered if not items else ordered
            items.append((block.level, _piece(block.text, block, text)))
            following = document.blocks[i + 1] if i + 1 < len(document.blocks) else None
            if following is None or following.kind != "item":
                blocks.append(
                    PageBlock("list", ordered=ordered, items=tuple(items), flyer=on_flyer[i])
                )
                items = []
            continue
        if block.kind == "heading" and block.level == 1 and block.text == document.title:
            continue  # the title is printed once, from the front matter
        made = _block(block, text)
        if made is not None:
            blocks.append(dataclasses.replace(made, flyer=on_flyer[i]))
    return Page(
        doc_id=document.id,
        kind=document.kind,
        lang=lang,
        title=text.piece(document.title),
        summary=text.piece(document.summary) if document.summary else None,
        date=localized_date(document.date, lang.code),
        blocks=tuple(blocks),
        district=district,
        contact=dict(document.contact),
        words=dict(words),
        english_words=frozenset(
            name for name, text in words.items() if source_words and source_words.get(name) == text
        ),
        draft=draft,
        catalog=catalog,
        iso_date=document.date.isoformat() if document.date else "",
    )


def _flyer_marks(document: Document) -> list[bool]:
    """For each block of ``document``: whether the flyer carries it (the sections its
    front matter names under ``flyer:``, or every block)."""
    if not document.flyer:
        return [True] * len(document.blocks)
    marks, level = [], 0  # level: of the heading of the section being carried, 0 outside
    for block in document.blocks:
        if block.kind == "heading":
            if block.text in document.flyer:
                level = block.level
            elif block.level <= level:
                level = 0
        marks.append(level > 0)
    return marks


def _piece(msgid: str, block: Block, text: Translations) -> Piece:
    return text.piece(msgid) if block.translate and msgid.strip() else Piece(msgid, SOURCE)


def _block(block: Block, text: Translations) -> PageBlock | None:
    if block.kind in ("heading", "paragraph", "quote"):
        return PageBlock(block.kind, _piece(block.text, block, text), level=block.level)
    if block.kind == "table":
        return PageBlock(
            "table", rows=tuple(tuple(_piece(c, block, text) for c in row) for row in block.rows)
        )
    if block.kind == "code":
        return PageBlock("code", raw=block.text.rstrip("\n"))
    if block.kind == "rule":
        return PageBlock("rule")
    return None  # raw HTML from the source is not carried onto pages
