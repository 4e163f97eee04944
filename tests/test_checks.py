"""Quality checks: golden expectations on small hand-made entries, and `homelang check` via the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import checks, languages, links, markup
from pipeline.glossary import Glossary, Term
from pipeline.render import inline

GLOSSARY = Glossary(
    (
        Term("Office of General Counsel", "es", "Oficina del Consejo General"),
        Term("MPS"),
    )
)

SAFE = (
    "We are committed to the safety and emotional well-being of our students and will "
    "continue to provide a safe and welcoming learning environment for all."
)
SAFE_ES = (
    "Estamos comprometidos con la seguridad y el bienestar emocional de nuestros estudiantes "
    "y seguiremos ofreciendo un entorno de aprendizaje seguro y acogedor para todos."
)
SAFE_SO = (
    "Waxaan ka go'an nahay badbaadada iyo ladnaanta shucuureed ee ardaydeena, waxaanna "
    "sii wadi doonnaa inaan u bixino jawi waxbarasho oo ammaan ah oo soo dhaweyn leh dhammaan."
)
SAFE_VI = (
    "Chúng tôi cam kết bảo đảm an toàn và sức khỏe tinh thần của học sinh và sẽ tiếp tục "
    "mang đến một môi trường học tập an toàn và thân thiện cho tất cả mọi người."
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
    # bidi controls reorder what prints: an override turns the number around
    ("es", "Call 612-668-0000.", "Llame al \u202e612-668-0000\u202c.", ["bidi-control"]),
    ("es", "Call 612-668-0000.", "Llame al \u2066612-668-0000\u2069.", ["bidi-control"]),
    ("ar", "Call 612-668-0000.", "اتصل \u200f612-668-0000.", ["bidi-control"]),
    # the Arabic letter mark makes the digits after it Arabic numbers: reordered too
    ("es", "Call 612-668-0000.", "Llame al \u061c612-668-0000.", ["bidi-control"]),
    ("ar", "Call \u200f612-668-0000.", "اتصل \u200f612-668-0000.", []),
    # links: schemes in any case, only http, https, mailto and tel, tel: only to the English's phones
    ("es", "See <https://www.mpls.k12.mn.us/>.", "Vea <HTTPS://www.mpls.k12.mn.us/>.", []),
    ("es", "See <https://www.mpls.k12.mn.us/>.", "Vea <HTTPS://evil.example/>.", ["urls"]),
    ("es", "See the site.", "Vea <HTTPS://evil.example/>.", ["urls"]),
    ("es", "See the site.", "Vea <smb://evil.example/share>.", ["urls"]),
    (
        "es",
        "Search the site here.",
        "Busque <search-ms:query=x&crumb=location:\\\\evil>.",
        ["urls"],
    ),
    ("es", "Call 612-668-0000.", "Llame al 612-668-0000 o <tel:19005550100>.", ["phones"]),
    ("es", "Call 612-668-0000.", "Llame al <tel:+1-612-668-0000>.", []),
    (
        "es",
        "Read [the notice](https://x.org/n).",
        "Lea [el aviso](SMB://x.org/n).",
        ["urls", "md-link"],
    ),
    # phones: every dash, space and bracket, and any script's digits
    ("es", "Call 612-668-0000.", "Llame al 612–668–0000.", []),
    ("es", "Call 612-668-0000.", "Llame al 612–668–0001.", ["phones"]),
    ("es", "Call 612–668–0000.", "Llame al 612—668—0001.", ["phones"]),
    ("es", "Call (612) 668-0000.", "Llame al （612）\u00a0668\u2009\u2212\u20090000.", []),
    ("ar", "Call 612-668-0000.", "اتصل بالرقم ٦١٢-٦٦٨-٠٠٠٠.", []),
    # script: Latin words quoted from the English (streets, names) are not the translator's
    (
        "am",
        "We are at 1250 West Broadway Avenue in Minneapolis.",
        "እኛ በ 1250 West Broadway Avenue in Minneapolis ላይ ነን።",
        [],
    ),
    (
        "am",
        "We are at 1250 West Broadway Avenue.",
        "We are at 1250 West Broadway Avenue, waa meel ammaan ah.",
        ["script"],
    ),
    # language: same script, another language, where the identifier knows both
    ("es", SAFE, SAFE_SO, ["language"]),
    ("es", SAFE, SAFE_ES, []),
    ("vi", SAFE, SAFE_VI, []),
    ("so", SAFE, SAFE_SO, []),
    ("so", SAFE, SAFE_ES, ["language"]),
    ("hmn", SAFE, SAFE_SO, []),  # the identifier has no Hmong: silent
    ("es", "Welcome.", "Soo dhawaada.", []),  # too short to tell
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


# (link target, may a page carry it)
TARGETS = [
    ("https://www.mpls.k12.mn.us/", True),
    ("HTTPS://www.mpls.k12.mn.us/", True),
    ("http://policy.mpls.k12.mn.us/", True),
    ("mailto:info@mpls.k12.mn.us", True),
    ("TEL:+16126680000", True),
    ("smb://evil.example/share", False),
    ("search-ms:query=x&crumb=location:%5C%5Cevil", False),
    ("file:///etc/passwd", False),
    ("javascript:alert(1)", False),
    ("JaVa%0AScRiPt:alert(1)", False),
    ("ftp://example.org/", False),
    ("//evil.example/x", False),
    ("/relative/page", False),
]


@pytest.mark.parametrize(("target", "allowed"), TARGETS)
def test_one_link_rule_for_checks_print_and_web(target: str, allowed: bool) -> None:
    assert links.allowed(target) is allowed
    for text in (f"<{target}>", f"[here]({target})"):
        assert ("<a " in inline.to_html(text)) is allowed, text
        assert any("link" in run for run in inline.runs(text)) is allowed, text
    found = checks.compare(
        "See it here.", f"Véalo [aquí]({target}).", languages.get("es"), Glossary()
    )
    assert ("links are allowed" in dict(found).get("urls", "")) is not allowed, found


# hostile shapes: (text, spans it holds); linear time is measured by bench/bench_growth.py
HOSTILE = [
    ("a." * 5000, []),
    ("{" * 5000, []),
    ("{{" * 2500 + "x}}", [("placeholder", 4997, 5003)]),
    ("{%" * 2500, []),
    ("a" * 10000, []),
    ("1-" * 5000, []),
    ("a-" * 5000, []),
    ("_a" * 5000, [("mark", 0, 1)]),
    (" " * 10000, []),
    ("x@" * 5000, []),
    ("a." * 5000 + "us", [("domain", 9980, 10002)]),  # a domain has at most 10 labels
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE, ids=lambda v: repr(v)[:12])
def test_hostile_shapes_give_their_spans(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert [(s.kind, s.start, s.end) for s in markup.spans(text)] == expected
    entry = polib.POEntry(msgid="Hello.", msgstr=text, linenum=1)
    assert checks.check_entry(entry, languages.get("es"), GLOSSARY)


def test_bidi_override_around_a_phone_fails_check(catalogs_ready: Path, homelang) -> None:
    path = catalogs_ready / "locales/es/LC_MESSAGES/templates.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = catalog[0]
    entry.msgstr = "Llame al \u202e612-668-0000\u202c."
    entry.msgid = "Call 612-668-0000."
    path.write_text(str(catalog), "utf-8")
    result = homelang("check", "--lang", "es", expect=1)
    assert (
        "[bidi-control] error: bidi control U+202C POP DIRECTIONAL FORMATTING, "
        "U+202E RIGHT-TO-LEFT OVERRIDE" in result.output
    )


def test_language_message_names_both_languages() -> None:
    [finding] = checks.check_entry(
        polib.POEntry(msgid=SAFE, msgstr=SAFE_SO), languages.get("es"), Glossary()
    )
    assert re.fullmatch(r"reads as Somali \(\d+% sure\), not Spanish", finding.message), finding
