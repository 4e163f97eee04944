"""The coordinator's matrix: documents (by title) x languages, how far review is in each.

Built from :func:`pipeline.status.status`, exactly what ``homelang status`` counts, plus
who holds which entries (review packets and personal invitations) and which draft
previews the build folder holds. ``homelang serve`` shows it as its staff page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline import languages, states
from pipeline.build import SUFFIXES
from pipeline.catalogs import template_ids
from pipeline.documents import discover
from pipeline.errors import PipelineError
from pipeline.settings import Settings
from pipeline.status import CatalogStatus, status

#: The outputs a cell links to as previews (never letters of a mail merge: those are
#: under build/private and no preview names them).
PREVIEWS = ("web", "letter", "flyer")
#: The catalog of the templates' own words is not a document of its own.
TEMPLATE_WORDS = "templates"
#: The review states in the order their bars are drawn.
BAR_STATES = ("reviewed", *[s for s in states.STATES if s != "reviewed"])


class Holding(Protocol):
    """What the matrix needs of an invitation (``pipeline.invites.Invite``)."""

    lang: str
    reviewer: str
    expires: str

    def allows(self, doc_id: str) -> bool: ...


@dataclass(frozen=True)
class Holder:
    """Someone who holds entries of a cell: a packet (with its entries) or an invitation."""

    reviewer: str
    kind: str  # "packet" | "invite"
    until: str  # YYYY-MM-DD
    entries: int = 0  # a packet's entries of this document; 0 for an invitation (all of them)
    expired: bool = False


@dataclass(frozen=True)
class Cell:
    lang: str
    doc_id: str
    entries: dict[str, int]  # review state -> entries
    words: dict[str, int]  # review state -> English words
    words_left: int  # English words not reviewed yet
    publish: bool
    reason: str
    errors: int
    conflicts: int
    holders: tuple[Holder, ...]
    previews: tuple[str, ...]  # formats whose draft preview exists in the build folder

    @property
    def total(self) -> int:
        return sum(self.entries.values())

    def bars(self) -> list[tuple[str, float, float]]:
        """(state, start, width) of each state's part of a bar 100 wide, reviewed first."""
        parts, start = [], 0.0
        for state in BAR_STATES:
            width = 100 * self.entries.get(state, 0) / self.total if self.total else 0.0
            if width:
                parts.append((state, start, width))
                start += width
        return parts

    def summary(self) -> str:
        """The bar in words, for screen readers: "12 reviewed, 30 machine, ..."."""
        return ", ".join(f"{self.entries.get(state, 0)} {state}" for state in BAR_STATES)


@dataclass(frozen=True)
class Damaged:
    """A catalog that cannot be read (a merge left conflict markers, say): its one line."""

    lang: str
    doc_id: str
    problem: str


@dataclass(frozen=True)
class Row:
    doc_id: str
    title: str
    vital: bool
    cells: tuple[Cell | Damaged | None, ...]  # one per language; None: no catalog yet


@dataclass(frozen=True)
class Column:
    code: str
    english_name: str
    native_name: str
    direction: str


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


def matrix(settings: Settings, invitations: Iterable[Holding] = ()) -> Matrix:
    """The whole project's review matrix, read from disk now."""
    titles = {doc.id: doc.title for doc in discover(settings.source_path, settings.root)}
    found, damaged = statuses(settings)
    return arrange(
        settings.languages,
        titles,
        found,
        list(invitations),
        lambda lang, doc_id, fmt: preview_path(settings, lang, doc_id, fmt).is_file(),
        damaged,
    )


def statuses(settings: Settings) -> tuple[list[CatalogStatus], list[Damaged]]:
    """Every catalog's status; a language with a damaged catalog is counted document by
    document, so only the catalogs that cannot be read are left out (with why)."""
    found: list[CatalogStatus] = []
    damaged = []
    for lang in settings.languages:
        try:
            found += status(settings, (lang,))
        except PipelineError:
            for doc_id in template_ids(settings):
                try:
                    found += status(settings, (lang,), (doc_id,))
                except PipelineError as error:
                    damaged.append(Damaged(lang, doc_id, str(error)))
    return found, damaged


def arrange(
    langs: Sequence[str],
    titles: dict[str, str],
    found: Sequence[CatalogStatus],
    invitations: Sequence[Holding],
    has_preview,
    damaged: Sequence[Damaged] = (),
) -> Matrix:
    """The matrix from counted statuses (pure but for ``has_preview``); documents in title order."""
    cells: dict[tuple[str, str], Cell | Damaged] = {
        (s.lang, s.doc_id): _cell(s, invitations, has_preview) for s in found
    }
    cells.update({(d.lang, d.doc_id): d for d in damaged})
    listed = {doc_id for _, doc_id in cells}
    doc_ids = sorted(
        {d for d in listed if d != TEMPLATE_WORDS} | set(titles),
        key=lambda d: (titles.get(d, d).casefold(), d),
    )
    if TEMPLATE_WORDS in listed:
        doc_ids.append(TEMPLATE_WORDS)
    rows = tuple(
        Row(
            doc_id,
            titles.get(doc_id, "Words of the letter and flyer templates"),
            any(s.vital for s in found if s.doc_id == doc_id),
            tuple(cells.get((lang, doc_id)) for lang in langs),
        )
        for doc_id in doc_ids
    )
    columns = []
    for code in langs:
        language = languages.get(code)
        columns.append(
            Column(code, language.english_name, language.native_name, language.direction)
        )
    return Matrix(tuple(columns), rows)


def _cell(s: CatalogStatus, invitations: Sequence[Holding], has_preview) -> Cell:
    holders = [Holder(p.reviewer, "packet", p.expires, p.entries, p.expired) for p in s.packets] + [
        Holder(i.reviewer, "invite", i.expires)
        for i in invitations
        if i.lang == s.lang and i.allows(s.doc_id)
    ]
    return Cell(
        lang=s.lang,
        doc_id=s.doc_id,
        entries=s.entries,
        words=s.words,
        words_left=sum(n for state, n in s.words.items() if state != "reviewed"),
        publish=s.publish,
        reason=s.reason,
        errors=s.errors,
        conflicts=s.conflicts,
        holders=tuple(holders),
        previews=tuple(f for f in PREVIEWS if has_preview(s.lang, s.doc_id, f)),
    )


def preview_path(settings: Settings, lang: str, doc_id: str, fmt: str) -> Path:
    """Where ``build --draft`` writes a document's output in one language."""
    return settings.build_path / lang / f"{doc_id}{SUFFIXES[fmt]}"
