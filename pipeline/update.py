"""Update: templates -> one PO catalog per language and document, merged like msgmerge."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline import catalogs, languages
from pipeline.files import atomic_write
from pipeline.merge import FuzzyMatcher, merge
from pipeline.settings import Settings


@dataclass(frozen=True)
class CatalogUpdate:
    lang: str
    doc_id: str
    path: str
    created: bool
    changed: bool
    kept: int
    new: int
    fuzzy: int
    obsolete: int


def update(
    settings: Settings,
    langs: tuple[str, ...] = (),
    docs: tuple[str, ...] = (),
    check: bool = False,
) -> list[CatalogUpdate]:
    """Bring every selected catalog up to date with its template (``check``: compare only).

    All catalogs are read and merged before any is written, so a bad file anywhere
    stops the run with nothing changed. Large projects merge on every core, one
    document per task (the fuzzy matches of a document are shared by its languages).
    """
    selected = settings.select_languages(langs)
    tasks = [
        (settings, doc_id, tuple(selected)) for doc_id in catalogs.select_templates(settings, docs)
    ]
    workers = min(os.cpu_count() or 1, len(tasks))
    if workers > 1 and len(tasks) * len(selected) >= PARALLEL_FROM:
        # spawn, not fork: a worker must not inherit the project lock's descriptor, or a
        # killed run's orphaned workers would hold the lock after it died.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            merged = [
                item
                for chunk in pool.map(_merge_document, *zip(*tasks, strict=True))
                for item in chunk
            ]
    else:
        merged = [item for task in tasks for item in _merge_document(*task)]
    results = []
    for result, data in merged:
        if data is not None and not check:
            atomic_write(settings.root / result.path, data)
        results.append(result)
    return results


#: Below this many catalogs, starting worker processes costs more than it saves.
PARALLEL_FROM = 48


def _merge_document(
    settings: Settings, doc_id: str, langs: tuple[str, ...]
) -> list[tuple[CatalogUpdate, bytes | None]]:
    """Merge one template into each language's catalog; return results and the bytes to write."""
    template_path = settings.template_path(doc_id)
    template = catalogs.read_catalog(template_path, _shown(settings, template_path))
    matcher = FuzzyMatcher()  # shared by every language of this document
    out = []
    for lang in langs:
        path = settings.catalog_path(lang, doc_id)
        old = catalogs.read_catalog(path, _shown(settings, path)) if path.exists() else None
        metadata = catalogs.catalog_headers(template, languages.get(lang), old)
        catalog, stats = merge(template, old, metadata, matcher)
        data = catalogs.prepare_catalog(path, catalog)
        result = CatalogUpdate(
            lang=lang,
            doc_id=doc_id,
            path=_shown(settings, path).as_posix(),
            created=old is None,
            changed=data is not None,
            kept=stats.kept,
            new=stats.new,
            fuzzy=stats.fuzzy,
            obsolete=stats.obsolete,
        )
        out.append((result, data))
    return out


def _shown(settings: Settings, path: Path) -> Path:
    return path.relative_to(settings.root)


@dataclass(frozen=True)
class CompiledCatalog:
    lang: str
    doc_id: str
    path: str
    translated: int
    changed: bool


def compile_catalogs(
    settings: Settings, langs: tuple[str, ...] = (), docs: tuple[str, ...] = ()
) -> list[CompiledCatalog]:
    """Write ``<doc-id>.mo`` beside each PO file; fuzzy entries are left out, as msgfmt does."""
    results = []
    for doc_id in catalogs.select_templates(settings, docs):
        for lang in settings.select_languages(langs):
            path = settings.catalog_path(lang, doc_id)
            if not path.exists():
                continue
            catalog = catalogs.read_catalog(path, _shown(settings, path))
            mo = path.with_suffix(".mo")
            changed = catalogs.compile_catalog(mo, catalog)
            results.append(
                CompiledCatalog(
                    lang,
                    doc_id,
                    _shown(settings, mo).as_posix(),
                    len(catalog.translated_entries()),
                    changed,
                )
            )
    return results
