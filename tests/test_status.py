"""`homelang status`: entries and words per review state, check errors, publishing, packets out."""

from __future__ import annotations

import json
from pathlib import Path

import polib
from conftest import load
from test_review import AM, FAQ, amharic_like, translatable

from pipeline import states

TERMS = ["MPS", "Minneapolis Public Schools"]


def review(path: Path, count: int | None = None) -> polib.POFile:
    """A person reviews the first ``count`` entries (all by default) with text that passes the checks."""
    catalog = load(path)
    for entry in list(catalog)[:count]:
        entry.msgstr = amharic_like(entry.msgid, TERMS)
        states.mark_reviewed(entry, "Hana", "2026-11-20")
    catalog.save(str(path))
    return catalog


def status_of(homelang, *args: str) -> dict[tuple[str, str], dict]:
    return {
        (s["lang"], s["doc_id"]): s for s in json.loads(homelang("status", "--json", *args).stdout)
    }


def test_counts_words_and_publishing(catalogs_ready: Path, homelang) -> None:
    found = status_of(homelang, "--lang", "am")
    notice = found[("am", "sanctuary-resolution")]
    template = load(catalogs_ready / "locales/sanctuary-resolution.pot")
    assert notice["entries"] == {
        "untranslated": len(template),
        "machine": 0,
        "needs-update": 0,
        "reviewed": 0,
    }
    assert notice["words"]["untranslated"] == sum(len(e.msgid.split()) for e in template)
    assert notice["vital"] and not notice["publish"] and "not reviewed" in notice["reason"]

    catalog = review(catalogs_ready / AM)
    faq = review(catalogs_ready / FAQ, count=len(load(catalogs_ready / FAQ)) - 3)
    draft = faq[-1]
    draft.msgstr = amharic_like(draft.msgid, TERMS)
    states.mark_machine(draft, "google", "2026-11-28")
    faq.save(str(catalogs_ready / FAQ))
    found = status_of(homelang, "--lang", "am")
    notice, questions = (
        found[("am", "sanctuary-resolution")],
        found[("am", "sanctuary-resolution-faq")],
    )
    assert notice["publish"] and notice["reason"] == "fully reviewed" and notice["errors"] == 0
    assert questions["entries"]["reviewed"] == len(faq) - 3 and questions["entries"]["machine"] == 1
    assert questions["threshold"] == 0.8 and questions["publish"] == (
        (len(faq) - 3) / len(faq) >= 0.8
    )

    # a broken link in a vital notice stops it, and says why
    link = next(e for e in catalog if "](" in e.msgid)
    link.msgstr = link.msgstr.replace(
        "](https://www.mpls.k12.mn.us/sanctuary-resolution)", "](https://example.org)"
    )
    catalog.save(str(catalogs_ready / AM))
    notice = status_of(homelang, "--lang", "am", "--doc", "sanctuary-resolution")[
        ("am", "sanctuary-resolution")
    ]
    assert (
        notice["errors"] == 1
        and not notice["publish"]
        and "quality check error" in notice["reason"]
    )


def test_settings_threshold_overrides_front_matter(catalogs_ready: Path, homelang) -> None:
    with (catalogs_ready / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n[tool.homelang.documents.sanctuary-resolution-faq]\npublish_threshold = 0.1\n")
    review(catalogs_ready / FAQ, count=2)
    faq = status_of(homelang, "--lang", "am", "--doc", "sanctuary-resolution-faq")[
        ("am", "sanctuary-resolution-faq")
    ]
    assert faq["threshold"] == 0.1 and faq["publish"] and faq["reason"].endswith("reviewed")


def test_table_names_routes_packets_and_conflicts(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    homelang(
        "review",
        "export",
        "--lang",
        "am",
        "--reviewer",
        "Amina",
        "--doc",
        "sanctuary-resolution",
        "-o",
        str(tmp_path / "p.po"),
    )
    out = homelang("status").output
    lines = out.splitlines()
    assert lines[0].split() == [
        "lang",
        "document",
        "untranslated",
        "machine",
        "needs-update",
        "reviewed",
        "errors",
        "publish",
    ]
    assert any(line.startswith("am ") and "sanctuary-resolution " in line for line in lines)
    assert "kar: no machine translation route; people translate everything" in lines
    assert not any(line.startswith("es: no machine") for line in lines)
    packet = load(tmp_path / "p.po").metadata["X-Homelang-Packet"]
    assert (
        f"am sanctuary-resolution: {len(translatable(load(tmp_path / 'p.po')))} entries out with Amina (packet {packet}, until"
        in out
    )
    routes = {
        s["lang"]: s["machine_route"] for s in json.loads(homelang("status", "--json").stdout)
    }
    assert routes["kar"] == "" and routes["es"] == "google"


def test_unknown_document_or_language(catalogs_ready: Path, homelang) -> None:
    assert "no document 'nope'" in homelang("status", "--doc", "nope", expect=2).output
    assert "language 'xx' is not configured" in homelang("status", "--lang", "xx", expect=2).output
