"""Web: HTML snippets (``<section lang dir>``) and ``build/index.html``, through jinja2.

Autoescaping is on and undefined names are errors (``StrictUndefined``). A
translation's inline Markdown goes through :func:`pipeline.render.inline.to_html`
(raw HTML off, unsafe links dropped) before it is marked safe, so a ``<script>`` or
``javascript:`` link in a PO file comes out as inert text. Pages load no external
assets: styles are inline and images are not rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pipeline.errors import PipelineError
from pipeline.render import inline, webfonts
from pipeline.render.page import ENGLISH, SOURCE, Page, Piece
from pipeline.render.pdf import WATERMARK
from pipeline.render.words import PACKAGE_TEMPLATES

#: The language of stand-ins and of text kept as written (the templates' words are English).
SOURCE_LANG = "en"


class WebTemplateError(PipelineError):
    """A web template that does not parse or render."""


@cache
def environment(root: Path) -> jinja2.Environment:
    """The jinja2 environment: the project's ``templates/`` first, then the defaults."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(root / "templates"), str(PACKAGE_TEMPLATES)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _render(root: Path, name: str, values: Mapping[str, Any]) -> str:
    env = environment(root)
    try:
        template = env.get_template(name)
        return template.render(**values)
    except jinja2.TemplateSyntaxError as exc:
        raise WebTemplateError(
            f"template syntax error: {exc.message}", exc.filename or name, exc.lineno
        ) from None
    except UnicodeDecodeError:
        raise WebTemplateError(
            "not UTF-8 text: save the template as UTF-8", Path("templates") / name
        ) from None
    except jinja2.UndefinedError as exc:
        raise WebTemplateError(
            f"template error: {exc.message}", template.filename or name
        ) from None


def snippet(root: Path, page: Page) -> str:
    """The HTML fragment for one page."""
    rtl = page.rtl
    translated = page.lang.code != SOURCE_LANG

    def english(p: Piece) -> bool:
        return translated and p.status in (ENGLISH, SOURCE)

    def piece(p: Piece) -> Markup:
        html = inline.to_html(p.text, rtl and not english(p))
        if p.marked:
            name = f"{p.status}_label"
            html += f' <small class="hl-mark"{own_lang(name)}>[{word(name)}]</small>'
        return Markup(html)

    def lang(p: Piece) -> Markup:
        """The attributes of an element holding English on a translated page."""
        return Markup(f' lang="{SOURCE_LANG}" dir="ltr"' if english(p) else "")

    def own_lang(name: str) -> Markup:
        """The attributes of an element holding only word ``name``, in its own language."""
        if name in page.english_words and translated:
            return Markup(f' lang="{SOURCE_LANG}" dir="ltr"')
        return Markup(f' lang="{page.lang.code}" dir="{page.lang.direction}"')

    def word(name: str) -> Markup:
        text = page.words[name]
        return Markup(inline.escape(text, rtl and name not in page.english_words))

    values = {
        "page": page,
        "piece": piece,
        "lang": lang,
        "word": word,
        "word_lang": own_lang,
        "watermark": WATERMARK,
        "font_stack": Markup(webfonts.font_stack([page.lang.script], embedded=page.draft)),
        "font_faces": Markup(""),
    }
    html = _render(root, "web.html.j2", values)
    if not page.draft:
        return html
    # a draft is a preview: it brings the fonts of its script, subset to its text
    faces = webfonts.font_faces(html, [page.lang.script])
    return _render(root, "web.html.j2", {**values, "font_faces": Markup(faces)})


def index(root: Path, district: str, languages: list[dict[str, Any]]) -> str:
    """``index.html``: each language (native name first) with its outputs and their status,
    with the fonts of its scripts embedded (subset to the page's text)."""
    scripts = sorted({"Latn", *(language["script"] for language in languages)})
    values = {
        "district": district,
        "languages": languages,
        "font_stack": Markup(webfonts.font_stack(scripts, embedded=True)),
        "font_faces": Markup(""),
    }
    html = _render(root, "index.html.j2", values)
    faces = {"font_faces": Markup(webfonts.font_faces(html, scripts))}
    return _render(root, "index.html.j2", {**values, **faces})
