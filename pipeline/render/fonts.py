"""Fonts for print: one fallback chain over every script homelang ships, where the
files are, and whether they have a glyph for every character of a text.

The fonts come from PyPI packages (Noto Sans and its Arabic, Ethiopic, Myanmar,
Bengali, Devanagari, Khmer, Thai and CJK companions, OFL-licensed: see
``pipeline/templates/fonts/OFL.txt``), so ``pip install`` brings them to any machine;
the CJK fonts (50 MB) come with the ``homelang[cjk]`` extra. Every page is set with
all installed fonts, its own script's first, so a name, an English stand-in or a
quoted word in another script prints. Typst prints nothing for a missing glyph, so
coverage is checked here against the fonts' cmaps before anything is rendered.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont

from pipeline.errors import PipelineError


class FontError(PipelineError):
    """A font is not installed, or a text has a character no shipped font can draw."""


@dataclass(frozen=True)
class FontSource:
    family: str
    package: str  # the importable package that ships the files
    folder: str  # inside the package
    scripts: tuple[str, ...]  # ISO 15924 codes it is chosen first for
    extra: str = ""  # the homelang extra that installs the package ("" = always installed)


def _pack(family: str, pack: str, scripts: tuple[str, ...], extra: str = "") -> FontSource:
    """A font of a JustMyType pack (``justmytype-intl-<pack>``)."""
    folder = "fonts/ofl/" + family.lower().replace(" ", "")
    return FontSource(family, f"justmytype_intl_{pack}", folder, scripts, extra)


#: The fallback chain, in order after a page's own fonts. Noto Sans first: it draws
#: Latin (Vietnamese, Somali, Hmong), Cyrillic, digits and the bidi isolates. Among
#: the CJK fonts the page's own comes first (Han characters differ in shape between
#: Simplified, Traditional, Japanese and Korean).
SOURCES: tuple[FontSource, ...] = (
    FontSource("Noto Sans", "fontpkg_noto_sans", "files", ("Latn", "Cyrl", "Grek")),
    FontSource("Noto Sans Arabic", "fontpkg_noto_sans_arabic", "files", ("Arab",)),
    _pack("Noto Sans Ethiopic", "africa", ("Ethi",)),
    _pack("Noto Sans Myanmar", "sea", ("Mymr",)),
    _pack("Noto Sans Khmer", "sea", ("Khmr",)),
    _pack("Noto Sans Thai", "sea", ("Thai",)),
    _pack("Noto Sans Lao", "sea", ("Laoo",)),
    _pack("Noto Sans Bengali", "south_asia", ("Beng",)),
    _pack("Noto Sans Devanagari", "south_asia", ("Deva",)),
    _pack("Noto Sans SC", "cjk", ("Hans", "Hani"), "cjk"),
    _pack("Noto Sans TC", "cjk", ("Hant",), "cjk"),
    _pack("Noto Sans JP", "cjk", ("Jpan", "Hira", "Kana"), "cjk"),
    _pack("Noto Sans KR", "cjk", ("Kore", "Hang"), "cjk"),
)
# Characters that need no glyph: line breaks and tabs are layout, not text.
_LAYOUT = {"\n", "\t", "\r"}
# Han, kana and Hangul: printable only with the CJK extra installed.
_CJK = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]")


def _source(family: str) -> FontSource:
    return next(s for s in SOURCES if s.family == family)


def scripts_of(family: str) -> tuple[str, ...]:
    """The scripts (ISO 15924) ``family`` is in the chain for."""
    return _source(family).scripts


@cache
def installed() -> tuple[FontSource, ...]:
    """The sources whose package is installed (the extras' may be absent)."""
    return tuple(
        s for s in SOURCES if not s.extra or importlib.util.find_spec(s.package) is not None
    )


def families(scripts: list[str] | tuple[str, ...]) -> list[str]:
    """The fallback chain for a page in ``scripts``: Noto Sans, their fonts, then every other.

    A script whose fonts come with an extra that is not installed is an error naming it.
    """
    present = installed()
    for script in scripts:
        lacking = [s for s in SOURCES if script in s.scripts and s not in present]
        if lacking:
            raise FontError(
                f"the {script} script needs the {lacking[0].family} font: "
                f"pip install 'homelang[{lacking[0].extra}]'"
            )
    own = [s.family for s in present[1:] if any(x in s.scripts for x in scripts)]
    rest = [s.family for s in present[1:] if s.family not in own]
    return [present[0].family, *own, *rest]


@cache
def folder(family: str) -> Path:
    """The folder holding ``family``'s font files; an error naming the package if it is missing."""
    source = _source(family)
    spec = importlib.util.find_spec(source.package)
    if spec is None or not spec.submodule_search_locations:
        package = (
            f"'homelang[{source.extra}]'" if source.extra else source.package.replace("_", "-")
        )
        raise FontError(f"font {family!r} is not installed: pip install {package}")
    path = Path(next(iter(spec.submodule_search_locations))) / source.folder
    if not any(path.glob("*.ttf")):
        raise FontError(f"font {family!r}: no .ttf files in {path}")
    return path


def font_paths(names: list[str] | None = None) -> list[str]:
    """Folders for Typst's ``font_paths`` (every installed family by default)."""
    return [str(folder(name)) for name in (names or [s.family for s in installed()])]


@cache
def _cmap(family: str) -> frozenset[int]:
    codes: set[int] = set()
    for path in sorted(folder(family).glob("*.ttf")):
        with TTFont(path, lazy=True) as font:
            codes.update(font.getBestCmap() or {})
    return frozenset(codes)


@cache
def _covered(names: tuple[str, ...]) -> frozenset[int]:
    return frozenset().union(*(_cmap(name) for name in names))


def missing(text: str, names: list[str]) -> list[str]:
    """Characters of ``text`` (in order of first appearance) that none of ``names`` can draw."""
    covered = _covered(tuple(names))
    return [
        char for char in dict.fromkeys(text) if char not in _LAYOUT and ord(char) not in covered
    ]


def unprintable(char: str) -> str:
    """``char`` as a message names it: code point, Unicode name, and the extra that would draw it."""
    name = unicodedata.name(char, "unnamed character")
    hint = ""
    if _CJK.match(char) and not any(s.extra == "cjk" for s in installed()):
        hint = " (the CJK fonts are not installed: pip install 'homelang[cjk]')"
    return f"U+{ord(char):04X} {name}{hint}"


def check(
    text: str, names: list[str], language: str, path: Path | None = None, line: int | None = None
) -> None:
    """Raise :class:`FontError` naming the first character of ``text`` that has no glyph."""
    lacking = missing(text, names)
    if lacking:
        char = lacking[0]
        raise FontError(
            f"character {char!r} ({unprintable(char)}) in {language} text has no glyph "
            f"in the fonts homelang ships ({', '.join(names)})",
            path,
            line,
        )


def strings(data: Any) -> Iterator[str]:
    """Every string in template data (JSON-like), keys aside: the exact text a page sets."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from strings(value)


def check_data(data: dict[str, Any], what: str) -> None:
    """The last gate before printing: every character the page data holds has a glyph."""
    for text in strings(data):
        check(text, data["fonts"], what)


@cache
def digest() -> str:
    """A fingerprint of the installed font files (names and sizes), for incremental builds."""
    h = hashlib.sha256()
    for source in installed():
        for path in sorted(folder(source.family).glob("*.ttf")):
            h.update(f"{source.family}/{path.name}:{path.stat().st_size}\n".encode())
    return h.hexdigest()[:16]
