"""The PO reader and writer: what GNU gettext reads is read, every character is kept."""

from __future__ import annotations

import subprocess
from pathlib import Path

import libre_server
import polib
import pytest
from conftest import msgfmt_check, trials
from hypothesis import given
from hypothesis import strategies as st

from pipeline import catalogs, languages, pofile

libre = libre_server.libre  # the loopback LibreTranslate server fixture

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def _header():
    catalog = polib.POFile()
    catalog.header = "A test catalog."
    catalog.metadata = catalogs.language_headers(
        languages.get("es"), "test", "2026-01-01 00:00+0000", "t <>"
    )
    return catalog


#: A header msgfmt --check-header accepts.
FULL_HEADER = catalogs.render(_header()).decode()


def parse(text: str):
    return catalogs.parse_catalog(text.encode("utf-8"), Path("x.po"))


def gnu_reads(text: str, tmp_path: Path) -> list[tuple]:
    """What GNU msgcat makes of ``text``: (msgid, msgstr, obsolete, fuzzy, prev, refs) per entry."""
    path = tmp_path / "in.po"
    path.write_bytes(text.encode("utf-8"))
    out = subprocess.run(
        ["msgcat", "--no-wrap", "-o", "-", str(path)], capture_output=True, check=True
    ).stdout
    return rows(catalogs.parse_catalog(out, Path("gnu.po")))


def rows(catalog) -> list[tuple]:
    return [
        (e.msgid, e.msgstr, e.obsolete, "fuzzy" in e.flags, e.previous_msgid, e.occurrences)
        for e in catalog
    ]


# Each input is read by GNU msgcat too, and must be read the same way.
ACCEPTED = {
    "one-line entry": (HEADER + 'msgid "a" msgstr "b"\n', [("a", "b", False, False, None, [])]),
    "reference without space": (
        HEADER + '#:src/x.md:3\nmsgid "a"\nmsgstr "b"\n',
        [("a", "b", False, False, None, [("src/x.md", "3")])],
    ),
    "flag without space": (
        HEADER + '#,fuzzy\nmsgid "a"\nmsgstr "b"\n',
        [("a", "b", False, True, None, [])],
    ),
    "CRLF line ends": (
        (HEADER + '#: x.md:1\nmsgid "a"\nmsgstr "b"\n').replace("\n", "\r\n"),
        [("a", "b", False, False, None, [("x.md", "1")])],
    ),
    "previous msgid of an obsolete entry": (
        HEADER + '#, fuzzy\n#~| msgid "old"\n#~ msgid "new"\n#~ msgstr "b"\n',
        [("new", "b", True, True, "old", [])],
    ),
    "keyword and string on two lines": (
        HEADER + 'msgid\n"a"\nmsgstr\n"b"\n',
        [("a", "b", False, False, None, [])],
    ),
    "octal and hex escapes": (
        HEADER + 'msgid "\\101\\x42"\nmsgstr "c"\n',
        [("AB", "c", False, False, None, [])],
    ),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_what_gnu_accepts_is_read_as_gnu_reads_it(name: str, tmp_path: Path) -> None:
    text, expected = ACCEPTED[name]
    assert rows(parse(text)) == expected
    assert gnu_reads(text, tmp_path) == expected


@pytest.mark.parametrize(
    "text,line,message",
    [
        (HEADER + 'msgid "a"\nmsgstr "b"\n\n#~ msgid "a"\n#~ msgstr "c"\n', 8, "first at line 5"),
        (HEADER + 'msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 8, "first at line 5"),
        (HEADER + 'msgid "a"\nmsgid "b"\nmsgstr ""\n', 6, "before the msgstr"),
        (HEADER + 'msgid "a"\nmsgstr "b\n', 6, "cannot parse"),
        (HEADER + 'msgid "a"\n', 5, "truncated"),
        (HEADER + 'msgid "a"\nmsgstr[0] "b"\n', 6, r"msgstr\[0\]"),
    ],
)
def test_what_gnu_refuses_is_refused_with_its_line(
    text: str, line: int, message: str, tmp_path: Path
) -> None:
    with pytest.raises(catalogs.CatalogError, match=message) as info:
        parse(text)
    assert info.value.line == line
    path = tmp_path / "x.po"
    path.write_text(text, "utf-8")
    gnu = subprocess.run(["msgcat", str(path)], capture_output=True, text=True)
    assert gnu.returncode != 0


def test_headerless_file_keeps_the_translator_comment_on_its_entry() -> None:
    catalog = parse('# checked by Hana\nmsgid "a"\nmsgstr "b"\n')
    assert catalog[0].tcomment == "checked by Hana"
    assert b"# checked by Hana\nmsgid" in catalogs.render(catalog)


def test_obsolete_previous_msgid_survives_a_round_trip() -> None:
    text = FULL_HEADER + '\n#, fuzzy\n#~| msgid "old"\n#~ msgid "new"\n#~ msgstr "b"\n'
    catalog = parse(text)
    assert catalogs.render(catalog).decode() == text


SEPARATORS = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r"]


@pytest.mark.parametrize("char", SEPARATORS, ids=[f"U+{ord(c):04X}" for c in SEPARATORS])
def test_line_separators_are_kept_byte_for_byte(char: str, tmp_path: Path) -> None:
    catalog = parse(FULL_HEADER)
    text = f"our students{char}We will"
    catalog.append(polib.POEntry(msgid=text, msgstr=text, tcomment=f"note{char}kept"))
    data = catalogs.render(catalog)
    again = catalogs.parse_catalog(data, Path("x.po"))
    assert (again[0].msgid, again[0].msgstr, again[0].tcomment) == (text, text, f"note{char}kept")
    path = tmp_path / "x.po"
    path.write_bytes(data)
    msgfmt_check(path)


# Text as people write it: any character but NUL and EOT (which GNU gettext refuses).
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00\x04"), max_size=40)


@trials(200)
@given(msgid=TEXT.filter(bool), msgstr=TEXT, note=TEXT, context=st.none() | TEXT)
def test_any_text_round_trips_and_msgfmt_accepts_it(
    msgid: str, msgstr: str, note: str, context: str | None, tmp_path_factory
) -> None:
    catalog = parse(FULL_HEADER)
    # msgfmt --check wants msgid and msgstr to begin and end alike with a newline
    core = msgstr.strip("\n") or "x"
    msgstr = ("\n" if msgid[0] == "\n" else "") + core + ("\n" if msgid[-1] == "\n" else "")
    if msgid == "\n":
        msgstr = "\n"
    entry = polib.POEntry(msgid=msgid, msgstr=msgstr, msgctxt=context, tcomment=note)
    catalog.append(entry)
    catalog.append(
        polib.POEntry(
            msgid=msgid + "!", msgstr=msgstr, obsolete=True, flags=["fuzzy"], previous_msgid=note
        )
    )
    data = catalogs.render(catalog)
    again = catalogs.parse_catalog(data, Path("x.po"))
    assert [(e.msgid, e.msgstr, e.msgctxt, e.tcomment, e.previous_msgid) for e in again] == [
        (e.msgid, e.msgstr, e.msgctxt, e.tcomment, e.previous_msgid) for e in catalog
    ]
    assert catalogs.render(again) == data
    path = tmp_path_factory.mktemp("po") / "x.po"
    path.write_bytes(data)
    gnu = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True)
    assert gnu.returncode == 0, gnu.stderr.decode()


@pytest.mark.parametrize("value", ["1.5", "garbage", "-1", "99999999999999999999", "١٢", ""])
def test_a_bad_source_date_epoch_is_ignored(value: str, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert catalogs.timestamp()[:2] == "20"


def test_source_date_epoch_pins_the_date(monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert catalogs.timestamp() == "2026-01-01 00:00+0000"


def test_line_separators_survive_every_stage(
    project: Path, homelang, libre, tmp_path: Path
) -> None:
    """extract, update, pretranslate, review packets and import, memory import: byte for byte."""
    import json

    from pipeline import states

    source = project / "source/notices/sanctuary-resolution.md"
    text = source.read_text("utf-8")
    paragraph = "Our students\u2028matter.\u2029Always\x85here."
    source.write_text(text.replace("We are committed", paragraph + " We are committed", 1), "utf-8")
    with (project / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(
            f"\n[tool.homelang.providers.libre]\nurl = {json.dumps(libre.url)}\nbackoff = 0.01\n"
        )
    homelang("extract")
    homelang("update")
    homelang("extract", "--check")
    po_path = project / "locales/es/LC_MESSAGES/sanctuary-resolution.po"
    [english] = [e.msgid for e in catalogs.read_catalog(po_path) if paragraph in e.msgid]
    homelang("pretranslate", "--lang", "es", "--provider", "libre", "--doc", "sanctuary-resolution")
    machine = {e.msgid: e.msgstr for e in catalogs.read_catalog(po_path)}[english]
    assert "\u2028" in machine and "\u2029" in machine and "\x85" in machine
    homelang("update", "--check")  # what was written reads back to the same catalog
    packet_path = tmp_path / "packet.po"
    homelang("review", "export", "--lang", "es", "-o", str(packet_path))
    packet = catalogs.read_catalog(packet_path)
    entry = next(e for e in packet if e.msgid == english)
    assert entry.msgstr == machine
    entry.msgstr = "Nuestros estudiantes\u2028importan.\u2029Siempre\x85aquí. " + entry.msgstr
    entry.flags.remove("fuzzy")
    packet_path.write_bytes(catalogs.render(packet))
    # exit 1: the other entries of the packet were left as exported
    homelang("review", "import", str(packet_path), expect=1)
    kept = next(e for e in catalogs.read_catalog(po_path) if e.msgid == english)
    assert (kept.msgstr, states.state(kept)) == (entry.msgstr, "reviewed")
    msgfmt_check(po_path)
    # and through the translation memory, into another language
    vendor = tmp_path / "vendor.po"
    vendor.write_text(
        FULL_HEADER.replace("Language: es", "Language: vi")
        + f'\nmsgid "{pofile.escape(english)}"\nmsgstr "Học\u2028sinh\x85của"\n',
        "utf-8",
    )
    homelang("memory", "import", str(vendor))
    vi = catalogs.read_catalog(project / "locales/vi/LC_MESSAGES/sanctuary-resolution.po")
    assert next(e for e in vi if e.msgid == english).msgstr == "Học\u2028sinh\x85của"


@pytest.mark.parametrize("note", ["C:\\folder\\", "ends in a CR\r", "both\\ \r  ", "plain"])
def test_comments_gnu_would_join_or_cut_are_kept(note: str, tmp_path: Path) -> None:
    """GNU joins a line ending in a backslash to the next; CR LF is a line end."""
    catalog = parse(FULL_HEADER)
    catalog.append(polib.POEntry(msgid="a", msgstr="b", tcomment=note, comment=note))
    data = catalogs.render(catalog)
    again = catalogs.parse_catalog(data, Path("x.po"))
    assert (again[0].tcomment, again[0].comment) == (note, note)
    path = tmp_path / "x.po"
    path.write_bytes(data)
    assert gnu_reads(data.decode(), tmp_path)[0][:2] == ("a", "b")
    msgfmt_check(path)


def test_entries_read_whole_and_line_by_line_agree() -> None:
    """Most entries are read whole; the line-by-line reader must agree with it."""
    text = FULL_HEADER + (
        '\n# a note\n#. extracted\n#: x.md:3\n#, fuzzy\nmsgid "a \\"b\\" \u2028c"\nmsgstr "d\\\\"\n'
        '\n#: x.md:5\nmsgid "e"\nmsgstr ""\n'
    )
    whole = parse(text)
    by_line = parse(text.replace("\n\n", "\n\n\n"))  # a leading blank line: read line by line
    fields = ("msgid", "msgstr", "tcomment", "comment", "occurrences", "flags")
    assert [[getattr(e, f) for f in fields] for e in whole] == [
        [getattr(e, f) for f in fields] for e in by_line
    ]
    assert [e.linenum for e in whole] == [14, 21]  # the first line of each entry
    assert catalogs.render(whole).decode() == text


@pytest.mark.parametrize("entries", [0, 1, 3])
@pytest.mark.parametrize("dated", [True, False])
def test_a_changed_catalog_is_written_as_rendered_with_a_new_date(
    entries: int, dated: bool, tmp_path: Path, monkeypatch
) -> None:
    """prepare_catalog renders the entries once and the header again with the new date."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    catalog = parse(FULL_HEADER)
    if not dated:
        del catalog.metadata["PO-Revision-Date"]
    for n in range(entries):
        catalog.append(polib.POEntry(msgid=f"a{n}", msgstr=f"b{n}", obsolete=n == 2))
    path = tmp_path / "x.po"
    path.write_bytes(b"an older version\n")
    data = catalogs.prepare_catalog(path, catalog)
    assert catalog.metadata["PO-Revision-Date"] == "2026-01-01 00:00+0000"
    assert data == catalogs.render(catalog)
    path.write_bytes(data)
    assert catalogs.prepare_catalog(path, catalog) is None
