"""Print: pages as JSON data, laid out by the Typst templates ``letter.typ`` and ``flyer.typ``.

Typst was chosen on measurements on this 2-core machine (issue 5): about 340 one-page
letters a second as separate documents and 1,800 as one document, against
WeasyPrint's 5 and 50. Text reaches Typst only through ``sys.inputs`` as JSON, so a
translation can never run as Typst code; inline Markdown becomes styled runs
(:mod:`pipeline.render.inline`). Fonts come from PyPI packages, and every character
is checked against them first, because Typst prints nothing for a missing glyph.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import typst

from pipeline.errors import PipelineError
from pipeline.render import fonts, inline
from pipeline.render.page import Page, Piece
from pipeline.render.words import CATALOG_ID, shown_path, template_file

WATERMARK = "DRAFT, not reviewed"
#: Scripts (ISO 15924) and languages whose marks stack above and below the letters: their
#: lines are spaced from the fonts' ascenders and descenders.
TALL_SCRIPTS = {"Mymr", "Ethi", "Khmr", "Thai", "Laoo", "Tibt", "Deva", "Beng", "Sinh"}
TALL_LANGUAGES = {"vi"}  # Latin with two diacritics on one letter (ệ, ẫ)
#: Type sizes (pt) a flyer steps down through to fit one page; the last is the legible minimum.
FLYER_SIZES = (14, 13, 12, 11, 10)


class RenderError(PipelineError):
    """A template failed to compile."""


def piece_data(piece: Piece, rtl: bool) -> dict[str, Any]:
    """Runs of one piece; English on a right-to-left page is one left-to-right isolate."""
    if rtl and piece.status in ("english", "source"):
        runs = [{"text": inline.LRI}, *inline.runs(piece.text), {"text": inline.PDI}]
    else:
        runs = inline.runs(piece.text, rtl)
    return {"runs": runs, "status": piece.status}


def printed_word(page: Page, name: str, text: str) -> str:
    """Template word ``name`` (``text``, filled in) as printed: in a right-to-left page an
    English stand-in is one left-to-right isolate, punctuation included ("Dear family,")."""
    if not page.rtl:
        return text
    return inline.LRI + text + inline.PDI if name in page.english_words else inline.isolate(text)


def version_data(page: Page) -> dict[str, Any]:
    """One language version of a page, as the templates read it."""
    rtl = page.rtl
    blocks = []
    for b in page.blocks:
        item: dict[str, Any] = {
            "kind": b.kind,
            "level": b.level,
            "ordered": b.ordered,
            "raw": b.raw,
            "flyer": b.flyer,
        }
        item["piece"] = piece_data(b.piece, rtl) if b.piece else None
        item["items"] = [{"depth": depth, "piece": piece_data(p, rtl)} for depth, p in b.items]
        item["rows"] = [[piece_data(c, rtl) for c in row] for row in b.rows]
        blocks.append(item)
    words = {name: printed_word(page, name, text) for name, text in page.words.items()}
    return {
        "lang": page.lang.base,
        "dir": page.lang.direction,
        "tall": page.lang.script in TALL_SCRIPTS or page.lang.code in TALL_LANGUAGES,
        "title": piece_data(page.title, rtl),
        "summary": piece_data(page.summary, rtl) if page.summary else None,
        "date": page.date,
        "blocks": blocks,
        "words": words,
        "contact": [
            {
                "label": printed_word(
                    page, f"{key}_label", page.words.get(f"{key}_label", key) + ":"
                ),
                "value": inline.LRI + value + inline.PDI if rtl else value,
            }
            for key, value in page.contact.items()
        ],
        "marked": page.marked,
        "fonts": fonts.families([page.lang.script]),
        "machine": page.machine,
    }


def document_data(pages: list[Page], draft: bool, title: str) -> dict[str, Any]:
    """The data of one PDF holding ``pages`` (one version per language)."""
    scripts = sorted({p.lang.script for p in pages})
    district = pages[0].district
    return {
        "title": title,
        "district": {
            k: getattr(district, k) for k in ("name", "address", "phone", "email", "website")
        },
        "fonts": fonts.families(scripts),
        "draft": draft,
        "watermark": WATERMARK,
        "versions": {p.lang.code: version_data(p) for p in pages},
    }


def check_fonts(page: Page, families: list[str]) -> None:
    """Every character of the page has a glyph in ``families``, or a :class:`FontError` says where not."""
    name = page.lang.english_name
    for piece in page.pieces():
        fonts.check(piece.text, families, name, page.catalog if piece.line else None, piece.line)
    # the templates' words come from their own catalog, beside the document's
    words = page.catalog.with_name(f"{CATALOG_ID}.po") if page.catalog else None
    for word in page.words.values():
        fonts.check(word, families, name, words)
    for block in page.blocks:
        fonts.check(block.raw, families, name, page.catalog)


def page_count(pdf: bytes) -> int:
    """The pages of a PDF Typst wrote (its page objects are never compressed)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def print_template(root: Path, name: str) -> Path:
    """The Typst template ``name`` (the project's override first), with ``common.typ`` beside it."""
    path = template_file(root, name)
    if not (path.parent / "common.typ").is_file():
        raise RenderError(
            "no common.typ beside this template: copy pipeline/templates/common.typ there",
            shown_path(root, path),
        )
    return path


class PrintTemplate:
    """One Typst template, compiled as often as needed with the fonts loaded once."""

    def __init__(self, root: Path, name: str):
        self.path = print_template(root, name)
        self.compiler = typst.Compiler(
            input=str(self.path),
            root=str(self.path.parent),
            font_paths=fonts.font_paths(),
            ignore_system_fonts=True,
        )

    def render(self, data: dict[str, Any] | str) -> bytes:
        """The PDF bytes for ``data`` (or its JSON text); a template error names the template."""
        if isinstance(data, dict):
            fonts.check_data(data, "page")
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        try:
            pdf = self.compiler.compile(format="pdf", sys_inputs={"data": text})
        except typst.TypstError as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else "compile error"
            raise RenderError(f"template does not compile: {message}", self.path) from None
        if not isinstance(pdf, bytes):
            raise RenderError("template produced no PDF", self.path)
        return pdf

    def render_one_page(self, data: dict[str, Any]) -> bytes | None:
        """The PDF for ``data`` on one page, in the largest of :data:`FLYER_SIZES` that fits;
        None when even the smallest needs a second page."""
        for size in FLYER_SIZES:
            pdf = self.render({**data, "size": size})
            if page_count(pdf) == 1:
                return pdf
        return None
