"""Update: templates -> one PO catalog per language and document, merged like msgmerge."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import catalogs, languages
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


def template_ids(settings: Settings) -> list[str]:
    """Document ids that have a template in ``locales/``, sorted."""
    return sorted(p.stem for p in settings.locales_path.glob("*.pot"))


def update(
    settings: Settings,
    langs: tuple[str, ...] = (),
    docs: tuple[str, ...] = (),
    check: bool = False,
) -> list[CatalogUpdate]:
    """Bring every selected catalog up to date with its template (``check``: compare only)."""
    results = []
    doc_ids = template_ids(settings)
    for doc_id in docs:
        if doc_id not in doc_ids:
            raise catalogs.CatalogError(f"no template for document {doc_id!r}; run 'homelang extract'", settings.locales_path)
    for doc_id in docs or doc_ids:
        template_path = settings.template_path(doc_id)
        template = catalogs.read_catalog(template_path, _shown(settings, template_path))
        matcher = FuzzyMatcher()  # shared by every language of this document
        for lang in settings.select_languages(langs):
            results.append(_update_one(settings, template, doc_id, lang, matcher, check))
    return results


def _update_one(settings, template, doc_id, lang, matcher, check) -> CatalogUpdate:
    path = settings.catalog_path(lang, doc_id)
    old = catalogs.read_catalog(path, _shown(settings, path)) if path.exists() else None
    metadata = catalogs.catalog_headers(template, languages.get(lang), old)
    merged, stats = merge(template, old, metadata, matcher)
    if check:
        try:
            changed = path.read_bytes() != catalogs.render(merged)
        except FileNotFoundError:
            changed = True
    else:
        changed = catalogs.write_catalog(path, merged)
    return CatalogUpdate(
        lang=lang,
        doc_id=doc_id,
        path=_shown(settings, path).as_posix(),
        created=old is None,
        changed=changed,
        kept=stats.kept,
        new=stats.new,
        fuzzy=stats.fuzzy,
        obsolete=stats.obsolete,
    )


def _shown(settings: Settings, path: Path) -> Path:
    return path.relative_to(settings.root)


@dataclass(frozen=True)
class CompiledCatalog:
    lang: str
    doc_id: str
    path: str
    translated: int
    changed: bool


def compile_catalogs(settings: Settings, langs: tuple[str, ...] = (), docs: tuple[str, ...] = ()) -> list[CompiledCatalog]:
    """Write ``<doc-id>.mo`` beside each PO file; fuzzy entries are left out, as msgfmt does."""
    results = []
    for doc_id in docs or template_ids(settings):
        for lang in settings.select_languages(langs):
            path = settings.catalog_path(lang, doc_id)
            if not path.exists():
                continue
            catalog = catalogs.read_catalog(path, _shown(settings, path))
            mo = path.with_suffix(".mo")
            changed = catalogs.compile_catalog(mo, catalog)
            results.append(CompiledCatalog(lang, doc_id, _shown(settings, mo).as_posix(), len(catalog.translated_entries()), changed))
    return results
