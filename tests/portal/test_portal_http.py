"""The portal over HTTP without a browser: security headers, CSRF, cookies, and the flows."""

from __future__ import annotations

import ast
import datetime as dt
import re
from html import unescape
from pathlib import Path

import httpx
import pytest

from patientsky.portal import create_portal, i18n
from patientsky.reasons import Reason
from tests.portal.conftest import NOW, Browser, World

PORTAL_SRC = Path(__file__).parents[2] / "src" / "patientsky" / "portal"
PAGES = [
    "/min-side",
    "/samtykke",
    "/innboks",
    "/arkiv",
    "/konsultasjoner",
    "/konsultasjoner/bestill?klinikk=clinic-sentrum",
    "/dialoger/ny?klinikk=clinic-sentrum",
    "/betalinger",
    "/betalinger?fane=paid_this_year",
    "/betalinger?fane=all_paid",
    "/start-helsehjelp?q=Sentrum",
    "/klinikker/clinic-sentrum",
    "/relasjoner",
    "/helsenorge",
    "/e-apotek",
    "/tilgangslogg",
]


def _value(html: str, name: str) -> str:
    """A hidden field's value, as the browser would send it."""
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, name
    return unescape(found.group(1))


def _sessions(world: World) -> list[object]:
    # The test looks inside the portal's memory to find the token it must never send.
    return list(world.app.state.portal.sessions._sessions.values())


def test_every_page_carries_the_security_headers_and_no_store(
    world: World, browser: Browser
) -> None:
    assert browser.login(world, "p-kari") == "/min-side"
    for path in ["/logg-inn", *PAGES]:
        response = browser.client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["cache-control"] == "no-store", path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script" not in response.text
        assert " style=" not in response.text
    css = browser.client.get("/static/portal.css")
    assert css.status_code == 200
    assert "no-store" not in css.headers.get("cache-control", "")


def test_the_session_cookie_is_httponly_lax_and_carries_only_a_signed_id(
    world: World, browser: Browser
) -> None:
    response = browser.client.get("/logg-inn")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie
    browser.login(world, "p-kari")
    value = browser.client.cookies["patientsky_portal"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}\.[0-9a-f]{64}", value)


def test_a_login_gets_a_new_session_id_and_logout_ends_it(world: World, browser: Browser) -> None:
    browser.get("/logg-inn")
    before = browser.client.cookies["patientsky_portal"]
    browser.login(world, "p-kari")
    after = browser.client.cookies["patientsky_portal"]
    assert before != after
    browser.get("/min-side")
    assert browser.post("/logg-ut", {}) == "/logg-inn?ut=1"
    assert browser.client.get("/min-side", follow_redirects=False).headers["location"] == (
        "/logg-inn"
    )


def test_the_cookie_is_secure_when_the_portal_is_served_over_https(world: World) -> None:
    app = create_portal(world.base_url, demo_login=True, https=True)
    from patientsky.sandbox import serve_in_thread

    with serve_in_thread(app) as url, httpx.Client(base_url=url) as client:
        assert "Secure" in client.get("/logg-inn").headers["set-cookie"]


def test_the_access_token_never_reaches_the_browser(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    (session,) = [s for s in _sessions(world) if getattr(s, "token", None)]
    token = session.token  # type: ignore[attr-defined]
    assert token
    for path in PAGES:
        response = browser.client.get(path)
        assert token not in response.text
        assert all(token not in v for v in response.headers.values())
    assert all(token not in v for v in browser.client.cookies.values())


def test_no_national_identity_number_in_any_page_or_address(world: World, browser: Browser) -> None:
    numbers = world.national_ids
    login_page = browser.get("/logg-inn")
    assert not any(n in login_page for n in numbers)
    browser.login(world, "p-kari")
    for path in PAGES:
        html = browser.get(path)
        for target in re.findall(r'(?:href|action|src)="([^"]*)"', html):
            assert not re.search(r"\d{11}", target), (path, target)
        assert not any(n in html for n in numbers), path


def test_a_form_without_the_sessions_csrf_token_is_refused(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    for token in ("", "forged"):
        response = browser.client.post(
            "/samtykke/trekk", data={"csrf": token}, follow_redirects=False
        )
        assert response.status_code == 403
        assert "Skjemaet er utløpt" in response.text
    assert "Samtykket ditt gjelder." in browser.get("/samtykke")


def test_the_login_refuses_a_person_it_does_not_offer(world: World, browser: Browser) -> None:
    browser.get("/logg-inn")
    html = browser.post("/logg-inn", {"method": "bankid", "person": "nobody"}, expect=400)
    assert "person" in html
    html = browser.post("/logg-inn", {"method": "minid", "person": "kari"}, expect=400)
    assert "<code>method</code>" in html


def test_the_language_switch_goes_back_only_to_a_page_of_the_portal(
    world: World, browser: Browser
) -> None:
    browser.get("/logg-inn")
    assert browser.post("/sprak", {"lang": "en", "next": "//evil.example/"}) == "/"
    assert 'lang="en"' in browser.get("/logg-inn")
    assert browser.post("/sprak", {"lang": "nn", "next": "/logg-inn"}) == "/logg-inn"
    assert "Vel innloggingsmåte" in browser.get("/logg-inn")


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("nb", Reason.CONSENT_WITHDRAWN.message_nb),
        ("nn", "Du har trekt samtykket ditt."),
        ("en", Reason.CONSENT_WITHDRAWN.message_en),
    ],
)
def test_a_withdrawn_consent_shows_the_rules_reason_in_the_users_language(
    world: World, browser: Browser, lang: str, message: str
) -> None:
    browser.get("/logg-inn")
    browser.post("/sprak", {"lang": lang, "next": "/logg-inn"})
    assert browser.login(world, "p-per") == "/samtykke"
    response = browser.client.get("/innboks")
    assert response.status_code == 403
    assert message in response.text
    assert 'href="/samtykke"' in response.text


def test_consent_is_given_and_withdrawn_from_the_consent_page(
    world: World, browser: Browser
) -> None:
    browser.login(world, "p-per")
    html = browser.get("/samtykke")
    version = re.search(r'name="version" value="([^"]+)"', html)
    assert version
    assert browser.post("/samtykke/gi", {"version": version.group(1)}) == "/min-side"
    assert "Per Olsen" in browser.get("/min-side")
    assert browser.post("/samtykke/trekk", {}) == "/samtykke"
    assert "Du har ikke samtykket" in browser.get("/samtykke")
    assert browser.client.get("/min-side").status_code == 403


def test_a_stale_profile_edit_is_caught_and_shown_not_lost(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    html = browser.get("/min-side")
    form = {
        "etag": _value(html, "etag"),
        "given": "Kari",
        "family": "Nordmann",
        "street": "Storgata 1",
        "postal_code": "0155",
        "city": "Oslo",
        "phone": "+4791234567",
        "email": "kari@example.no",
    }
    assert browser.post("/min-side", form) == "/min-side?lagret=1"
    # The same old version again: someone else saved in between.
    html = browser.post("/min-side", {**form, "phone": "+4799999999"}, expect=409)
    assert 'id="stale"' in html
    assert "+4799999999" in html
    assert 'value="+4791234567"' in html  # the form now holds what was saved


def test_a_bad_field_in_the_profile_form_is_named(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    html = browser.get("/min-side")
    html = browser.post(
        "/min-side",
        {
            "etag": _value(html, "etag"),
            "given": "Kari",
            "family": "Nordmann",
            "email": "not-an-email",
        },
        expect=400,
    )
    assert "<code>email</code>" in html


def test_reading_a_closed_dialog_moves_it_to_the_archive(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    inbox = browser.get("/innboks")
    for column in ("Oppdatert", "Type", "Fra", "Status"):
        assert f'<th scope="col">{column}</th>' in inbox
    assert "● Ulest" in inbox
    html = browser.get("/dialoger/dlg-kari-3")
    assert 'href="/arkiv"' in html
    assert "dlg-kari-3" in browser.get("/arkiv")
    assert "dlg-kari-3" not in browser.get("/innboks")


def test_a_reply_is_sent_and_shown_in_the_thread(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    browser.get("/dialoger/dlg-kari-1")
    location = browser.post("/dialoger/dlg-kari-1/svar", {"body": "Det klør fortsatt."})
    assert location == "/dialoger/dlg-kari-1?ok=sent"
    assert "Det klør fortsatt." in browser.get(location)


def test_an_e_consultation_needs_the_fee_acknowledged(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    html = browser.get("/dialoger/ny?klinikk=clinic-sentrum")
    assert "kr 183,00" in html
    assert 'name="fee_acknowledged"' in html
    form = {
        "clinic": "clinic-sentrum",
        "type": "e_consultation",
        "subject": "Vondt i halsen",
        "body": "En uke nå.",
    }
    html = browser.post("/dialoger/ny", form, expect=403)
    assert Reason.FEE_NOT_ACKNOWLEDGED.message_nb in html
    location = browser.post("/dialoger/ny", {**form, "fee_acknowledged": "yes"})
    assert location.startswith("/dialoger/")
    assert "Vondt i halsen" in browser.get(location)


def test_a_free_time_is_booked_and_cancelled(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    html = browser.get("/konsultasjoner/bestill?klinikk=clinic-sentrum")
    slot = re.search(r'name="slot" value="([^"]+)"', html)
    assert slot
    location = browser.post(
        "/konsultasjoner/bestill",
        {"clinic": "clinic-sentrum", "kind": "in_person", "slot": slot.group(1)},
    )
    assert location == "/konsultasjoner?ok=booked"
    html = browser.get(location)
    assert "Timen er bestilt." in html
    cancel = re.search(r'action="(/konsultasjoner/([^"]+)/avbestill)"', html)
    assert cancel
    # Booked from now on, it may already be past the free deadline: accept the fee if asked.
    late = f'id="ack-{cancel.group(2)}"' in html
    form = {"fee_acknowledged": "yes"} if late else {}
    assert browser.post(cancel.group(1), form) == "/konsultasjoner?ok=cancelled"


def _oslo(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=i18n.OSLO).astimezone(dt.UTC)


def test_the_late_cancellation_notice_shows_only_when_a_fee_applies(
    world: World, browser: Browser
) -> None:
    browser.login(world, "p-kari")
    html = browser.get("/konsultasjoner")
    assert 'action="/konsultasjoner/con-kari-upcoming/avbestill"' in html
    assert 'name="fee_acknowledged"' not in html  # three weeks ahead: cancelling is free
    assert "kr 350,00" not in html
    # Two hours before the consultation, cancelling is late and costs the clinic's fee.
    start = _oslo(NOW.astimezone(i18n.OSLO).date() + dt.timedelta(days=21), 10)
    world.sandbox.clock.set(start - dt.timedelta(hours=2))
    browser.login(world, "p-kari")  # the token of three weeks ago has expired
    html = browser.get("/konsultasjoner")
    assert 'id="ack-con-kari-upcoming"' in html
    assert "Avbestiller du nå, koster det kr 350,00." in html
    assert i18n.when(start - dt.timedelta(hours=24), "nb") in html


def test_a_late_cancellation_needs_the_patients_explicit_acceptance(
    world: World, browser: Browser
) -> None:
    start = _oslo(NOW.astimezone(i18n.OSLO).date() + dt.timedelta(days=21), 10)
    world.sandbox.clock.set(start - dt.timedelta(hours=2))
    browser.login(world, "p-kari")
    browser.get("/konsultasjoner")
    action = "/konsultasjoner/con-kari-upcoming/avbestill"
    html = browser.post(action, {}, expect=409)
    assert Reason.LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED.message_nb in html
    browser.post("/sprak", {"lang": "en", "next": "/konsultasjoner"})
    html = browser.post(action, {}, expect=409)
    assert Reason.LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED.message_en in html
    assert 'id="ack-con-kari-upcoming"' in browser.get("/konsultasjoner")  # still booked
    assert browser.post(action, {"fee_acknowledged": "yes"}) == "/konsultasjoner?ok=cancelled"
    html = browser.get("/konsultasjoner")
    assert 'action="/konsultasjoner/con-kari-upcoming/avbestill"' not in html
    assert "Cancelled late" in html


def test_the_booking_page_offers_free_time_from_the_sandboxs_clock(
    world: World, browser: Browser
) -> None:
    later = NOW + dt.timedelta(days=3, hours=2)
    world.sandbox.clock.set(later)
    browser.login(world, "p-kari")
    html = browser.get("/konsultasjoner/bestill?klinikk=clinic-sentrum")
    assert i18n.when(later, "nb") in html
    starts = [
        dt.datetime.fromisoformat(v.split("|")[0])
        for v in re.findall(r'name="slot" value="([^"]+)"', html)
    ]
    assert starts
    assert min(starts) >= later


def test_payments_show_three_tabs_six_columns_and_a_receipt(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    html = browser.get("/betalinger")
    for tab in ("Utestående", "Betalt i år", "Alle betalte"):
        assert tab in html
    html = browser.get("/betalinger?fane=all_paid")
    for column in ("Dato", "Klinikk", "Betaling", "Status", "Fakturanummer", "Betalt"):
        assert f">{column}</th>" in html
    assert re.search(r"kr \d[\d \xa0]*,\d\d", html)
    receipt = re.search(r'href="(/betalinger/[^"]+/kvittering)"', html)
    assert receipt
    response = browser.client.get(receipt.group(1))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith("attachment")


def test_the_outstanding_tab_is_only_for_clinics_with_a_convene_terminal(
    world: World, browser: Browser
) -> None:
    browser.login(world, "p-jonas")
    html = browser.get("/betalinger")
    assert "Utestående" not in html
    assert "Betalt i år" in html


def test_a_parent_acts_for_a_child_visibly_and_is_refused_on_the_16th_birthday(
    world: World, browser: Browser
) -> None:
    browser.login(world, "p-kari")
    html = browser.get("/relasjoner")
    assert "Emil Nordmann" in html
    assert "Sofie Nordmann" in html
    assert browser.post("/handle-for", {"patient": "p-sofie"}) == "/min-side"
    html = browser.get("/min-side")
    assert re.search(r"Du ser opplysningene til: <strong>Sofie Nordmann</strong>", html)
    assert "Tilbake til meg selv" in html
    demo = world.sandbox.demo
    assert demo is not None
    born = next(p.birth_date for p in demo.patients if p.id == "p-sofie")
    # 23.50 the evening before (Oslo, winter time = UTC+1): Kari logs in again, acts for
    # Sofie; at midnight the parent's access ends, in the middle of the session.
    eve = dt.datetime(born.year + 16, born.month, born.day, tzinfo=dt.UTC) - dt.timedelta(
        minutes=70
    )
    world.sandbox.clock.set(eve)
    browser.login(world, "p-kari")
    assert browser.post("/handle-for", {"patient": "p-sofie"}) == "/min-side"
    browser.get("/min-side")
    world.sandbox.clock.advance(dt.timedelta(minutes=20))
    response = browser.client.get("/min-side")
    assert response.status_code == 403
    assert Reason.CHILD_TURNED_16.message_nb in response.text
    assert "Sofie Nordmann" in response.text  # whose data was asked for stays on screen
    assert browser.post("/handle-for", {"patient": "me"}) == "/relasjoner"
    assert (
        "Sofie Nordmann"
        not in browser.get("/relasjoner").split("Jeg kan handle")[1].split("<h2>")[0]
    )


def test_start_care_finds_a_clinic_and_its_services(world: World, browser: Browser) -> None:
    browser.login(world, "p-jonas")
    html = browser.get("/start-helsehjelp?q=Sentrum")
    assert 'href="/klinikker/clinic-sentrum"' in html
    html = browser.get("/klinikker/clinic-sentrum")
    assert "Bestille time" in html
    assert "E-konsultasjon" in html


def test_a_prescription_renewal_is_sent_and_listed_with_its_status(
    world: World, browser: Browser
) -> None:
    browser.login(world, "p-kari")
    browser.get("/e-apotek")
    location = browser.post(
        "/e-apotek", {"clinic": "clinic-sentrum", "medications": "Cetirizin 10 mg"}
    )
    html = browser.get(location)
    assert "Cetirizin 10 mg" in html
    assert "Sendt" in html


def test_helsenorge_links_are_shown_in_the_language(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    html = browser.get("/helsenorge")
    assert 'href="https://' in html


def test_an_unknown_page_answers_404_in_the_portals_layout(browser: Browser) -> None:
    response = browser.client.get("/finnes-ikke")
    assert response.status_code == 404
    assert "Fant ikke siden." in response.text


def test_the_login_picker_offers_the_sandboxs_people_by_handle(
    world: World, browser: Browser
) -> None:
    html = browser.get("/logg-inn")
    picker = html[html.index('<select id="person"') :]
    handles = re.findall(r'<option value="([^"]+)"', picker[: picker.index("</select>")])
    assert handles == [person.handle for person in world.people]
    browser.login(world, "p-kari")
    assert "Kari Nordmann" in browser.get("/min-side")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_the_portal_imports_nothing_private_from_the_package_and_nothing_of_the_sandbox() -> None:
    files = sorted(PORTAL_SRC.rglob("*.py"))
    assert files
    for path in files:
        for name in _imports(path):
            if not name.startswith("patientsky") or name.startswith("patientsky.portal"):
                continue
            assert not name.startswith("patientsky.sandbox"), (path.name, name)
            assert not any(part.startswith("_") for part in name.split(".")), (path.name, name)


def test_a_patient_switches_a_relations_access_off_and_on(world: World, browser: Browser) -> None:
    browser.login(world, "p-olav")
    html = browser.get("/relasjoner")
    action = re.search(r'action="(/relasjoner/[^"]+)"', html)
    assert action
    assert browser.post(action.group(1), {"enabled": "off"}) == "/relasjoner"
    html = browser.get("/relasjoner")
    assert "Slå på tilgangen" in html
    assert browser.post(action.group(1), {"enabled": "on"}) == "/relasjoner"


def test_a_patient_changes_what_a_relation_may_do(world: World, browser: Browser) -> None:
    browser.login(world, "p-olav")
    html = browser.get("/relasjoner")
    action = re.search(r'action="(/relasjoner/[^"]+/handlinger)"', html)
    assert action
    relation_id = action.group(1).split("/")[2]
    assert f"action-{relation_id}-read_messages" in html
    chosen = ["view_profile", "read_messages"]
    assert browser.post(action.group(1), {"action": chosen}) == "/relasjoner"
    html = browser.get("/relasjoner")
    checked = re.findall(rf'id="action-{relation_id}-([a-z_]+)"[^>]*checked', html)
    assert sorted(checked) == sorted(chosen)
    browser.post(action.group(1), {"action": ["teleport"]}, expect=400)


def test_the_pages_show_names_not_ids(world: World, browser: Browser) -> None:
    browser.login(world, "p-olav")
    html = browser.get("/relasjoner")
    assert not re.search(r"<td>p-[a-z]+</td>", html)
    browser.login(world, "p-kari")
    profile = browser.get("/min-side")
    assert "Fastlege" in profile
    assert "<dd>—</dd>" not in profile.split("Fastlege")[1][:80]


def test_a_profile_photo_is_uploaded_and_shown(world: World, browser: Browser) -> None:
    from tests.images import image

    browser.login(world, "p-kari")
    browser.get("/min-side")
    response = browser.client.post(
        "/min-side/bilde",
        data={"csrf": browser.csrf},
        files={"photo": ("me.png", image("PNG", (64, 64)), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert 'src="/min-side/bilde"' in browser.get("/min-side")
    photo = browser.client.get("/min-side/bilde")
    assert photo.headers["content-type"] == "image/png"
    assert photo.headers["cache-control"] == "no-store"
    assert photo.content.startswith(b"\x89PNG")


def test_a_photo_upload_without_the_csrf_token_is_refused(world: World, browser: Browser) -> None:
    from tests.images import image

    browser.login(world, "p-kari")
    response = browser.client.post(
        "/min-side/bilde",
        files={"photo": ("me.png", image("PNG", (8, 8)), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_the_access_log_lists_a_read_with_the_readers_name(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    assert 'href="/tilgangslogg"' in browser.get("/min-side")
    html = browser.get("/tilgangslogg")
    assert "<h1>Hvem har sett mine opplysninger</h1>" in html
    row = next(r for r in html.split("<tr>") if "Så profilen" in r)
    assert "Kari Nordmann" in row
    assert re.search(r"\d{1,2}\. \w+ \d{4} kl\. \d\d\.\d\d", row)
    browser.post("/sprak", {"lang": "nn", "next": "/tilgangslogg"})
    assert "Kven har sett opplysningane mine" in browser.get("/tilgangslogg")


def test_the_access_log_is_paged(world: World, browser: Browser) -> None:
    browser.login(world, "p-kari")
    for _ in range(15):  # each page read leaves entries (the profile, the consultations...)
        browser.get("/konsultasjoner")
    first = browser.get("/tilgangslogg")
    following = re.search(r'href="(/tilgangslogg\?side=[^"]+)" rel="next"', first)
    assert following
    second = browser.get(unescape(following.group(1)))
    assert 'href="/tilgangslogg">Første side' in second
    times = re.findall(r'<time datetime="([^"]+)"', first + second)
    assert len(times) > 25
    assert times == sorted(times, reverse=True)


def test_a_representative_sees_the_access_log_only_with_the_right_to(
    world: World, browser: Browser
) -> None:
    browser.login(world, "p-kari")
    browser.post("/handle-for", {"patient": "p-emil"})  # a parent who manages relations
    browser.get("/min-side")
    row = next(r for r in browser.get("/tilgangslogg").split("<tr>") if "Så profilen" in r)
    assert "Kari Nordmann (Forelder til barn under 16)" in row
    browser.post("/handle-for", {"patient": "p-sofie"})  # a parent who does not
    response = browser.client.get("/tilgangslogg")
    assert response.status_code == 403
    code = re.search(r'data-reason="([^"]+)"', response.text)
    assert code
    assert unescape(Reason(code.group(1)).message_nb) in unescape(response.text)


def test_a_file_sent_with_a_reply_downloads_as_the_same_bytes(
    world: World, browser: Browser
) -> None:
    from tests.images import image

    browser.login(world, "p-kari")
    html = browser.get("/dialoger/dlg-kari-1")
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="attachment">' in html
    png = image("PNG", (32, 32))
    response = browser.client.post(
        "/dialoger/dlg-kari-1/svar",
        data={"csrf": browser.csrf, "body": "Bilde av utslettet."},
        files={"attachment": ("utslett.png", png, "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:2000]
    html = browser.get(response.headers["location"])
    link = re.search(
        r'href="(/dialoger/dlg-kari-1/vedlegg/[^"]+)" download>([^<]+)</a> \(([^)]+)\)', html
    )
    assert link
    assert link.group(2) == "Last ned: utslett.png"
    assert link.group(3) == f"image/png, {i18n.size(len(png), 'nb')}"
    download = browser.client.get(link.group(1))
    assert download.status_code == 200
    assert download.content == png
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"].startswith('attachment; filename="utslett.png"')
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["cache-control"] == "no-store"


def test_a_reply_with_a_file_but_without_the_csrf_token_is_refused(
    world: World, browser: Browser
) -> None:
    from tests.images import image

    browser.login(world, "p-kari")
    before = browser.get("/dialoger/dlg-kari-1").count("/vedlegg/")
    response = browser.client.post(
        "/dialoger/dlg-kari-1/svar",
        data={"body": "Uten nøkkel."},
        files={"attachment": ("x.png", image("PNG", (8, 8)), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert i18n.text("csrf_failed", "nb") in unescape(response.text)
    html = browser.get("/dialoger/dlg-kari-1")
    assert "Uten nøkkel." not in html
    assert html.count("/vedlegg/") == before


def test_a_file_over_the_sdks_limit_is_refused_by_the_portal(
    world: World, browser: Browser
) -> None:
    browser.login(world, "p-kari")
    browser.get("/dialoger/dlg-kari-1")
    response = browser.client.post(
        "/dialoger/dlg-kari-1/svar",
        data={"csrf": browser.csrf, "body": "For stor."},
        files={
            "attachment": ("stor.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "application/pdf")
        },
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "attachment" in response.text
    assert "For stor." not in browser.get("/dialoger/dlg-kari-1")


def test_a_reply_from_the_multipart_form_without_a_file_sends_no_attachment(
    world: World, browser: Browser
) -> None:
    browser.login(world, "p-kari")
    before = browser.get("/dialoger/dlg-kari-1").count("/vedlegg/")
    response = browser.client.post(  # what a browser sends when no file was chosen
        "/dialoger/dlg-kari-1/svar",
        data={"csrf": browser.csrf, "body": "Bare tekst."},
        files={"attachment": ("", b"", "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:2000]
    html = browser.get("/dialoger/dlg-kari-1")
    assert "Bare tekst." in html
    assert html.count("/vedlegg/") == before


def test_the_consultations_page_asks_for_the_cancellation_terms_in_one_call(
    world: World, browser: Browser
) -> None:
    browser.login(world, "p-kari")
    browser.get("/konsultasjoner/bestill?klinikk=clinic-sentrum")
    booked = browser.get("/konsultasjoner")
    assert booked.count('action="/konsultasjoner/') >= 1
    html = browser.get("/tilgangslogg")
    # One access-log entry for the terms of every booked consultation, not one each.
    assert html.count("Så avbestillingsvilkårene") == 1
    assert "Så avbestillingsvarselet" not in html
