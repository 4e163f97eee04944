"""`memory import` (PO, TMX) fills drafts like the translation memory; `memory export` round-trips."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import msgfmt_check
from translate.storage import tmx

from pipeline import catalogs, states

DOC = "sanctuary-resolution"


def english(project: Path) -> list[str]:
    return [e.msgid for e in catalogs.read_catalog(project / f"locales/{DOC}.pot")]


def catalog(project: Path, lang: str):
    return catalogs.read_catalog(project / f"locales/{lang}/LC_MESSAGES/{DOC}.po")


def vendor_po(path: Path, lang: str, pairs: list[tuple[str, str]]) -> Path:
    body = "".join(f'msgid "{a}"\nmsgstr "{b}"\n\n' for a, b in pairs)
    header = f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    path.write_text(header + body, "utf-8")
    return path


def vendor_tmx(path: Path, units: list[dict[str, str]]) -> Path:
    tus = "".join(
        "<tu>"
        + "".join(f'<tuv xml:lang="{lang}"><seg>{text}</seg></tuv>' for lang, text in unit.items())
        + "</tu>\n"
        for unit in units
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
        '<header srclang="en-US" datatype="plaintext" segtype="sentence" adminlang="en" '
        'creationtool="vendor" creationtoolversion="1" o-tmf="vendor"/>\n<body>\n'
        f"{tus}</body>\n</tmx>\n",
        "utf-8",
    )
    return path


def test_import_of_po_and_tmx_fills_a_fresh_languages_drafts(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    first, second, third = english(catalogs_ready)[:3]
    po = vendor_po(tmp_path / "vendor-2024.po", "es", [(first, "Junta de MPS"), ("Gone", "Ido")])
    memory_tmx = vendor_tmx(
        tmp_path / "district.tmx",
        [{"en-US": second, "es-MX": "Resumen", "so": "Soomaali"}, {"en": third, "fr": "Français"}],
    )
    result = homelang("memory", "import", str(po), str(memory_tmx))
    assert (
        "locales/es/memory.po: 3 added, 0 replaced, 0 unchanged; 2 empty entries filled"
        in result.output
    )
    assert "locales/so/memory.po: 1 added" in result.output
    es = {e.msgid: e for e in catalog(catalogs_ready, "es")}
    for msgid, text in ((first, "Junta de MPS"), (second, "Resumen")):
        assert es[msgid].msgstr == text
        assert states.state(es[msgid]) == "machine"
        assert states.machine_provider(es[msgid]) == "memory"
    assert catalog(catalogs_ready, "so")[1].msgstr == "Soomaali"
    stored = catalogs.read_catalog(catalogs_ready / "locales/es/memory.po")
    assert [e.tcomment.split(" on ")[0] for e in stored] == [
        f"imported from {po.name}:6",  # outside the project: its name only (memory.po is committed)
        f"imported from {po.name}:9",
        f"imported from {memory_tmx.name}:5",
    ]
    for path in (
        catalogs_ready / "locales/es/memory.po",
        catalogs_ready / f"locales/es/LC_MESSAGES/{DOC}.po",
    ):
        msgfmt_check(path)
    again = homelang("memory", "import", str(po), str(memory_tmx))
    assert "0 added, 0 replaced, 3 unchanged; 0 empty entries filled" in again.output


def test_import_never_touches_a_persons_translation(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    first = english(catalogs_ready)[0]
    path = catalogs_ready / f"locales/es/LC_MESSAGES/{DOC}.po"
    po = catalog(catalogs_ready, "es")
    po[0].msgstr = "La Junta"
    states.mark_reviewed(po[0], "Hana", "2026-11-30")
    path.write_bytes(catalogs.render(po))
    homelang("memory", "import", str(vendor_po(tmp_path / "v.po", "es", [(first, "Otra cosa")])))
    assert catalog(catalogs_ready, "es")[0].msgstr == "La Junta"


def test_region_and_script_tags_find_their_configured_language(project: Path, homelang, tmp_path):
    """pt-BR, es-419 and zh-Hant catalogs (gettext folders pt_BR ...) take TMX units and PO
    files however their tags are written, and the export writes BCP 47 tags."""
    import re

    settings = project / "pyproject.toml"
    text = settings.read_text("utf-8")
    text = re.sub(
        r"(?m)^languages = .*$", 'languages = ["pt-BR", "es-419", "zh-Hant"]', text, count=1
    )
    settings.write_text(text.replace('language_providers = { kar = "none" }', ""), "utf-8")
    homelang("extract")
    homelang("update")
    first, second, third = english(project)[:3]
    units = [{"en": first, "pt-BR": "Conselho", "es-MX": "Junta", "zh-TW": "董事會"}]
    homelang("memory", "import", str(vendor_tmx(tmp_path / "v.tmx", units)))
    homelang("memory", "import", str(vendor_po(tmp_path / "v.po", "pt_BR", [(second, "Resumo")])))
    homelang(
        "memory",
        "import",
        "--lang",
        "ZH-hant",
        str(vendor_po(tmp_path / "z.po", "", [(third, "摘要")])),
    )
    assert not any(
        p.name in ("pt-BR", "zh-Hant", "ZH_HANT") for p in (project / "locales").iterdir()
    )
    expected = {
        "pt_BR": {first: "Conselho", second: "Resumo"},
        "es_419": {first: "Junta"},
        "zh_Hant": {first: "董事會", third: "摘要"},
    }
    for lang, texts in expected.items():
        filled = {e.msgid: e for e in catalog(project, lang)}
        for msgid, translation in texts.items():
            assert filled[msgid].msgstr == translation, lang
            assert states.machine_provider(filled[msgid]) == "memory"
    po = catalog(project, "pt_BR")
    po[0].flags.remove("fuzzy")
    states.mark_reviewed(po[0], "Hana", "2026-11-30")
    (project / f"locales/pt_BR/LC_MESSAGES/{DOC}.po").write_bytes(catalogs.render(po))
    out = tmp_path / "out.tmx"
    homelang("memory", "export", "--tmx", str(out))
    assert 'xml:lang="pt-BR"' in out.read_text("utf-8")


def test_export_round_trips_through_translate_toolkit(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    reviewed = set()
    for lang, text in (("es", "La Junta"), ("ar", "المجلس")):
        path = catalogs_ready / f"locales/{lang}/LC_MESSAGES/{DOC}.po"
        po = catalog(catalogs_ready, lang)
        po[0].msgstr = text + " \u2028 línea"
        states.mark_reviewed(po[0], "Hana", "2026-11-30")
        path.write_bytes(catalogs.render(po))
        reviewed.add((lang, po[0].msgid, po[0].msgstr))
    out = tmp_path / "out.tmx"
    result = homelang("memory", "export", "--tmx", str(out))
    assert "2 reviewed translations (ar, es)" in result.output
    with out.open("rb") as f:
        store = tmx.tmxfile(f)
    read = {
        (
            node.get("{http://www.w3.org/XML/1998/namespace}lang"),
            unit.source,
            unit.getNodeText(node),
        )
        for unit in store.units
        for node in unit.getlanguageNodes()[1:]
    }
    assert read == reviewed
    # and what we export, a neighbour's homelang imports
    fresh = tmp_path / "again.tmx"
    fresh.write_bytes(out.read_bytes())
    assert "locales/ar/memory.po: 1 added" in homelang("memory", "import", str(fresh)).output


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


BAD = [
    ("broken.tmx", "<tmx><body><tu>\n<tuv>", "broken.tmx:2: not a valid TMX file"),
    ("other.tmx", "<html><body/></html>", "other.tmx:1: not a TMX file"),
    ("empty.tmx", None, "empty.tmx: no English translations"),
    (
        "broken.po",
        'msgid ""\nmsgstr ""\n\nmsgid "a\nmsgstr ""\n',
        "broken.po:4: not a valid PO file",
    ),
    ("klingon.po", 'msgid ""\nmsgstr ""\n"Language: tlh\\n"\n', "broken.po"),
]


@pytest.mark.parametrize("name,text,message", BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_one_line_and_changes_nothing(
    name: str, text: str | None, message: str, catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    good = vendor_po(tmp_path / "good.po", "es", [(english(catalogs_ready)[0], "Junta")])
    bad = tmp_path / name
    if text is None:
        vendor_tmx(bad, [{"de": "nur Deutsch"}])
    else:
        bad.write_text(text, "utf-8")
    if name == "klingon.po":
        message = "klingon.po: its Language header says 'tlh', not a configured language"
    before = tree(catalogs_ready)
    result = homelang("memory", "import", str(good), str(bad), expect=2)
    assert result.output.strip().count("\n") == 0
    assert message in result.output
    assert tree(catalogs_ready) == before
