"""Fonts for the web: a CSS font stack per script, and subset web fonts for previews.

A published snippet names a stack (the Noto family homelang prints with, then what
phones and desktops ship) and loads nothing. Preview pages (``index.html`` and
``--draft`` snippets) also embed the fonts of their non-Latin scripts, subset to the
characters on the page (fontTools, WOFF2 through brotli) as ``data:`` URLs, so Ethiopic
and Myanmar render on a reviewer's machine that has no font for them.
"""

from __future__ import annotations

import base64
import io
from functools import cache

from fontTools import subset
from fontTools.ttLib import TTFont

from pipeline.render import fonts

#: What devices ship for each script (ISO 15924), after homelang's Noto family.
FALLBACKS = {
    "Latn": ("system-ui", "-apple-system", '"Segoe UI"', "Roboto"),
    "Arab": ('"Noto Naskh Arabic"', '"Geeza Pro"', "Tahoma"),
    "Ethi": ('"Abyssinica SIL"', "Kefa", "Nyala", "Ebrima"),
    "Mymr": ('"Myanmar Text"', '"Myanmar Sangam MN"', "Padauk"),
}
#: Family-name prefix of an embedded subset, so the page uses it and not a system copy.
EMBEDDED = "homelang "


def _embeddable(scripts: list[str]) -> list[str]:
    """The families to embed for ``scripts``: all but Noto Sans (Latin is on every device)."""
    return fonts.families(scripts)[1:]


def font_stack(scripts: list[str], embedded: bool = False) -> str:
    """The CSS ``font-family`` value for text in ``scripts`` (embedded subsets first)."""
    embeds = [f'"{EMBEDDED}{n}"' for n in _embeddable(scripts)] if embedded else []
    chain = fonts.families(scripts)
    own = [n for n in chain[1:] if set(fonts.scripts_of(n)) & set(scripts)]
    names = [f'"{n}"' for n in [*own, chain[0], *(n for n in chain[1:] if n not in own)]]
    others = [f for s in scripts for f in FALLBACKS.get(s, ())]
    return ", ".join(dict.fromkeys([*embeds, *names, *others, "sans-serif"]))


def font_faces(text: str, scripts: list[str]) -> str:
    """``@font-face`` rules embedding, for each non-Latin script font, the glyphs of ``text``."""
    rules = []
    chars = "".join(sorted(set(text)))
    beyond_latin = fonts.missing(chars, fonts.families(scripts)[:1])
    for family in _embeddable(scripts):
        if not set(beyond_latin) - set(fonts.missing("".join(beyond_latin), [family])):
            continue  # it draws no character of the page: nothing to embed
        data = base64.b64encode(_subset(family, chars)).decode("ascii")
        rules.append(
            f'@font-face{{font-family:"{EMBEDDED}{family}";font-weight:400;'
            f'src:url(data:font/woff2;base64,{data}) format("woff2")}}'
        )
    return "\n".join(rules)


@cache
def _subset(family: str, chars: str) -> bytes:
    upright = sorted(p for p in fonts.folder(family).glob("*.ttf") if "Italic" not in p.name)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # shaping: Ethiopic and Myanmar need their features
    # the regular instance only: subsetting the variations takes ten times as long, and a
    # preview's bold can be drawn by the browser
    options.drop_tables += ["fvar", "gvar", "avar", "cvar", "HVAR", "MVAR", "VVAR", "STAT", "meta"]
    out = io.BytesIO()
    # no timestamp: the same bytes on every build
    with TTFont(upright[0], recalcTimestamp=False, lazy=True) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        font.save(out)
    return out.getvalue()
