"""Fonts for print: which families each script needs, where their files are, and
whether they have a glyph for every character of a text.

The fonts come from PyPI packages (Noto Sans and its Arabic, Ethiopic and Myanmar
companions, OFL-licensed: see ``pipeline/templates/fonts/OFL.txt``), so ``pip install``
brings them to any machine. Typst prints nothing for a missing glyph, so coverage is
checked here against the fonts' cmaps before anything is rendered.
"""

from __future__ import annotations

import hashlib
import importlib.util
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

from pipeline.errors import PipelineError


class FontError(PipelineError):
    """A font is not installed, or a text has a character no chosen font can draw."""


@dataclass(frozen=True)
class FontSource:
    family: str
    package: str  # the importable package that ships the files
    folder: str  # inside the package
    scripts: tuple[str, ...]  # ISO 15924 codes it is chosen for


#: Noto Sans first: it draws Latin (Vietnamese, Somali, Hmong), digits and the bidi isolates.
SOURCES: tuple[FontSource, ...] = (
    FontSource("Noto Sans", "fontpkg_noto_sans", "files", ("Latn",)),
    FontSource("Noto Sans Arabic", "fontpkg_noto_sans_arabic", "files", ("Arab",)),
    FontSource(
        "Noto Sans Ethiopic", "justmytype_intl_africa", "fonts/ofl/notosansethiopic", ("Ethi",)
    ),
    FontSource("Noto Sans Myanmar", "justmytype_intl_sea", "fonts/ofl/notosansmyanmar", ("Mymr",)),
)
# Characters that need no glyph: line breaks and tabs are layout, not text.
_LAYOUT = {"\n", "\t", "\r"}


def families(scripts: list[str] | tuple[str, ...]) -> list[str]:
    """The font families, in fallback order, for text in ``scripts`` (Noto Sans always first)."""
    chosen = [SOURCES[0].family]
    for source in SOURCES[1:]:
        if any(s in source.scripts for s in scripts):
            chosen.append(source.family)
    return chosen


def _source(family: str) -> FontSource:
    return next(s for s in SOURCES if s.family == family)


@cache
def folder(family: str) -> Path:
    """The folder holding ``family``'s font files; an error naming the package if it is missing."""
    source = _source(family)
    spec = importlib.util.find_spec(source.package)
    if spec is None or not spec.submodule_search_locations:
        package = source.package.replace("_", "-")
        raise FontError(f"font {family!r} is not installed: pip install {package}")
    path = Path(next(iter(spec.submodule_search_locations))) / source.folder
    if not any(path.glob("*.ttf")):
        raise FontError(f"font {family!r}: no .ttf files in {path}")
    return path


def font_paths(names: list[str] | None = None) -> list[str]:
    """Folders for Typst's ``font_paths`` (every known family by default)."""
    return [str(folder(name)) for name in (names or [s.family for s in SOURCES])]


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


def check(
    text: str, names: list[str], language: str, path: Path | None = None, line: int | None = None
) -> None:
    """Raise :class:`FontError` naming the first character of ``text`` that has no glyph."""
    lacking = missing(text, names)
    if lacking:
        char = lacking[0]
        name = unicodedata.name(char, "unnamed character")
        raise FontError(
            f"character {char!r} (U+{ord(char):04X} {name}) in {language} text has no glyph "
            f"in the fonts {', '.join(names)}",
            path,
            line,
        )


@cache
def digest() -> str:
    """A fingerprint of the installed font files (names and sizes), for incremental builds."""
    h = hashlib.sha256()
    for source in SOURCES:
        for path in sorted(folder(source.family).glob("*.ttf")):
            h.update(f"{source.family}/{path.name}:{path.stat().st_size}\n".encode())
    return h.hexdigest()[:16]
