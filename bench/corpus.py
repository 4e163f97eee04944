"""Generated catalogs for benchmarks: many documents, many languages, part translated."""

from __future__ import annotations

import random
from pathlib import Path

import polib

from pipeline import catalogs, languages
from pipeline.merge import merge

WORDS = (
    "school family student teacher district board policy safety language support "
    "meeting schedule bus route lunch program parent guardian office counsel rights "
    "immigration status information community staff welcome learning environment "
    "health nurse attendance report grade class principal volunteer translation notice "
    "enroll enrollment calendar holiday weather closing early release conference "
    "homework library transportation registration form deadline contact phone email"
).split()
LANGS = ["es", "so", "hmn", "kar", "om", "am", "ar", "vi", "fr", "ru", "ko", "zh"]


def paragraph(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(18, 60))
    return " ".join(words).capitalize() + "."


def edit(text: str, rng: random.Random) -> str:
    """A typical revision: mostly a word or three changed, sometimes a rewrite."""
    words = text.rstrip(".").split()
    if rng.random() < 0.15:
        return paragraph(rng)
    for _ in range(rng.randint(1, 3)):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    words.insert(rng.randrange(len(words)), rng.choice(WORDS))
    return " ".join(words) + "."


def make_project(
    root: Path,
    docs: int = 50,
    per_doc: int = 100,
    share_translated: float = 0.8,
    share_edited: float = 0.05,
    seed: int = 7,
) -> dict[str, str]:
    """Write settings, old catalogs and *edited* templates; return {new msgid: old msgid} of edits."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "homelang.toml").write_text(f"languages = {LANGS!r}\n".replace("'", '"'), "utf-8")
    (root / "source").mkdir(parents=True, exist_ok=True)
    edits: dict[str, str] = {}
    for d in range(docs):
        doc_id = f"doc-{d:02d}"
        texts = list(dict.fromkeys(paragraph(rng) for _ in range(per_doc)))
        old = catalogs.new_template(doc_id)
        for i, text in enumerate(texts):
            old.append(
                polib.POEntry(msgid=text, occurrences=[(f"source/{doc_id}.md", str(10 + 3 * i))])
            )
        for lang in LANGS:
            template_metadata = catalogs.catalog_headers(old, languages.get(lang), None)
            po, _ = merge(old, None, template_metadata)
            for entry in po:
                if rng.random() < share_translated:
                    entry.msgstr = f"[{lang}] {entry.msgid}"
            path = root / "locales" / lang / "LC_MESSAGES" / f"{doc_id}.po"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(catalogs.render(po))
        new = catalogs.new_template(doc_id)
        new.metadata["POT-Creation-Date"] = "2026-01-01 00:00+0000"
        for i, text in enumerate(texts):
            if rng.random() < share_edited:
                changed = edit(text, rng)
                edits[changed] = text
                text = changed
            new.append(
                polib.POEntry(msgid=text, occurrences=[(f"source/{doc_id}.md", str(10 + 3 * i))])
            )
        (root / "locales" / f"{doc_id}.pot").write_bytes(catalogs.render(new))
    return edits
