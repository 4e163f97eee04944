"""``homelang serve`` in a real browser: a volunteer on a phone, and hostile catalogs.

A real server (``homelang serve --port 0``, waitress in its own process) over a copied
project; Debian's Chromium at 375 x 812 through playwright types Arabic and Amharic,
confirms, saves a draft, meets a conflict a packet import made meanwhile and settles
it. Judges: the catalogs on disk (GNU ``msgfmt --check``, review states and credit),
and every request the browser made (none may leave the site).
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from conftest import all_catalogs, load, msgfmt_check
from hostile import _POKE, EVALUATED, PAYLOADS, Trap, marked
from serving import phone, serving
from test_xss import FAST

from pipeline import states
from pipeline.review import END_CONTEXT

NOTICE = "sanctuary-resolution"
LINK = re.compile(r"/invite/([A-Za-z0-9_-]{43})")
COMMITTED = "We are committed to the safety and emotional well-being of our students"


def invitation(homelang, lang: str, reviewer: str) -> str:
    """``homelang review invite``; the token of the link it prints."""
    [token] = LINK.findall(
        homelang("review", "invite", "--lang", lang, "--reviewer", reviewer).output
    )
    return token


def watched(context, site_url: str) -> tuple[object, list[str]]:
    """A page of ``context`` whose requests outside the site are refused and listed."""
    page = context.new_page()
    outside: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(site_url + "/"):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    page.route("**/*", route)
    return page, outside


def entry(path: Path, english: str) -> polib.POEntry:
    return next(e for e in load(path) if e.msgid.startswith(english))


def test_a_volunteer_reviews_arabic_and_amharic_on_a_phone(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    arabic = catalogs_ready / "locales/ar/LC_MESSAGES" / f"{NOTICE}.po"
    amharic = catalogs_ready / "locales/am/LC_MESSAGES" / f"{NOTICE}.po"
    ar_token = invitation(homelang, "ar", "Layla Hassan")
    am_token = invitation(homelang, "am", "Amina Tesfaye")
    with serving(catalogs_ready) as site, phone() as context:
        page, outside = watched(context, site.url)
        page.goto(f"{site.url}/invite/{ar_token}")
        assert "/review/ar-" in page.url and ar_token not in page.url
        left = page.locator(".progress").inner_text()
        assert re.match(r"\d+ of \d+ left", left)

        # one at a time: the title, typed in Arabic, confirmed
        page.locator(".entries a").first.click()
        box = page.locator("textarea#text")
        assert (box.get_attribute("lang"), box.get_attribute("dir")) == ("ar", "rtl")
        assert page.get_by_label("Your translation (Arabic)").count() == 1
        box.press_sequentially("مجلس التعليم في MPS يقر قرار الملاذ")
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        assert "Confirmed. Thank you!" in page.locator(".messages").inner_text()
        assert page.locator(".progress").inner_text() != left

        # the summary: the checks' finding shows while typing; saved as a draft
        assert "safe place" in page.locator(".english").inner_text()
        page.locator("textarea#text").press_sequentially(
            "المدارس العامة مكان آمن لجميع الطلاب والعائلات."
        )
        finding = page.locator("#live-findings li.error").first
        finding.wait_for()
        assert "Minneapolis Public Schools" in finding.inner_text()
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_load_state()
        assert "Draft saved." in page.locator(".messages").inner_text()

        # a paragraph opened, then a packet import saves it first: both versions shown
        page.get_by_role("link", name="All entries").click()
        page.get_by_role("link", name=re.compile("We are committed")).click()
        mine = "نحن ملتزمون بسلامة طلابنا وراحتهم النفسية، وسنواصل توفير بيئة تعليمية آمنة ومرحبة للجميع."
        page.locator("textarea#text").press_sequentially(mine)
        theirs = "نحن ملتزمون بسلامة طلابنا ورفاههم العاطفي."
        packet_path = tmp_path / "ar-packet.po"
        homelang("review", "export", "--lang", "ar", "--reviewer", "Samira", "-o", str(packet_path))
        packet = load(packet_path)
        for e in packet:
            if e.msgctxt != END_CONTEXT and e.msgid.startswith(COMMITTED):
                e.msgstr = theirs
                if "fuzzy" in e.flags:
                    e.flags.remove("fuzzy")
        packet.save(str(packet_path))
        homelang("review", "import", str(packet_path), expect=None)
        assert entry(arabic, COMMITTED).msgstr == theirs
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        assert "Someone saved this entry meanwhile" in page.locator("h1").inner_text()
        assert page.locator(".theirs").inner_text() == theirs
        assert page.locator(".mine").inner_text() == mine
        page.get_by_role("button", name="Confirm this text").click()
        page.wait_for_load_state()
        assert "Confirmed. Thank you!" in page.locator(".messages").inner_text()

        # Amharic, through a second invitation in the same browser
        page.goto(f"{site.url}/invite/{am_token}")
        page.locator(".entries a").first.click()
        box = page.locator("textarea#text")
        assert (box.get_attribute("lang"), box.get_attribute("dir")) == ("am", "ltr")
        box.press_sequentially("MPS ትምህርት ቦርድ የመጠለያ ውሳኔን አጸደቀ")
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        assert "Confirmed. Thank you!" in page.locator(".messages").inner_text()

        # the coordinator's dashboard counts it at once
        page.goto(site.staff)
        assert page.locator("td", has_text="2/5 reviewed").count() == 1  # Arabic, the notice
        assert page.locator("td", has_text="1/5 reviewed").count() == 1  # Amharic
        assert "Layla Hassan: invitation until" in page.locator("table.matrix").inner_text()
        assert outside == []

    for path in all_catalogs(catalogs_ready):
        msgfmt_check(path)
    title = entry(arabic, "MPS Board of Education")
    assert states.state(title) == "reviewed" and states.reviewer(title)[0] == "Layla Hassan"
    assert title.msgstr == "مجلس التعليم في MPS يقر قرار الملاذ"
    summary = entry(arabic, "Minneapolis Public Schools is a safe place")
    assert states.state(summary) == "needs-update" and "draft: Layla Hassan" in summary.tcomment
    settled = entry(arabic, COMMITTED)
    assert settled.msgstr == mine and states.reviewer(settled)[0] == "Layla Hassan"
    am_title = entry(amharic, "MPS Board of Education")
    assert states.state(am_title) == "reviewed" and states.reviewer(am_title)[0] == "Amina Tesfaye"
    status = homelang("status", "--lang", "ar", "--doc", NOTICE).output
    assert "reviewed" in status


def hostile_catalogs(root: Path, payloads: list[int], url: str) -> None:
    """Arabic catalogs whose translations (and old English, shown as a diff) are payloads,
    dealt round the entries (several to an entry when there are more payloads)."""
    paths = sorted((root / "locales/ar/LC_MESSAGES").glob("*.po"))
    catalogs = {path: load(path) for path in paths}
    entries = [e for catalog in catalogs.values() for e in catalog]
    texts: dict[int, list[str]] = {}
    for n, chosen in enumerate(payloads):
        texts.setdefault(n % len(entries), []).append(marked(chosen, PAYLOADS[chosen], url))
    for n, parts in texts.items():
        e = entries[n]
        e.msgstr = "\n".join(parts)
        if n % 3 == 0:
            states.mark_reviewed(e, "Hostile", "2026-11-30")
        elif n % 3 == 1:
            states.mark_machine(e, "google", "2026-11-30")
        else:
            e.previous_msgid = e.msgstr
            e.flags.append("fuzzy")
    for path, catalog in catalogs.items():
        catalog.save(str(path))


def judge_site(
    site_url: str, staff: str, token: str, trap: Trap
) -> tuple[list[str], list[str], str]:
    """Every page of the site over the hostile catalogs in Chromium: (scripts run, requests
    outside the site, the text of every page)."""
    ran: list[str] = []
    with phone() as context:
        page, outside = watched(context, site_url)
        page.on("dialog", lambda d: (ran.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("console", lambda m: "PWNED" in m.text and ran.append(m.text))
        page.goto(staff)
        pages = [page.url]
        page.goto(f"{site_url}/invite/{token}")
        pages.append(page.url)
        pages += [
            site_url + a.get_attribute("href") for a in page.locator(".entries a").element_handles()
        ]
        drafted = site_url + page.locator(".entries a:has(.s-machine)").first.get_attribute("href")
        text = []
        for address in pages:
            page.goto(address)
            page.evaluate(_POKE)
            page.wait_for_timeout(50)
            if page.evaluate("() => window.hlPwned || window.__pwned"):
                ran.append(address)
            text.append(page.locator("body").inner_text())
        # the conflict page: a stale base, and a hostile text of the volunteer's own
        page.goto(drafted)
        page.evaluate("document.querySelector('input[name=base]').value = 'stale'")
        page.locator("textarea").first.fill(marked(0, PAYLOADS[0], trap.url))
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        assert page.locator(".theirs").count() == 1
        page.evaluate(_POKE)
        if page.evaluate("() => window.hlPwned || window.__pwned"):
            ran.append(page.url)
    return ran, outside + trap.hits, "\n".join(text)


@pytest.mark.parametrize(
    "chosen",
    [
        pytest.param(FAST, id="fast"),
        pytest.param(list(range(len(PAYLOADS))), id="all", marks=pytest.mark.slow),
    ],
)
def test_hostile_catalogs_stay_inert_on_every_page(
    catalogs_ready: Path, homelang, chosen: list[int], figures
) -> None:
    with Trap() as trap:
        hostile_catalogs(catalogs_ready, chosen, trap.url)
        token = invitation(homelang, "ar", "<script>window.hlPwned=1</script> Hostile")
        with serving(catalogs_ready) as site:
            ran, requests, text = judge_site(site.url, site.staff, token, trap)
    assert ran == [] and requests == []
    for n in chosen:
        assert f"P{n:02d}:" in text  # every payload shows, as text
    assert not any(marker in text for marker in EVALUATED)
    figures["XSS payloads"] = figures.get("XSS payloads", 0) + len(chosen)
    figures["scripts run"] = figures.get("scripts run", 0) + len(ran)
    figures["requests leaked"] = figures.get("requests leaked", 0) + len(requests)


def test_the_judge_sees_a_live_payload(catalogs_ready: Path) -> None:
    """Control: a page on the site's origin that runs a script and fetches from the trap is
    caught by the same watch (its request listed, ``window.hlPwned`` set)."""
    with Trap() as trap, serving(catalogs_ready) as site, phone() as context:
        page, outside = watched(context, site.url)
        live = f'<script>window.hlPwned=1</script><img src="{trap.url}live.png">'
        page.route(f"{site.url}/control", lambda r: r.fulfill(body=live, content_type="text/html"))
        page.goto(f"{site.url}/control")
        assert page.evaluate("() => window.hlPwned") == 1
        assert outside == [f"{trap.url}live.png"]


#: Text whose contrast with its background is under WCAG AA (4.5:1, 3:1 for large text).
_LOW_CONTRAST = """() => {
  const luminance = (color) => {
    const [r, g, b] = color.match(/[\\d.]+/g).slice(0, 3).map((v) => {
      v = Number(v) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (e) => {
    for (; e; e = e.parentElement) {
      const parts = getComputedStyle(e).backgroundColor.match(/[\\d.]+/g);
      if (parts && (parts.length < 4 || Number(parts[3]) > 0.5))
        return getComputedStyle(e).backgroundColor;
    }
    return "rgb(255, 255, 255)";
  };
  const low = [];
  for (const e of document.querySelectorAll("body *")) {
    const text = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(e);
    if (!text || style.display === "none" || e.getBoundingClientRect().width < 2) continue;
    const [a, b] = [luminance(style.color), luminance(background(e))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) low.push(`${e.tagName}.${e.className}: ${ratio.toFixed(2)}`);
  }
  return low;
}"""
#: Whether the page is wider than the phone (the dashboard's matrix scrolls in its own box).
_WIDER = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
#: Form controls no label names (a screen reader would read "edit text", nothing more).
_UNLABELLED = """() => [...document.querySelectorAll("input:not([type=hidden]), textarea, select")]
  .filter((e) => !e.labels.length && !e.getAttribute("aria-label")).map((e) => e.name)"""


def test_the_pages_work_without_javascript_by_keyboard_with_aa_contrast(
    catalogs_ready: Path, homelang
) -> None:
    token = invitation(homelang, "ar", "Layla Hassan")
    arabic = catalogs_ready / "locales/ar/LC_MESSAGES" / f"{NOTICE}.po"
    with serving(catalogs_ready) as site, phone(scripts=False) as context:
        page, outside = watched(context, site.url)
        page.goto(site.staff)
        assert not page.evaluate(_WIDER)
        checked = [(page.url, page.evaluate(_LOW_CONTRAST), page.evaluate(_UNLABELLED))]
        page.goto(f"{site.url}/invite/{token}")
        checked.append((page.url, page.evaluate(_LOW_CONTRAST), page.evaluate(_UNLABELLED)))
        assert not page.evaluate(_WIDER)
        page.get_by_role("link", name=re.compile("Read the")).first.click()
        checked.append((page.url, page.evaluate(_LOW_CONTRAST), page.evaluate(_UNLABELLED)))
        page.set_viewport_size({"width": 360, "height": 740})  # the narrowest phone we serve
        assert not page.evaluate(_WIDER)
        # the keyboard: skip link first, then the text box, then Confirm, Save draft, Skip
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        order = []
        for _ in range(5):
            page.keyboard.press("Tab")
            order.append(
                page.evaluate(
                    "(e => e.name === 'text' ? 'text' : e.textContent)(document.activeElement)"
                )
            )
        assert order == ["All entries", "text", "Confirm", "Save draft", "Skip"]
        # no script: the findings show after the save, and the text is kept as a draft
        page.locator("textarea#text").fill("اقرأ القرار هنا.")
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        alert = page.get_by_role("alert").inner_text()
        assert "error:" in alert and "not confirmed" in alert
        checked.append((page.url, page.evaluate(_LOW_CONTRAST), page.evaluate(_UNLABELLED)))
        assert page.locator("textarea#text").input_value() == "اقرأ القرار هنا."
        assert outside == []
    for address, low, unlabelled in checked:
        assert low == [] and unlabelled == [], address
    kept = entry(arabic, "Read the")
    assert kept.msgstr == "اقرأ القرار هنا." and states.state(kept) == "needs-update"
