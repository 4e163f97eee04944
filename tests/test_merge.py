"""Merge semantics, one case per behaviour of GNU msgmerge (our own cases, theirs as the judge).

Each case is checked twice: on :func:`pipeline.merge.merge` itself (no files), and
through ``homelang update`` compared entry by entry with GNU ``msgmerge --previous``
run on the same two files.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import Homelang, msgfmt_check

from pipeline import catalogs, languages
from pipeline.merge import merge


def po_header(lang: str) -> str:
    language = languages.get(lang)
    return (
        f"# Translator's notes.\n"
        f'msgid ""\nmsgstr ""\n"Project-Id-Version: district letters 2025\\n"\n'
        f'"PO-Revision-Date: 2025-09-01 10:00+0000\\n"\n'
        f'"Last-Translator: Hana <hana@example.org>\\n"\n'
        f'"Language-Team: {language.english_name} <{lang}@li.org>\\n"\n'
        f'"Language: {lang}\\n"\n"MIME-Version: 1.0\\n"\n'
        f'"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Content-Transfer-Encoding: 8bit\\n"\n'
        f'"Plural-Forms: {language.plural_forms}\\n"\n\n'
    )


POT_HEADER = catalogs.render(catalogs.new_template("letters")).decode() + "\n"

#: (language, old catalog, new template, expected {msgid: summary}); see :func:`summary`.
CASES = {
    "gains a plural: the translation becomes a fuzzy draft in every form": (
        "es",
        'msgid "one apple"\nmsgstr "una manzana"\n',
        'msgid "one apple"\nmsgid_plural "apples"\nmsgstr[0] ""\nmsgstr[1] ""\n',
        {"one apple": ("fuzzy", ("una manzana", "una manzana"), "one apple", None, "")},
    ),
    "gains a plural in a language of six forms": (
        "ar",
        'msgid "one apple"\nmsgstr "تفاحة"\n',
        'msgid "one apple"\nmsgid_plural "apples"\nmsgstr[0] ""\nmsgstr[1] ""\n',
        {"one apple": ("fuzzy", ("تفاحة",) * 6, "one apple", None, "")},
    ),
    "loses its plural: the first form becomes a fuzzy draft": (
        "es",
        '# checked by Hana\nmsgid "one apple"\nmsgid_plural "apples"\n'
        'msgstr[0] "una manzana"\nmsgstr[1] "manzanas"\n',
        'msgid "one apple"\nmsgstr ""\n',
        {"one apple": ("fuzzy", "una manzana", "one apple", "apples", "checked by Hana")},
    ),
    "a changed msgid_plural makes the entry fuzzy and shows the old one": (
        "es",
        'msgid "one apple"\nmsgid_plural "apples"\nmsgstr[0] "una manzana"\nmsgstr[1] "manzanas"\n',
        'msgid "one apple"\nmsgid_plural "many apples"\nmsgstr[0] ""\nmsgstr[1] ""\n',
        {"one apple": ("fuzzy", ("una manzana", "manzanas"), "one apple", "apples", "")},
    ),
    "a new plural entry gets the language's number of forms": (
        "ar",
        'msgid "kept"\nmsgstr "محفوظ"\n',
        'msgid "kept"\nmsgstr ""\n\nmsgid "one bus"\nmsgid_plural "buses"\nmsgstr[0] ""\nmsgstr[1] ""\n',
        {
            "kept": ("translated", "محفوظ", None, None, ""),
            "one bus": ("untranslated", ("",) * 6, None, None, ""),
        },
    ),
    "a python-format flag the translation fails makes it fuzzy": (
        "es",
        'msgid "Hello %(name)s"\nmsgstr "Hola"\n\nmsgid "Bye %(name)s"\nmsgstr "Adiós %(name)s"\n',
        '#, python-format\nmsgid "Hello %(name)s"\nmsgstr ""\n\n'
        '#, python-format\nmsgid "Bye %(name)s"\nmsgstr ""\n',
        {
            "Hello %(name)s": ("fuzzy", "Hola", "Hello %(name)s", None, ""),
            "Bye %(name)s": ("translated", "Adiós %(name)s", None, None, ""),
        },
    ),
    "a c-format flag the translation fails makes it fuzzy": (
        "es",
        'msgid "%d buses"\nmsgstr "%s autobuses"\n\nmsgid "%d cars"\nmsgstr "%d coches"\n',
        '#, c-format\nmsgid "%d buses"\nmsgstr ""\n\n#, c-format\nmsgid "%d cars"\nmsgstr ""\n',
        {
            "%d buses": ("fuzzy", "%s autobuses", "%d buses", None, ""),
            "%d cars": ("translated", "%d coches", None, None, ""),
        },
    ),
    "a range the old one does not cover makes the entry fuzzy": (
        "es",
        '#, range: 0..10\nmsgid "wide"\nmsgstr "ancho"\n\n#, range: 0..10\nmsgid "narrow"\nmsgstr "estrecho"\n',
        '#, range: 0..20\nmsgid "wide"\nmsgstr ""\n\n#, range: 2..5\nmsgid "narrow"\nmsgstr ""\n',
        {
            "wide": ("fuzzy", "ancho", "wide", None, ""),
            "narrow": ("translated", "estrecho", None, None, ""),
        },
    ),
    "an obsolete entry of the template is never brought back": (
        "es",
        'msgid "kept"\nmsgstr "guardado"\n\n#~ msgid "gone"\n#~ msgstr "ido"\n',
        'msgid "kept"\nmsgstr ""\n\n#~ msgid "gone"\n#~ msgstr ""\n',
        {
            "kept": ("translated", "guardado", None, None, ""),
            "gone": ("obsolete", "ido", None, None, ""),
        },
    ),
    "an obsolete entry keeps its flags": (
        "es",
        '#, fuzzy, python-format\nmsgid "Hi %(n)s"\nmsgstr "Hola %(n)s"\n\n'
        '#, python-format\nmsgid "Bye %(n)s"\nmsgstr "Adiós %(n)s"\n',
        'msgid "kept"\nmsgstr ""\n',
        {
            "kept": ("untranslated", "", None, None, ""),
            "Hi %(n)s": ("obsolete", "Hola %(n)s", None, None, ""),
            "Bye %(n)s": ("obsolete", "Adiós %(n)s", None, None, ""),
        },
    ),
    "an entry the template holds as obsolete takes the template's flags": (
        "es",
        '#, python-format\nmsgid "Bye %(n)s"\nmsgstr "Adiós %(n)s"\n',
        '#~ msgid "Bye %(n)s"\n#~ msgstr ""\n',
        {"Bye %(n)s": ("obsolete", "Adiós %(n)s", None, None, "")},
    ),
    "the previous English of an obsolete draft survives": (
        "es",
        'msgid "kept"\nmsgstr "guardado"\n\n#, fuzzy\n#~| msgid "old words"\n#~ msgid "new words"\n'
        '#~ msgstr "palabras"\n',
        'msgid "kept"\nmsgstr ""\n',
        {
            "kept": ("translated", "guardado", None, None, ""),
            "new words": ("obsolete", "palabras", "old words", None, ""),
        },
    ),
    "changed English keeps the translation as a fuzzy draft with the old English": (
        "es",
        '# Hana: formal register\nmsgid "The school bus leaves at seven in the morning."\n'
        'msgstr "El autobús escolar sale a las siete de la mañana."\n',
        'msgid "The school bus leaves at eight in the morning."\nmsgstr ""\n',
        {
            "The school bus leaves at eight in the morning.": (
                "fuzzy",
                "El autobús escolar sale a las siete de la mañana.",
                "The school bus leaves at seven in the morning.",
                None,
                "Hana: formal register",
            )
        },
    ),
    "an obsolete translation comes back when its English does": (
        "es",
        '#~ msgid "Welcome back"\n#~ msgstr "Bienvenidos"\n',
        'msgid "Welcome back"\nmsgstr ""\n',
        {"Welcome back": ("translated", "Bienvenidos", None, None, "")},
    ),
    "an sh-format flag is judged like msgfmt judges it": (
        "es",
        'msgid "Running as $pid."\nmsgstr "Corre como $pid."\n\nmsgid "Stopped $pid."\nmsgstr "Parado."\n',
        '#, sh-format\nmsgid "Running as $pid."\nmsgstr ""\n\n#, sh-format\nmsgid "Stopped $pid."\nmsgstr ""\n',
        {
            "Running as $pid.": ("translated", "Corre como $pid.", None, None, ""),
            "Stopped $pid.": ("fuzzy", "Parado.", "Stopped $pid.", None, ""),
        },
    ),
    "a new entry keeps the template's translator comment": (
        "es",
        'msgid "kept"\nmsgstr "guardado"\n',
        'msgid "kept"\nmsgstr ""\n\n# a note in the template\nmsgid "new"\nmsgstr ""\n',
        {
            "kept": ("translated", "guardado", None, None, ""),
            "new": ("untranslated", "", None, None, "a note in the template"),
        },
    ),
    "an entry with no translation is never fuzzy": (
        "es",
        '#, fuzzy\nmsgid "one bus"\nmsgid_plural "buses"\nmsgstr[0] ""\nmsgstr[1] ""\n',
        'msgid "one bus"\nmsgid_plural "buses"\nmsgstr[0] ""\nmsgstr[1] ""\n',
        {"one bus": ("untranslated", ("", ""), None, None, "")},
    ),
    "one-line entries, #:ref and #,fuzzy without a space are read": (
        "es",
        '#:x.md:1\nmsgid "a" msgstr "b"\n\n#,fuzzy\nmsgid "c"\nmsgstr "d"\n',
        'msgid "a"\nmsgstr ""\n\nmsgid "c"\nmsgstr ""\n',
        {"a": ("translated", "b", None, None, ""), "c": ("fuzzy", "d", None, None, "")},
    ),
}


def summary(catalog) -> dict[str, tuple]:
    """Per msgid: (state, msgstr or plural forms, previous msgid, previous msgid_plural, comment)."""
    out = {}
    for e in catalog:
        if e.obsolete:
            state = "obsolete"
        elif "fuzzy" in e.flags:
            state = "fuzzy"
        else:
            state = "translated" if e.msgstr or any(e.msgstr_plural.values()) else "untranslated"
        text = (
            tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural))
            if e.msgid_plural
            else e.msgstr
        )
        out[e.msgid] = (state, text, e.previous_msgid, e.previous_msgid_plural, e.tcomment)
    return out


def parse(text: str):
    return catalogs.parse_catalog(text.encode("utf-8"), Path("x.po"))


@pytest.mark.parametrize("name", list(CASES))
def test_merge(name: str) -> None:
    lang, old, pot, expected = CASES[name]
    old_catalog, template = parse(po_header(lang) + old), parse(POT_HEADER + pot)
    metadata = catalogs.catalog_headers(template, languages.get(lang), old_catalog)
    merged, _ = merge(template, old_catalog, metadata)
    assert summary(merged) == expected


def write_project(root: Path, lang: str, old: str, pot: str) -> Path:
    (root / "locales" / lang / "LC_MESSAGES").mkdir(parents=True)
    (root / "homelang.toml").write_text(f'languages = ["{lang}"]\n', "utf-8")
    (root / "locales/letters.pot").write_text(POT_HEADER + pot, "utf-8")
    path = root / "locales" / lang / "LC_MESSAGES/letters.po"
    path.write_text(po_header(lang) + old, "utf-8")
    return path


@pytest.mark.parametrize("name", list(CASES))
def test_update_merges_like_msgmerge(name: str, tmp_path: Path) -> None:
    lang, old, pot, _ = CASES[name]
    path = write_project(tmp_path / "project", lang, old, pot)
    gnu = tmp_path / "gnu.po"
    subprocess.run(
        [
            "msgmerge",
            "--previous",
            "--no-wrap",
            "-q",
            "-o",
            str(gnu),
            str(path),
            str(path.parents[2] / "letters.pot"),
        ],
        check=True,
    )
    Homelang(tmp_path / "project")("update")
    ours = catalogs.read_catalog(path)
    assert summary(ours) == summary(catalogs.read_catalog(gnu))
    assert {e.msgid: set(e.flags) for e in ours} == {
        e.msgid: set(e.flags) for e in catalogs.read_catalog(gnu)
    }
    msgfmt_check(path)


def test_headerless_catalog_keeps_the_translator_comment_on_its_entry(tmp_path: Path) -> None:
    path = write_project(tmp_path / "project", "es", "", 'msgid "a"\nmsgstr ""\n')
    path.write_text('# checked by Hana\nmsgid "a"\nmsgstr "b"\n', "utf-8")
    Homelang(tmp_path / "project")("update")
    catalog = catalogs.read_catalog(path)
    assert (catalog[0].msgstr, catalog[0].tcomment) == ("b", "checked by Hana")
    msgfmt_check(path)


def test_unchanged_catalog_is_not_rewritten_and_keeps_the_translators_header(
    tmp_path: Path,
) -> None:
    pot = 'msgid "a"\nmsgstr ""\n'
    path = write_project(tmp_path / "project", "es", 'msgid "a"\nmsgstr "b"\n', pot)
    homelang = Homelang(tmp_path / "project")
    homelang("update")  # the template's POT-Creation-Date comes in; no entry changed
    before = path.read_bytes()
    assert b"Project-Id-Version: district letters 2025" in before
    assert b"Last-Translator: Hana <hana@example.org>" in before
    assert b"PO-Revision-Date: 2025-09-01 10:00+0000" in before
    assert "0 changed, 1 unchanged" in homelang("update").output
    assert path.read_bytes() == before
    # Poedit's own line layout is kept when nothing changed
    wrapped = before.replace(b'msgstr "b"', b'msgstr ""\n"b"')
    path.write_bytes(wrapped)
    homelang("update")
    assert path.read_bytes() == wrapped
    # a content change moves PO-Revision-Date, and only then
    (tmp_path / "project/locales/letters.pot").write_text(
        POT_HEADER + pot + '\nmsgid "c"\nmsgstr ""\n'
    )
    homelang("update")
    assert b"PO-Revision-Date: 2025-09-01" not in path.read_bytes()
    assert b"Last-Translator: Hana <hana@example.org>" in path.read_bytes()


FORMATS = [
    ("python-format", "Hello %(name)s", "Hola %(name)s"),
    ("python-format", "Hello %(name)s", "Hola"),
    ("python-format", "Hello %(name)s", "Hola %(nombre)s"),
    ("python-format", "%s of %d", "%s de %d"),
    ("python-format", "%s of %d", "%d de %s"),
    ("python-format", "100%% sure", "100%% seguro"),
    ("c-format", "%d buses", "%d autobuses"),
    ("c-format", "%d buses", "%s autobuses"),
    ("c-format", "%ld buses", "%d autobuses"),
    ("c-format", "%s and %s", "%s y"),
    ("sh-format", "Run $pid now", "Corre $pid ya"),
    ("sh-format", "Run $pid now", "Corre ya"),
    ("sh-format", "Run ${pid} now", "Corre $pid ya"),
    ("sh-format", "Run $pid now", "Corre $uid ya"),
    ("python-brace-format", "Hi {name}", "Hola {name}"),
    ("python-brace-format", "Hi {name}", "Hola {nombre}"),
    ("python-brace-format", "Hi {{name}}", "Hola {{name}}"),
]


@pytest.mark.parametrize("flag,msgid,msgstr", FORMATS)
def test_format_check_judges_like_msgfmt(
    flag: str, msgid: str, msgstr: str, tmp_path: Path
) -> None:
    from pipeline import formats

    entry = parse(po_header("es") + f'#, {flag}\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n')[0]
    path = tmp_path / "x.po"
    path.write_text(po_header("es") + f'#, {flag}\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n', "utf-8")
    gnu = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(path)], capture_output=True
    )
    assert formats.still_valid([], entry) == (gnu.returncode == 0)


def test_a_machine_draft_of_changed_english_shows_the_old_english() -> None:
    """Where GNU would show no previous English (the draft had none), homelang shows the old one."""
    old = parse(
        po_header("es")
        + '#, fuzzy\nmsgid "The bus leaves at seven."\nmsgstr "El autobús sale a las siete."\n'
    )
    template = parse(POT_HEADER + 'msgid "The bus leaves at eight."\nmsgstr ""\n')
    merged, _ = merge(template, old, dict(old.metadata))
    assert summary(merged)["The bus leaves at eight."] == (
        "fuzzy",
        "El autobús sale a las siete.",
        "The bus leaves at seven.",
        None,
        "",
    )
