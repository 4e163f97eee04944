"""The templates' own words ("Dear family", "Questions? Call ..."), translated like a document.

``words.j2`` holds them as jinja2 ``{% trans %}`` blocks. ``homelang extract``
turns them into ``locales/templates.pot`` with Babel's jinja2 extractor; update,
pretranslate and review then treat the ``templates`` catalog like any other. At build
time the same file is rendered with each language's translations, and the words are
handed to the web and print templates by name.

A district overrides any default template by putting a file of the same name in
its project's ``templates/`` folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import jinja2
import polib
from babel.messages.extract import extract_from_file

from pipeline import catalogs
from pipeline.checks_extra import STRAY_PERCENT
from pipeline.errors import SourceError

#: The catalog (and template) id of the templates' own words.
CATALOG_ID = "templates"
WORDS_FILE = "words.j2"
PACKAGE_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
#: Placeholders that stay in the words, to be filled per letter.
PER_LETTER = ("guardian", "student")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def template_file(root: Path, name: str) -> Path:
    """The project's override ``<root>/templates/<name>`` if there is one, else the default."""
    override = root / "templates" / name
    return override if override.is_file() else PACKAGE_TEMPLATES / name


def shown_path(root: Path, path: Path) -> Path:
    """A template's path as messages show it: in the project, or in homelang's defaults."""
    return (
        path.relative_to(root)
        if path.is_relative_to(root)
        else Path("pipeline/templates") / path.name
    )


def check_utf8(root: Path, path: Path) -> None:
    """A :class:`SourceError` naming the line of the first byte of ``path`` that is not UTF-8."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02X}): save the template as UTF-8",
            shown_path(root, path),
            line,
        ) from None


def words_template(root: Path) -> polib.POFile:
    """The gettext template of the words: one entry per ``{% trans %}`` block."""
    path = template_file(root, WORDS_FILE)
    check_utf8(root, path)
    shown = shown_path(root, path)
    template = catalogs.new_template(CATALOG_ID)
    by_msgid: dict[str, polib.POEntry] = {}
    try:
        found = list(extract_from_file("jinja2.ext:babel_extract", str(path)))
    except jinja2.TemplateSyntaxError as exc:
        raise SourceError(f"template syntax error: {exc.message}", shown, exc.lineno) from None
    for line, message, _comments, _context in found:
        if not isinstance(message, str) or not message:
            continue
        entry = by_msgid.get(message)
        if entry is None:
            entry = by_msgid[message] = polib.POEntry(
                msgid=message, msgstr="", comment="template words"
            )
            if _PLACEHOLDER.search(message):
                entry.flags.append("python-format")
            template.append(entry)
        entry.occurrences.append((shown.as_posix(), str(line)))
    return template


def safe_translation(msgid: str, msgstr: str) -> bool:
    """Whether ``msgstr`` can stand in for ``msgid``: same placeholders, no stray ``%``."""
    if not msgstr:
        return False
    if sorted(_PLACEHOLDER.findall(msgid)) != sorted(_PLACEHOLDER.findall(msgstr)):
        return False
    return not (_PLACEHOLDER.search(msgid) and STRAY_PERCENT.search(msgstr))


@cache
def _environment(folder: Path) -> jinja2.Environment:
    # Words are plain text here; the web templates escape them where they are used.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder), str(PACKAGE_TEMPLATES)]),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


def words(root: Path, translate: Callable[[str], str | None], phone: str) -> dict[str, str]:
    """Every word set in ``words.j2``, in one language.

    ``translate(msgid)`` gives the translation to use, or None for the English.
    ``%(guardian)s`` and ``%(student)s`` stay in the words, filled in per letter.
    """

    def gettext(msgid: str) -> str:
        text = translate(msgid)
        return text if text is not None and safe_translation(msgid, text) else msgid

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    check_utf8(root, template_file(root, WORDS_FILE))
    env = _environment(root / "templates")
    values = {name: f"%({name})s" for name in PER_LETTER}
    module = env.get_template(WORDS_FILE).make_module(
        {**values, "phone": phone, "gettext": gettext, "ngettext": ngettext}
    )
    exported = sorted(
        (name, str(value).strip())
        for name, value in vars(module).items()
        if not name.startswith("_")
    )
    return dict(exported)  # sorted: the module's names come from a set


def fill(pattern: str, **values: str) -> str:
    """Fill per-letter placeholders (``%(guardian)s``) in a word; other text is left as is."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), pattern)
