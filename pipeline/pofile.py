"""PO text <-> :class:`polib.POFile`, read the way GNU gettext reads and written byte for byte.

polib's reader and writer split strings at every character Python calls a line break
(U+2028, U+2029, U+0085, form feed...), so such text was cut apart on write and lost
on read; its reader also drops ``#~|`` lines, gives a headerless file's first
translator comment to the file, and refuses what GNU accepts (one-line entries,
``#:ref``, ``#,fuzzy``). This module keeps polib's objects (the rest of homelang uses
them) and replaces both ends: lines break only at ``\\n``, strings are escaped as GNU
``msgcat`` escapes them, every other character is kept as it is.

Pure: text in, objects out and back; :mod:`pipeline.catalogs` does the file I/O.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib

from pipeline.errors import CatalogError

#: One token of an entry line: an optional keyword, then an optional quoted string.
_TOKEN = re.compile(
    r'[ \t]*(?:(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?(?=[ \t"]|$)[ \t]*)?'
    r'(?:"([^"\\]*(?:\\.[^"\\]*)*)")?[ \t]*'
)
_READ_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,8})|(.))", re.S)
# Written as polib writes them (so polib-based tools read our files); GNU reads all of them.
_WRITE_ESCAPES = {v: "\\" + k for k, v in _READ_ESCAPES.items() if k != "a"}
_WRITE_ESCAPES |= {"\\": "\\\\", '"': '\\"'}
_TO_ESCAPE = re.compile(r'[\\"\n\t\r\b\f\v]')


def _unescape_one(match: re.Match[str]) -> str:
    octal, hexa, char = match.groups()
    if octal:
        return chr(int(octal, 8))
    if hexa:
        code = int(hexa, 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:  # past Unicode, or a surrogate
            raise ValueError(f"escape \\x{hexa} is not a character")
        return chr(code)
    return _READ_ESCAPES.get(char, char)


def unescape(text: str) -> str:
    return _ESCAPE.sub(_unescape_one, text) if "\\" in text else text


def escape(text: str) -> str:
    return _TO_ESCAPE.sub(lambda m: _WRITE_ESCAPES[m.group()], text)


class _Entry:
    """An entry while it is read: comments first, then its strings."""

    def __init__(self) -> None:
        self.tcomment: list[str] = []
        self.comment: list[str] = []
        self.occurrences: list[tuple[str, str]] = []
        self.flags: list[str] = []
        self.previous: dict[str, str] = {}
        self.strings: dict[str, str] = {}
        self.plural: dict[int, str] = {}
        self.obsolete = False
        self.line = 0

    def complete(self) -> bool:
        return "msgstr" in self.strings or bool(self.plural)

    def build(self) -> polib.POEntry:
        strings, previous = self.strings, self.previous
        return polib.POEntry(
            msgid=strings["msgid"],
            msgstr=strings.get("msgstr", ""),
            msgctxt=strings.get("msgctxt"),
            msgid_plural=strings.get("msgid_plural", ""),
            msgstr_plural=self.plural,
            tcomment="\n".join(self.tcomment),
            comment="\n".join(self.comment),
            occurrences=self.occurrences,
            flags=self.flags,
            previous_msgctxt=previous.get("msgctxt"),
            previous_msgid=previous.get("msgid"),
            previous_msgid_plural=previous.get("msgid_plural"),
            obsolete=self.obsolete,
            linenum=self.line,
        )


class _Reader:
    """GNU's PO grammar, line by line: comments, ``#|``/``#~|`` previous strings, fields."""

    def __init__(self, shown: Path) -> None:
        self.shown = shown
        self.entries: list[polib.POEntry] = []
        self.current = _Entry()
        self.field: tuple[dict, str | int] | None = None  # where the next string goes
        self.number = 0
        self.last = 0  # the last line that held something

    def fail(self, message: str) -> CatalogError:
        return CatalogError(f"not a valid PO file: {message}", self.shown, self.number)

    def finish(self) -> None:
        current = self.current
        if current.strings:
            if "msgid" not in current.strings:
                raise self.fail("msgctxt without msgid")
            if not current.complete():
                raise CatalogError("file ends inside an entry (truncated?)", self.shown, self.last)
            self.entries.append(current.build())
        self.current, self.field = _Entry(), None

    def simple(self, match: re.Match[str], number: int) -> bool:
        """Read a one-string entry whole (most are); False if the entry above is still open."""
        if self.current.complete():
            self.finish()
        current = self.current
        if current.strings or current.previous or current.tcomment or current.comment:
            return False
        comments, msgid, msgstr = match.groups()
        lines = comments.split("\n")[:-1] if comments else []
        for self.number, line in enumerate(lines, number):
            self.line(line)
        self.number = self.last = number + len(lines) + 1
        current.line = current.line or number
        current.strings = {"msgid": unescape(msgid), "msgstr": unescape(msgstr)}
        self.finish()
        return True

    def line(self, line: str) -> None:
        if line.strip():
            self.last = self.number
        if line[:1] != "#":
            if line.strip():
                self.tokens(line, previous=False)
            return
        second = line[1:2]
        if second == "~":
            rest = line[2:]
            if rest[:1] == "|":
                self.tokens(rest[1:], previous=True)
            elif rest.strip():
                self.tokens(rest, previous=False, obsolete=True)
            return
        if self.current.complete():
            self.finish()
        current = self.current
        current.line = current.line or self.number
        if second == "|":
            self.tokens(line[2:], previous=True)
        elif second == ".":
            current.comment.append(_comment_text(line[2:]))
        elif second == ":":
            current.occurrences.extend(_occurrence(ref) for ref in line[2:].split())
        elif second == ",":
            current.flags.extend(f for f in (f.strip() for f in line[2:].split(",")) if f)
        else:
            current.tcomment.append(_comment_text(line[1:]))

    def tokens(self, line: str, previous: bool, obsolete: bool = False) -> None:
        pos, end = 0, len(line)
        while pos < end:
            match = _TOKEN.match(line, pos)
            if match is None or match.end() == pos:
                raise self.fail(f"cannot parse {line[pos:].strip()[:40]!r}")
            pos = match.end()
            keyword, index, string = match.groups()
            if keyword is not None:
                if previous:
                    self.start_previous(keyword, index)
                else:
                    self.start(keyword, index, obsolete)
            if string is not None:
                if self.field is None:
                    raise self.fail("a string without its keyword")
                target, name = self.field
                target[name] += unescape(string)

    def start_previous(self, keyword: str, index: str | None) -> None:
        if self.current.complete():
            self.finish()
        if index is not None or keyword == "msgstr":
            raise self.fail(f"'{keyword}' in a previous-string (#|) line")
        self.current.line = self.current.line or self.number
        self.current.previous[keyword] = ""
        self.field = (self.current.previous, keyword)

    def start(self, keyword: str, index: str | None, obsolete: bool) -> None:
        current = self.current
        strings = current.strings
        if keyword in ("msgctxt", "msgid") and current.complete():
            self.finish()
            current = self.current
            strings = current.strings
        if keyword == "msgctxt" and strings or keyword == "msgid" and "msgid" in strings:
            raise self.fail(f"{keyword} before the msgstr of the entry above")
        if keyword in ("msgid_plural", "msgstr") and "msgid" not in strings:
            raise self.fail(f"{keyword} without msgid")
        if not strings:
            current.line = current.line or self.number
            current.obsolete = obsolete
        if index is not None:
            if keyword != "msgstr" or "msgid_plural" not in strings or "msgstr" in strings:
                raise self.fail(f"{keyword}[{index}] here")
            current.plural[int(index)] = ""
            self.field = (current.plural, int(index))
            return
        if keyword in strings or keyword == "msgstr" and current.plural:
            raise self.fail(f"{keyword} twice in one entry")
        if keyword == "msgid_plural" and len(strings) > 1 + ("msgctxt" in strings):
            raise self.fail("msgid_plural after msgstr")
        strings[keyword] = ""
        self.field = (strings, keyword)


#: An entry of comments (``#``, ``#.``, ``#:``, ``#,``) and a one-line msgid and msgstr.
_SIMPLE_ENTRY = re.compile(
    r'((?:#[ .:,][^\n]*\n)*)msgid "([^"\\\n]*(?:\\.[^"\\\n]*)*)"\n'
    r'msgstr "([^"\\\n]*(?:\\.[^"\\\n]*)*)"\n?'
)


def _comment_text(text: str) -> str:
    text = text[1:] if text[:1] == " " else text
    return text[:-1] if _SHIELDED.search(text) else text


#: GNU joins a line that ends with a backslash to the next one, comments included, and
#: a carriage return before the line end is part of a CRLF: a comment line ending in
#: either (then spaces) is written with one more space, which the reader takes off.
_SHIELDED = re.compile(r"[\\\r] +\Z")
_EXPOSED = re.compile(r"[\\\r] *\Z")


def _shield(line: str) -> str:
    return line + " " if _EXPOSED.search(line) else line


def _occurrence(ref: str) -> tuple[str, str]:
    path, _, line = ref.rpartition(":")
    return (path, line) if path and line.isdigit() else (ref, "")


def parse(text: str, shown: Path) -> polib.POFile:
    """A catalog from PO text (``\\n`` line ends); any problem is a :class:`CatalogError`."""
    reader = _Reader(shown)
    number = 1
    for block in text.split("\n\n"):  # entries are separated by blank lines, as we write them
        simple = _SIMPLE_ENTRY.fullmatch(block)
        try:
            if simple is None or not reader.simple(simple, number):
                for reader.number, line in enumerate(block.split("\n"), number):
                    reader.line(line)
        except ValueError as exc:  # an escape past Unicode
            raise reader.fail(str(exc)) from None
        number += block.count("\n") + 2
    reader.finish()
    catalog = polib.POFile(wrapwidth=0)
    seen: dict[tuple[str | None, str], int] = {}
    for entry in reader.entries:
        key = (entry.msgctxt, entry.msgid)
        if key in seen:  # GNU refuses a second definition, obsolete or not
            raise CatalogError(
                f"duplicate message {entry.msgid[:40]!r} (first at line {seen[key]})",
                shown,
                entry.linenum,
            )
        seen[key] = entry.linenum
        if entry.msgid == "" and entry.msgctxt is None and not entry.obsolete:
            catalog.header = entry.tcomment
            catalog.metadata_is_fuzzy = ["fuzzy"] if "fuzzy" in entry.flags else []
            catalog.metadata = _metadata(entry.msgstr)
        else:
            catalog.append(entry)
    return catalog


def _metadata(msgstr: str) -> dict[str, str]:
    metadata: dict[str, str] = {}
    key = None
    for line in msgstr.split("\n"):
        name, colon, value = line.partition(":")
        if colon and name.strip():
            key = name.strip()
            metadata[key] = value.strip()
        elif key is not None and line.strip():
            metadata[key] += "\n" + line.strip()
    return metadata


def render(catalog: polib.POFile) -> str:
    """PO text for ``catalog``: polib's layout unwrapped, lines broken only after ``\\n``."""
    blocks = [_entry(e) for e in catalog if not e.obsolete]
    blocks += [_entry(e) for e in catalog if e.obsolete]
    return render_header(catalog) + "".join("\n" + block for block in blocks)


def render_header(catalog: polib.POFile) -> str:
    """The header comment and header entry: what :func:`render` begins with."""
    lines = catalog.header.split("\n") if catalog.header else []
    out = [
        "#" if not line else f"#{_shield(line)}" if line[0] in ",:" else f"# {_shield(line)}"
        for line in lines
    ]
    header = polib.POEntry(msgid="", msgstr=_metadata_text(catalog.metadata))
    if catalog.metadata_is_fuzzy:
        header.flags.append("fuzzy")
    return "".join(line + "\n" for line in out) + _entry(header)


#: polib's (and GNU's) order of the standard header fields; others follow, sorted.
_FIELD_ORDER = (
    "Project-Id-Version",
    "Report-Msgid-Bugs-To",
    "POT-Creation-Date",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Plural-Forms",
)


def _metadata_text(metadata: dict[str, str]) -> str:
    known = [k for k in _FIELD_ORDER if k in metadata]
    rest = polib.natural_sort([k for k in metadata if k not in _FIELD_ORDER])
    return "".join(f"{key}: {metadata[key]}\n" for key in known + rest)


def _entry(entry: polib.POEntry) -> str:
    out = []
    if entry.tcomment:
        out += [f"# {_shield(line)}" for line in entry.tcomment.split("\n")]
    if not entry.obsolete:
        if entry.comment:
            out += [f"#. {_shield(line)}" for line in entry.comment.split("\n")]
        if entry.occurrences:
            out.append("#: " + " ".join(f"{p}:{n}" if n else p for p, n in entry.occurrences))
    if entry.flags:  # in one order whoever set them: GNU's, fuzzy first
        out.append("#, " + ", ".join(sorted(entry.flags, key=lambda flag: flag != "fuzzy")))
    marker = "#~| " if entry.obsolete else "#| "
    for name in ("msgctxt", "msgid", "msgid_plural"):
        value = getattr(entry, f"previous_{name}")
        if value is not None:
            _field(out, marker, name, value)
    marker = "#~ " if entry.obsolete else ""
    if entry.msgctxt is not None:
        _field(out, marker, "msgctxt", entry.msgctxt)
    _field(out, marker, "msgid", entry.msgid)
    if entry.msgid_plural:
        _field(out, marker, "msgid_plural", entry.msgid_plural)
    if entry.msgstr_plural:
        for index in sorted(entry.msgstr_plural):
            _field(out, marker, f"msgstr[{index}]", entry.msgstr_plural[index])
    else:
        _field(out, marker, "msgstr", entry.msgstr)
    out.append("")
    return "\n".join(out)


def _field(out: list[str], marker: str, name: str, value: str) -> None:
    parts = value.split("\n")
    lines = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    if len(lines) > 1:
        out.append(f'{marker}{name} ""')
        out += [f'{marker}"{escape(line)}"' for line in lines]
    else:
        out.append(f'{marker}{name} "{escape(value)}"')
