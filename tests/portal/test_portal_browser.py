"""
The portal in a real browser: Playwright drives Debian's chromium through the whole story.

Every page is checked with axe-core (no serious or critical violation) and saved as a
screenshot; a few of them illustrate docs/portal.md. Run with ``nox -s browser``, which
installs chromium (as root) and axe-core; the main test session skips these.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from patientsky.client import PortalClient
from patientsky.client.sandbox import Sandbox
from patientsky.portal.i18n import reason_message, text
from patientsky.reasons import Reason
from tests.images import image
from tests.portal.conftest import World

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS_SHOTS = Path(__file__).parents[2] / "docs" / "_static" / "portal"
# The pages whose screenshots illustrate the docs (bokmål run only).
FOR_DOCS = {
    "login",
    "inbox",
    "new-e-consultation",
    "book",
    "payments",
    "acting-for",
    "refused-16",
    "dialog-attachment",
    "access-log",
}


@pytest.fixture(scope="module")
def axe_js(tmp_path_factory: pytest.TempPathFactory) -> str:
    """axe-core's script: from PORTAL_AXE_JS (nox -s browser), else npm installs it here."""
    given = os.environ.get("PORTAL_AXE_JS")
    if given:
        return Path(given).read_text(encoding="utf-8")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("axe-core is not installed and npm is missing (run nox -s browser)")
    folder = tmp_path_factory.mktemp("axe")
    subprocess.run(
        [
            npm,
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(folder),
            "axe-core",
        ],
        check=True,
        capture_output=True,
    )
    return (folder / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (nox -s browser installs it)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Story:
    """One browser tab through the portal, checking and photographing every page."""

    def __init__(self, page: object, base: str, lang: str, axe: str, shots: Path) -> None:
        self.page = page
        self.base = base
        self.lang = lang
        self.axe = axe
        self.shots = shots
        self.checked: list[str] = []

    def t(self, key: str) -> str:
        return text(key, self.lang)

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)  # type: ignore[attr-defined]
        assert response is not None

    def check(self, name: str) -> None:
        """Run axe-core on the page, and save its screenshot."""
        page = self.page
        page.add_script_tag(content=self.axe)  # type: ignore[attr-defined]
        result = page.evaluate(  # type: ignore[attr-defined]
            "async () => JSON.stringify(await axe.run(document, "
            "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))"
        )
        violations = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in json.loads(result)["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert violations == [], (name, self.lang, violations)
        shot = f"{name}-{self.lang}.png"
        page.screenshot(path=str(self.shots / shot), full_page=True)  # type: ignore[attr-defined]
        if self.lang == "nb" and name in FOR_DOCS:
            DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(DOCS_SHOTS / f"{name}.png"))  # type: ignore[attr-defined]
        self.checked.append(name)

    def main_text(self) -> str:
        return str(self.page.inner_text("main"))  # type: ignore[attr-defined]

    def banner(self) -> str:
        return str(self.page.inner_text("#viewing"))  # type: ignore[attr-defined]

    def click(self, role: str, name: str) -> None:
        self.page.get_by_role(role, name=name, exact=True).first.click()  # type: ignore[attr-defined]

    def login(self, world: World, patient_id: str, method: str = "bankid") -> None:
        self.go("/logg-inn")
        self.page.check(f"#method-{method}")  # type: ignore[attr-defined]
        self.page.select_option("#person", world.handle_of(patient_id))  # type: ignore[attr-defined]
        self.page.locator("main").get_by_role("button", name=self.t("login")).click()  # type: ignore[attr-defined]

    def logout(self) -> None:
        self.click("button", self.t("logout"))
        assert self.t("logged_out") in self.main_text()


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_whole_story_in_a_real_browser(
    world: World,
    portal_url: str,
    chromium: object,
    axe_js: str,
    lang: str,
    tmp_path: Path,
) -> None:
    context = chromium.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1200, "height": 900},
        accept_downloads=True,
        bypass_csp=True,  # to inject axe-core; the CSP itself is tested over HTTP
    )
    page = context.new_page()
    story = Story(page, portal_url, lang, axe_js, tmp_path)

    # Language: the switch in the header, with the keyboard's button.
    story.go("/logg-inn")
    if lang != "nb":
        page.select_option("#lang-select", lang)
        page.get_by_role("button", name=text("change_language", "nb")).click()
    assert page.get_attribute("html", "lang") == lang
    story.check("login")

    # Per withdrew his consent: every page refuses with the rule's reason, until he consents.
    story.login(world, "p-per")
    assert page.url.endswith("/samtykke")
    story.check("consent-withdrawn")
    story.go("/innboks")
    assert reason_message(Reason.CONSENT_WITHDRAWN, lang) in story.main_text()
    story.check("refused-consent")
    story.click("link", story.t("to_consent"))
    story.click("button", story.t("give_consent"))
    assert page.url.endswith("/min-side")
    story.check("profile-per")
    story.logout()

    # Kari: inbox with the columns and the unread marker; a closed dialog goes to the archive.
    story.login(world, "p-kari")
    assert page.url.endswith("/min-side")
    assert "Kari Nordmann" in story.banner()
    story.check("profile")
    story.click("link", story.t("inbox"))
    for column in ("updated", "type", "from", "status"):
        assert page.get_by_role("columnheader", name=story.t(column)).count() == 1
    assert story.t("unread") in story.main_text()
    story.check("inbox")
    story.click("link", "Fornyelse av allergimedisin")
    story.check("dialog")
    story.click("link", story.t("archive"))
    assert "Fornyelse av allergimedisin" in story.main_text()
    story.check("archive")

    # A reply in an open dialog.
    story.go("/dialoger/dlg-kari-1")
    page.fill("#reply", "Det klør fortsatt.")
    page.set_input_files(
        "#attachment", {"name": "utslett.png", "mimeType": "image/png", "buffer": image("PNG")}
    )
    story.click("button", story.t("send"))
    assert "Det klør fortsatt." in story.main_text()
    assert "utslett.png" in story.main_text()
    story.check("dialog-attachment")

    # An e-consultation: the egenandel notice must be acknowledged.
    story.go("/innboks")
    story.click("link", story.t("new_dialog"))
    page.select_option("#clinic-choice", "clinic-sentrum")
    story.click("button", story.t("choose_clinic"))
    page.check("#type-e_consultation")
    page.fill("#subject", "Vondt i halsen")
    page.fill("#body", "Jeg har hatt vondt i halsen i en uke.")
    story.check("new-e-consultation")
    story.click("button", story.t("send"))
    assert reason_message(Reason.FEE_NOT_ACKNOWLEDGED, lang) in story.main_text()
    page.go_back()
    page.check("#type-e_consultation")
    page.fill("#subject", "Vondt i halsen")
    page.fill("#body", "Jeg har hatt vondt i halsen i en uke.")
    page.check("#fee_acknowledged")
    story.click("button", story.t("send"))
    assert "Vondt i halsen" in story.main_text()
    story.check("e-consultation-sent")

    # Book a free time across the clinic's calendars; cancel it.
    story.click("link", story.t("consultations"))
    story.check("consultations")
    story.click("link", story.t("book"))
    page.select_option("#clinic-choice", "clinic-sentrum")
    story.click("button", story.t("choose_clinic"))
    page.locator("input[name=slot]").first.check()
    story.check("book")
    page.locator("#book-form").get_by_role("button", name=story.t("book")).click()
    assert story.t("booked") in story.main_text()
    first = page.locator("form[action$='/avbestill']").first
    accept = first.locator("input[name=fee_acknowledged]")
    if accept.count():  # booked from now, it may be past the free deadline already
        first.locator("button").click()
        assert reason_message(Reason.LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED, lang) in (
            story.main_text()
        )
        story.check("late-cancellation-refused")
        page.go_back()
        accept.check()
    first.locator("button").click()
    assert story.t("cancelled") in story.main_text()

    # Payments: three tabs; a receipt downloads as a PDF.
    story.click("link", story.t("payments"))
    story.check("payments-outstanding")
    story.click("link", story.t("paid_this_year"))
    story.click("link", story.t("all_paid"))
    for column in ("date", "clinic", "payment", "status", "invoice_number", "paid"):
        assert page.get_by_role("columnheader", name=story.t(column)).count() == 1
    story.check("payments")
    with page.expect_download() as download:
        page.locator("a[href$='/kvittering']").first.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")

    # Start care, e-pharmacy, Helsenorge, consent page.
    story.click("link", story.t("start_care"))
    page.fill("#q", "Sentrum")
    story.click("button", story.t("search"))
    page.locator("#found a").first.click()
    story.check("clinic")
    story.click("link", story.t("e_pharmacy"))
    page.fill("#medications", "Cetirizin 10 mg")
    story.click("button", story.t("renew"))
    assert "Cetirizin 10 mg" in story.main_text()
    story.check("e-pharmacy")
    story.click("link", story.t("helsenorge"))
    story.check("helsenorge")
    story.click("link", story.t("consent"))
    story.check("consent")
    story.click("link", story.t("access_log"))
    assert page.get_by_role("heading", level=1).inner_text() == story.t("access_log")
    assert "Kari Nordmann" in story.main_text()
    story.check("access-log")

    # Act for a child: the banner always says whose data is on screen.
    story.click("link", story.t("relations"))
    story.check("relations")
    story.click("button", f"{story.t('act_for')} Emil Nordmann")
    assert "Emil Nordmann" in story.banner()
    assert "Emil" in story.main_text()
    story.check("acting-for")
    story.click("button", story.t("back_to_me"))
    assert "Emil Nordmann" not in story.banner()

    # The 16th birthday: at 23.50 the evening before, Kari acts for Sofie; at midnight the
    # parent's access ends, and the page says why, in the user's language.
    demo = world.sandbox.demo
    assert demo is not None
    born = next(p.birth_date for p in demo.patients if p.id == "p-sofie")
    midnight_utc = dt.datetime(born.year + 16, born.month, born.day, tzinfo=dt.UTC)
    with PortalClient(world.base_url) as client:
        sandbox = Sandbox(client, admin_key=world.sandbox.admin_key)
        sandbox.set_clock(midnight_utc - dt.timedelta(minutes=70))  # 23.50 in Oslo (UTC+1)
        story.login(world, "p-kari")
        story.go("/relasjoner")
        story.click("button", f"{story.t('act_for')} Sofie Nordmann")
        assert "Sofie Nordmann" in story.banner()
        sandbox.advance_clock(dt.timedelta(minutes=20))
    page.reload()
    assert reason_message(Reason.CHILD_TURNED_16, lang) in story.main_text()
    assert "Sofie Nordmann" in story.banner()
    story.check("refused-16")
    story.logout()
    context.close()
    assert len(story.checked) >= 20


def test_the_keyboard_alone_reaches_the_skip_link_and_logs_in(
    world: World, portal_url: str, chromium: object
) -> None:
    page = chromium.new_page()  # type: ignore[attr-defined]
    page.goto(portal_url + "/logg-inn")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main'")  # the skip link was followed
    page.focus("#method-bankid")
    page.keyboard.press("ArrowDown")  # the radio group moves to Buypass smart card
    assert page.is_checked("#method-buypass_smart_card")
    page.focus("#person")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # to the login button
    page.keyboard.press("Enter")
    page.wait_for_url("**/min-side")
    assert "Kari Nordmann" in page.inner_text("#viewing")
    page.close()
