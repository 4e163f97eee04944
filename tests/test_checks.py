"""Quality checks: golden expectations on small hand-made entries, and `homelang check` via the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import checks, languages
from pipeline.glossary import Glossary, Term

GLOSSARY = Glossary(
    (
        Term("Office of General Counsel", "es", "Oficina del Consejo General"),
        Term("MPS"),
    )
)

LINK = "Read the [entire resolution](https://www.mpls.k12.mn.us/sanctuary-resolution) here."

# (language, English, translation, expected check ids in order)
CASES = [
    (
        "es",
        LINK,
        "Lea la [resolución completa](https://www.mpls.k12.mn.us/sanctuary-resolution) aquí.",
        [],
    ),
    (
        "es",
        LINK,
        "Lea la [resolución completa](https://www.mpls.k12.mn.us/otra) aquí.",
        ["md-link"],
    ),
    (
        "es",
        LINK,
        "Lea la [resolución completa(https://www.mpls.k12.mn.us/sanctuary-resolution) aquí.",
        ["urls", "md-link"],
    ),
    ("es", "Hello {name}.", "Hola {nombre}.", ["placeholders"]),
    ("es", "Hello %(name)s.", "Hola.", ["placeholders"]),
    ("es", "Visit https://www.mpls.k12.mn.us today.", "Visite hoy.", ["urls"]),
    ("es", "Visit policy.mpls.k12.mn.us today.", "Visite policy.mpls.k12.mn.us hoy.", []),
    ("es", "Write to info@mpls.k12.mn.us.", "Escriba a info@mpls.k12.mn.org.", ["emails"]),
    ("es", "Call 612-668-0000.", "Llame al 612.668.0000.", []),
    ("es", "Call 612-668-0000.", "Llame al 612-668-0001.", ["phones"]),
    (
        "es",
        "Classes start at 8:30 on May 3.",
        "Las clases empiezan a las 8:30 el 4 de mayo.",
        ["numbers"],
    ),
    ("es", "This is **very** important.", "Esto es **muy* importante.", ["md-syntax"]),
    ("es", "Run `homelang`.", "Ejecute `homelango`.", ["md-syntax"]),
    ("es", "Press <b>Send</b>.", "Pulse <b>Enviar.", ["xml-tags"]),
    ("es", "MPS is a safe place.", "Las Escuelas Públicas es un lugar seguro.", ["glossary-keep"]),
    (
        "es",
        "Ask the Office of General Counsel.",
        "Pregunte a la Oficina del Abogado.",
        ["glossary-required"],
    ),
    ("es", "Ask the Office of General Counsel.", "Pregunte a la Oficina del Consejo General.", []),
    ("es", "Homework help", "Homework help", ["same"]),
    ("es", "MPS", "MPS", []),
    ("es", " Welcome", "Bienvenidos", ["begin-space"]),
    ("es", "Welcome", "Bienvenidos ", ["end-space"]),
    ("es", "Is school open?", "La escuela está abierta.", ["end-stop"]),
    ("es", "School is open.", "La escuela está abierta", ["end-stop"]),
    (
        "es",
        "Open",
        "Una traducción tan larga que ya no cabe en el volante de ninguna manera posible",
        ["long"],
    ),
    ("am", "MPS is a safe place.", "MPS ደህንነቱ የተጠበቀ ቦታ ነው።", []),
    ("am", "Is school open?", "ትምህርት ቤቱ ክፍት ነው?", []),
    ("am", "Is school open?", "ትምህርት ቤቱ ክፍት ነው።", ["end-stop"]),
    ("am", "MPS is a safe place.", "MPS waa meel ammaan ah.", ["script"]),
    ("ar", "Is school open?", "هل المدرسة مفتوحة؟", []),
    ("ar", "Is school open?", "Is school open?", ["same", "script"]),
    ("kar", "School is open.", "ကိၢ်ဖိတၢ်ကရၢ အိးထီ.", []),
    ("kar", "School is open.", "Trường học mở cửa.", ["script"]),
    ("kar", "School is open.", "ကိၢ်ဖိတၢ်ကရၢ အိးထီ။", []),
    ("am", "Note:", "ማሳሰቢያ፦", []),
    ("vi", "School is open.", "Trường học mở cửa.", []),
    ("so", "School is open.", "ትምህርት ቤቱ ክፍት ነው።", ["script"]),
]


@pytest.mark.parametrize(("code", "english", "translation", "expected"), CASES)
def test_check_ids(code: str, english: str, translation: str, expected: list[str]) -> None:
    entry = polib.POEntry(msgid=english, msgstr=translation, linenum=7)
    found = checks.check_entry(entry, languages.get(code), GLOSSARY)
    assert [f.check_id for f in found] == expected, found
    for finding in found:
        assert finding.level == checks.LEVELS[finding.check_id]
        assert (finding.line, finding.msgid) == (7, english)


def test_messages_name_both_sides() -> None:
    entry = polib.POEntry(msgid="Hello {name}.", msgstr="Hola {nombre}.", linenum=3)
    [finding] = checks.check_entry(entry, languages.get("es"), Glossary())
    assert finding == checks.Finding(
        "placeholders",
        "error",
        3,
        "Hello {name}.",
        "missing placeholder '{name}'; unexpected placeholder '{nombre}'",
    )


def test_untranslated_obsolete_and_header_are_skipped() -> None:
    catalog = polib.POFile()
    catalog.append(polib.POEntry(msgid="Hello {name}.", msgstr=""))
    catalog.append(polib.POEntry(msgid="Bye {name}.", msgstr="Adiós.", obsolete=True))
    catalog.append(polib.POEntry(msgid="See {x}.", msgstr="Vea.", flags=["fuzzy"]))
    found = checks.check_catalog(catalog, languages.get("es"), Glossary())
    assert [(f.msgid, f.check_id) for f in found] == [("See {x}.", "placeholders")]


def test_plural_forms_each_checked() -> None:
    entry = polib.POEntry(
        msgid="{n} day", msgid_plural="{n} days", msgstr_plural={0: "{n} día", 1: "días"}
    )
    found = checks.check_entry(entry, languages.get("es"), Glossary())
    assert [f.check_id for f in found] == ["placeholders"]


def _write(path: Path, entries: list[tuple[str, str]], lang: str) -> None:
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {"Language": lang, "Content-Type": "text/plain; charset=UTF-8"}
    for msgid, msgstr in entries:
        catalog.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    path.write_text(str(catalog), "utf-8")


def test_check_command_format_and_exit(catalogs_ready: Path, homelang) -> None:
    result = homelang("check", expect=0)
    assert "0 errors" in result.output
    path = catalogs_ready / "locales/am/LC_MESSAGES/sanctuary-resolution.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    catalog[0].msgstr = "MPS Guddiin Barnootaa Murtii Baase"  # Oromo pasted into Amharic
    catalog[1].msgstr = "Minneapolis Public Schools ለሁሉም ተማሪዎች ደህንነቱ የተጠበቀ ቦታ ነው"  # no end stop
    path.write_text(str(catalog), "utf-8")
    line = polib.pofile(str(path)).find(catalog[0].msgid).linenum
    result = homelang("check", "--lang", "am", expect=1)
    lines = result.output.splitlines()
    assert (
        f"locales/am/LC_MESSAGES/sanctuary-resolution.po:{line}: [script] error: "
        "text is mostly in Latin script; Amharic is written in Ethiopic" in lines
    )
    assert any("[end-stop] warning:" in x for x in lines)
    # warnings alone do not fail; --doc narrows the run
    assert homelang("check", "--lang", "am", "--doc", "sanctuary-resolution-faq", expect=0)
    data = json.loads(homelang("check", "--lang", "am", "--json", expect=1).stdout)
    assert {"path", "line", "check_id", "level", "msgid", "message"} <= data["findings"][0].keys()
    assert data["errors"] == 1, data


def test_check_unknown_doc_is_an_error(catalogs_ready: Path, homelang) -> None:
    result = homelang("check", "--doc", "nope", expect=2)
    assert "nope" in result.output


@settings(max_examples=200, deadline=None)
@given(
    english=st.text(alphabet=st.sampled_from("ab [](){}*_`<>/:.?!@-0123 ።؟ቃل\t"), max_size=40),
    translation=st.text(alphabet=st.sampled_from("ab [](){}*_`<>/:.?!@-0123 ።؟ቃل\t"), max_size=40),
    code=st.sampled_from(["es", "am", "ar", "kar"]),
)
def test_any_text_gives_findings_not_exceptions(english: str, translation: str, code: str) -> None:
    entry = polib.POEntry(msgid=english or "x", msgstr=translation, linenum=1)
    for finding in checks.check_entry(entry, languages.get(code), GLOSSARY):
        assert finding.level in ("error", "warning") and finding.message
