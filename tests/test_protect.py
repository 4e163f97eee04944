"""Protection: what engines must not touch goes out as tokens and comes back intact, or not at all."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import markup
from pipeline.protect import OPEN, TokenError, protect, restore
from pipeline.providers.pseudo import pseudo_translate

SAMPLES = [
    "Read the [entire resolution](https://www.mpls.k12.mn.us/sanctuary-resolution) here.",
    "Hello {name}, your child {{ student.first_name }} is in %(grade)s grade.",
    "Call 612-668-0000 or write to info@mpls.k12.mn.us, or see www.mpls.k12.mn.us.",
    "This is **very** important: use `homelang` and <b>bold</b> text.",
    "Visit <https://policy.mpls.k12.mn.us/> and MPS staff.",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_every_protected_span_is_a_token_and_comes_back(text: str) -> None:
    protected = protect(text)
    for span in markup.spans(text):
        assert span.text not in protected.text
    assert protected.text.count(OPEN) == len(markup.spans(text))
    assert restore(protected, protected.text) == text


def test_glossary_terms_are_kept_or_replaced_by_their_required_translation() -> None:
    text = "The MPS Office of General Counsel at https://mpls.k12.mn.us answers."
    protected = protect(
        text, {"MPS": "MPS", "Office of General Counsel": "Oficina del Consejo General"}
    )
    assert "MPS" not in protected.text and "Counsel" not in protected.text
    answer = protected.text.replace("The", "La").replace("answers", "responde")
    assert (
        restore(protected, answer)
        == "La MPS Oficina del Consejo General at https://mpls.k12.mn.us responde."
    )


def test_a_term_inside_a_url_stays_part_of_the_url() -> None:
    protected = protect("See https://example.org/MPS/policy now.", {"MPS": "MPS"})
    assert protected.originals == ("https://example.org/MPS/policy",)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda t: t.replace("⟦1⟧", ""), "missing ⟦1⟧"),
        (lambda t: t.replace("⟦1⟧", "⟦1⟧ ⟦1⟧"), "duplicated ⟦1⟧"),
        (lambda t: t.replace("⟦1⟧", "[1]"), "missing ⟦1⟧"),
        (lambda t: t.replace("⟦1⟧", "⟦7⟧"), "altered"),
        (lambda t: t.replace("⟦1⟧", "⟦1"), "altered"),
    ],
)
def test_broken_tokens_are_refused_with_the_reason(change, problem: str) -> None:
    protected = protect("Read [the notice](https://x.org/n) today, {name}.")
    with pytest.raises(TokenError, match=problem.replace("[", r"\[")):
        restore(protected, change(protected.text))


def test_engine_spacing_and_digit_scripts_are_tolerated() -> None:
    protected = protect("Read the [entire resolution](https://x.org/r) and **this**.")
    # An engine puts spaces inside marks and writes Arabic-Indic digits in a token.
    answer = protected.text.replace("⟦0⟧", "⟦ ٠ ⟧ ").replace("⟦1⟧", " ⟦1⟧").replace("⟦3⟧", " ⟦3⟧")
    assert (
        restore(protected, answer) == "Read the [entire resolution](https://x.org/r) and **this**."
    )


def test_our_own_bracket_characters_in_english_cannot_fake_a_token() -> None:
    text = "Weird ⟦0⟧ text with {name}"
    protected = protect(text)
    assert restore(protected, protected.text) == text
    with pytest.raises(TokenError):
        restore(protected, protected.text.replace("⟦0⟧", "", 1))


def test_pseudo_output_restores_and_is_longer_and_accented() -> None:
    for text in SAMPLES:
        protected = protect(text)
        out = restore(protected, pseudo_translate(protected.text))
        assert markup.inventory(
            out, ("link_target", "url", "email", "phone", "placeholder", "autolink")
        ) == markup.inventory(
            text, ("link_target", "url", "email", "phone", "placeholder", "autolink")
        )
        words = len(re.sub(r"⟦\d+⟧", "", protected.text))
        assert len(out) >= len(text) + words * 0.3
        assert out.startswith("«") and out.endswith("»")


fragments = st.sampled_from(
    [
        "word",
        " ",
        "{name}",
        "[link](https://a.b/c)",
        "**",
        "_",
        "612-668-0000",
        "x@y.org",
        "<i>",
        "⟦",
        "⟧",
        "%s",
        "ሰላም",
        "مرحبا",
        ",",
        "\n",
    ]
)


@given(st.lists(fragments, max_size=30).map("".join))
def test_round_trip_of_any_mix(text: str) -> None:
    protected = protect(text, {"word": "word"})
    assert restore(protected, protected.text) == text


# (English, glossary terms, what goes out as tokens)
PROTECTED = [
    ("Hello {name}.", {}, ("{name}",)),
    ("Call 612–668–0000 today.", {}, ("612–668–0000",)),  # en dashes are a phone too
    ("Call (612) 668\u20110000.", {}, ("(612) 668\u20110000",)),
    (
        "Dial <tel:+16126680000> or <HTTPS://x.org/>.",
        {},
        ("<tel:+16126680000>", "<HTTPS://x.org/>"),
    ),
    ("Visit HTTPS://www.mpls.k12.mn.us/a now.", {}, ("HTTPS://www.mpls.k12.mn.us/a",)),
    ("{{ student.first_name }} and {% if x %}", {}, ("{{ student.first_name }}", "{% if x %}")),
    ("{{{{ a }}", {}, ("{{{ a }}",)),  # a placeholder does not run over another's start
    ("MPS staff", {"MPS": "MPS"}, ("MPS",)),
    ("Office of General Counsel", {"Office of General Counsel": "Oficina"}, ("Oficina",)),
    ("a." * 50, {}, ()),
]


@pytest.mark.parametrize(("text", "terms", "originals"), PROTECTED)
def test_what_goes_out_as_tokens(text: str, terms: dict[str, str], originals: tuple) -> None:
    protected = protect(text, terms)
    assert protected.originals == originals
    assert restore(protected, protected.text) == (
        text if not terms else text.replace(*next(iter(terms.items())))
    )


# (English, engine answer made from the tokenised text, restored text)
RESTORED = [
    ("*{name}*", lambda t: t.replace("⟧⟦", "⟧ ⟦"), "*{name}*"),
    (
        "[link](https://x.org) here",
        lambda t: t.replace("⟦0⟧", "⟦0⟧ ").replace("⟦1⟧", "  ⟦1⟧"),
        "[link](https://x.org) here",
    ),
    ("Hola {name}", lambda t: t.replace("Hola", "Bonjour   "), "Bonjour    {name}"),
    ("a **b** c", lambda t: t.replace("⟦0⟧b⟦1⟧", "⟦0⟧  b  ⟦1⟧"), "a **b** c"),
    ("{x}", lambda t: " " * 5000 + "x" + t, " " * 5000 + "x{x}"),
]


@pytest.mark.parametrize(("text", "answer", "expected"), RESTORED, ids=lambda v: repr(v)[:20])
def test_restored_answers(text: str, answer, expected: str) -> None:
    protected = protect(text)
    assert restore(protected, answer(protected.text)) == expected


# every character the patterns are made of, and a few whole spans
pattern_text = st.lists(
    st.sampled_from(list("`[]()<>{}%@*_!:/.,-–+ \n\t0123456789٣aAxhtpswWuscomrgeinf\"'"))
    | fragments,
    max_size=40,
).map("".join)


@given(pattern_text)
def test_the_quick_search_before_the_patterns_never_hides_a_span(text: str) -> None:
    """spans() skips the patterns where a cheaper search finds nothing they could start with."""
    every = [
        markup.Span(m.lastgroup or "", m.start(), m.end(), m.group())
        for m in markup._COMBINED.finditer(text)
    ]
    assert markup.spans(text) == every
