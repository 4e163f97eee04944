"""Extract: source documents -> one gettext template per document (``locales/<doc-id>.pot``)."""

from __future__ import annotations

from dataclasses import dataclass

import polib

from pipeline import catalogs
from pipeline.documents import Document, discover
from pipeline.errors import SourceError
from pipeline.files import atomic_write
from pipeline.render import words
from pipeline.settings import Settings


@dataclass(frozen=True)
class TemplateResult:
    doc_id: str
    path: str
    entries: int
    words: int
    changed: bool


def build_template(document: Document) -> polib.POFile:
    """The template for one document (pure): one entry per distinct segment, in reading order."""
    template = catalogs.new_template(document.id)
    by_msgid: dict[str, polib.POEntry] = {}
    kinds: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    for segment in document.segments():
        entry = by_msgid.get(segment.msgid)
        if entry is None:
            entry = by_msgid[segment.msgid] = polib.POEntry(msgid=segment.msgid, msgstr="")
            template.append(entry)
            kinds[segment.msgid], notes[segment.msgid] = [], []
        reference = (document.path.as_posix(), str(segment.line))
        if reference not in entry.occurrences:
            entry.occurrences.append(reference)
        if segment.kind not in kinds[segment.msgid]:
            kinds[segment.msgid].append(segment.kind)
        if segment.note and segment.note not in notes[segment.msgid]:
            notes[segment.msgid].append(segment.note)
    for msgid, entry in by_msgid.items():
        lines = [", ".join(kinds[msgid])] + [f"Note: {note}" for note in notes[msgid]]
        entry.comment = "\n".join(lines)
    return template


def extract(settings: Settings, check: bool = False) -> list[TemplateResult]:
    """Write (or with ``check``, only compare) the template of every source document."""
    results = []
    documents = discover(settings.source_path, settings.root)
    for document in documents:
        if document.id == words.CATALOG_ID:
            raise SourceError(
                f"document id {words.CATALOG_ID!r} is reserved for the templates' words",
                document.path,
                2,
            )
    # The templates' own words ("Dear family", ...) become one more template.
    templates = [(d.id, build_template(d)) for d in documents]
    templates.append((words.CATALOG_ID, words.words_template(settings.root)))
    for doc_id, template in templates:
        path = settings.template_path(doc_id)
        data = catalogs.prepare_template(path, template)
        changed = data is not None
        if changed and not check:
            atomic_write(path, data)
        results.append(
            TemplateResult(
                doc_id=doc_id,
                path=path.relative_to(settings.root).as_posix(),
                entries=len(template),
                words=sum(len(e.msgid.split()) for e in template),
                changed=changed,
            )
        )
    return results
