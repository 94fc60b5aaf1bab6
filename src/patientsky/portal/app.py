"""
The portal's web app: a Starlette app whose pages talk to the API through the public SDK.

Every call to the API goes through :class:`~patientsky.client.AsyncPortalClient`; the
sandbox's stand-in for BankID (:class:`~patientsky.client.sandbox.AsyncSandbox`) logs
the demo people in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from patientsky import errors, models
from patientsky.client import AsyncPortalClient, FileUpload, FreeTime, PaymentTab, Versioned
from patientsky.client.sandbox import AsyncSandbox, DemoPerson
from patientsky.portal import i18n
from patientsky.portal._security import COOKIE, SECURITY_HEADERS, Session, SessionStore, csrf_ok
from patientsky.reasons import Reason
from patientsky.rules.attachments import MAX_ATTACHMENT_BYTES

__all__ = ["create_portal", "serve"]

T = TypeVar("T")

_HERE = Path(__file__).parent
_LIST_CAP = 100  # rows a page shows at most
_SLOT_CAP = 60  # free times the booking page offers at most
_LOG_PAGE = 25  # access-log entries a page shows
_MAX_PHOTO = 5 * 1024 * 1024  # the API's photo limit
_MAX_FORM = 512 * 1024  # a form's other fields, at most (a long message, encoded)
_TABS: tuple[PaymentTab, ...] = ("outstanding", "paid_this_year", "all_paid")
_METHODS = (
    models.LoginMethod.BANKID,
    models.LoginMethod.BUYPASS_SMART_CARD,
    models.LoginMethod.BUYPASS_MOBILE,
)


class _LoginRequired(Exception):
    """The page needs a login."""


class _CsrfFailed(Exception):
    """A form came without the session's CSRF token."""


class _Portal:
    """The portal's state: the API client, the sessions, the templates."""

    def __init__(
        self,
        api_base_url: str,
        *,
        sandbox_admin_key: str | None,
        demo_login: bool,
        secret: bytes | None,
        https: bool,
        client_options: dict[str, Any],
    ) -> None:
        self.api_base_url = api_base_url
        self.sandbox_admin_key = sandbox_admin_key
        self.demo_login = demo_login
        self._demo_people: tuple[DemoPerson, ...] | None = None
        self.sessions = SessionStore(secret)
        self.https = https
        self._client_options = client_options
        self.shared: AsyncPortalClient | None = None
        self._clinics: dict[str, models.Clinic] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def new_client(self) -> AsyncPortalClient:
        """A new anonymous client (its own connection pool)."""
        return AsyncPortalClient(self.api_base_url, **self._client_options)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Share one connection pool while the server runs (else one per request)."""
        self.shared = self.new_client()
        try:
            yield
        finally:
            shared, self.shared = self.shared, None
            await shared.aclose()

    async def demo_people(self, client: AsyncPortalClient) -> tuple[DemoPerson, ...]:
        """The sandbox's demo people (read once), or none when the demo login is off."""
        if not self.demo_login:
            return ()
        if self._demo_people is None:
            sandbox = AsyncSandbox(client, admin_key=self.sandbox_admin_key)
            self._demo_people = tuple(await sandbox.people())
        return self._demo_people

    async def clinic(self, client: AsyncPortalClient, clinic_id: str) -> models.Clinic:
        """A clinic (public data, cached)."""
        clinic = self._clinics.get(clinic_id)
        if clinic is None:
            clinic = await client.clinics.get(clinic_id)
            self._clinics[clinic_id] = clinic
        return clinic


def _portal(request: Request) -> _Portal:
    portal: _Portal = request.app.state.portal
    return portal


def _session(request: Request) -> Session:
    session: Session = request.state.session
    return session


def _anon(request: Request) -> AsyncPortalClient:
    """The anonymous client (for public data: clinics, free time, Helsenorge links)."""
    client: AsyncPortalClient = request.state.api_client
    return client


async def _clinic(request: Request, clinic_id: str) -> models.Clinic:
    return await _portal(request).clinic(_anon(request), clinic_id)


def _me(request: Request) -> AsyncPortalClient:
    """The logged-in person's client (not acting for anyone)."""
    session = _session(request)
    if session.token is None:
        raise _LoginRequired
    return _anon(request).with_options(token=session.token)


def _api(request: Request) -> AsyncPortalClient:
    """The client for the person whose data is on screen (oneself, or the one acted for)."""
    client = _me(request)
    acting = _session(request).acting_for
    return client if acting is None else client.acting_for(acting)


async def _take(items: AsyncIterable[T], cap: int = _LIST_CAP) -> list[T]:
    out: list[T] = []
    async for item in items:
        out.append(item)
        if len(out) >= cap:
            break
    return out


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    portal = _portal(request)
    session = _session(request)
    lang = session.lang

    def t(key: str, **fmt: object) -> str:
        value = i18n.text(key, lang)
        return value.format(**fmt) if fmt else value

    html = portal.env.get_template(template).render(
        t=t,
        lang=lang,
        languages=[("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")],
        session=session,
        path=request.url.path,
        money=lambda m: i18n.money(m, lang),
        size=lambda n: i18n.size(n, lang),
        when=lambda v: i18n.when(v, lang),
        date=lambda v: i18n.date(v, lang),
        day_label=lambda v: i18n.date(v.astimezone(i18n.OSLO).date(), lang),
        label=lambda v: i18n.label(v, lang),
        reason=lambda r: i18n.reason_message(r, lang),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


class _File:
    """A file posted with a form: its name and bytes (its type is read from the bytes)."""

    def __init__(self, file_name: str, data: bytes) -> None:
        self.file_name = file_name
        self.data = data


async def _form(request: Request, max_file: int = 0, field: str = "") -> dict[str, Any]:
    """
    Read a posted form and check its CSRF token.

    A form may carry one file of at most ``max_file`` bytes (``field`` names it in the
    error); a larger body is refused before it is read.
    """
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_file + _MAX_FORM:
        raise errors.InvalidInput(field or "form", f"at most {max_file} bytes")
    values: dict[str, Any] = {}
    async with request.form(max_files=1 if max_file else 0, max_fields=50) as form:
        for name, value in form.multi_items():
            read: object = value
            if isinstance(value, UploadFile):
                # Read here (at most the limit and a byte), so the form closes.
                data = await value.read(max_file + 1)
                if len(data) > max_file:
                    raise errors.InvalidInput(name, f"at most {max_file} bytes")
                read = _File(value.filename or "", data) if data else None
            if name in values:  # a repeated name (checkboxes): all its values, in order
                before = values[name]
                values[name] = [*(before if isinstance(before, list) else [before]), read]
            else:
                values[name] = read
    if not csrf_ok(_session(request), values.get("csrf")):
        raise _CsrfFailed
    return values


def _fields(form: dict[str, Any], name: str) -> list[str]:
    """Every value of a repeated field (checkboxes), stripped; none if it is absent."""
    value = form.get(name, [])
    return [
        v.strip() for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)
    ]


def _field(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


# --- middleware and error pages ---------------------------------------------------------


class _SecurityMiddleware(BaseHTTPMiddleware):
    """Loads the session, sets the cookie and the security headers on every answer."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        portal = _portal(request)
        session = portal.sessions.get(request.cookies.get(COOKIE))
        request.state.session = session or portal.sessions.new()
        own = portal.shared is None
        request.state.api_client = portal.new_client() if own else portal.shared
        try:
            response = await call_next(request)
        finally:
            if own:
                await request.state.api_client.aclose()
        final: Session = request.state.session
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        if session is None or final is not session:
            response.set_cookie(
                COOKIE,
                portal.sessions.cookie_value(final),
                httponly=True,
                samesite="lax",
                secure=portal.https or request.url.scheme == "https",
                path="/",
            )
        return response


async def _login_required(request: Request, exc: Exception) -> Response:
    return _redirect("/logg-inn")


async def _unauthorized(request: Request, exc: Exception) -> Response:
    portal, session = _portal(request), _session(request)
    request.state.session = portal.sessions.rotate(session)
    return _render(request, "message.html", 401, title="login", message_key="session_ended")


async def _csrf_failed(request: Request, exc: Exception) -> Response:
    return _render(request, "message.html", 403, title="refused", message_key="csrf_failed")


async def _forbidden(request: Request, exc: Exception) -> Response:
    reason = exc.reason if isinstance(exc, errors.AccessDenied) else Reason.UNKNOWN
    return _render(request, "refused.html", 403, refusal=reason)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _render(request, "message.html", 404, title="not_found", message_key="not_found")


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    key = "not_found" if status == 404 else "service_unavailable"
    return _render(request, "message.html", status, title=key, message_key=key)


async def _unavailable(request: Request, exc: Exception) -> Response:
    return _render(
        request, "message.html", 503, title="service_unavailable", message_key="service_unavailable"
    )


async def _server_error(request: Request, exc: Exception) -> Response:
    # The traceback goes to the server's log (uvicorn's); the page says only that it failed.
    if not hasattr(request.state, "session"):
        return Response("Internal Server Error", status_code=500, media_type="text/plain")
    return _render(
        request, "message.html", 500, title="service_unavailable", message_key="service_unavailable"
    )


async def _invalid(request: Request, exc: Exception) -> Response:
    if isinstance(exc, errors.InvalidInput):
        field = exc.field
    elif isinstance(exc, errors.ApiError) and exc.field_errors:
        field = ", ".join(e.field for e in exc.field_errors)
    else:
        field = "?"
    return _render(request, "invalid.html", 400, field=field)


# --- log in, language, log out ------------------------------------------------------------


async def home(request: Request) -> Response:
    """The start page: Min side when logged in, else the login page."""
    return _redirect("/min-side" if _session(request).logged_in else "/logg-inn")


async def login_page(request: Request) -> Response:
    """L1: choose BankID, Buypass smart card or Buypass mobile, and (sandbox) a test person."""
    return _render(
        request,
        "login.html",
        methods=_METHODS,
        people=await _portal(request).demo_people(_anon(request)),
        logged_out=request.query_params.get("ut") == "1",
    )


async def login(request: Request) -> Response:
    """Log in through the sandbox's stand-in for the identity provider."""
    form = await _form(request)
    portal = _portal(request)
    handle = _field(form, "person")
    person = next((p for p in await portal.demo_people(_anon(request)) if p.handle == handle), None)
    if person is None:
        raise errors.InvalidInput("person", "choose a test person")
    try:
        method = models.LoginMethod(_field(form, "method"))
    except ValueError:
        raise errors.InvalidInput("method", "choose BankID or Buypass") from None
    if method not in _METHODS:
        raise errors.InvalidInput("method", "choose BankID or Buypass")
    sandbox = AsyncSandbox(_anon(request), admin_key=portal.sandbox_admin_key)
    token = await sandbox.login(person.handle, method)
    session = portal.sessions.rotate(_session(request))
    request.state.session = session
    session.token, session.person_id = token.access_token, token.person_id
    client = _me(request)
    # The session names the person, so the header greets them even before consent.
    login = await client.session.get()
    session.name = login.name.full if login.name is not None else person.name
    consent = await client.consent.get()
    return _redirect("/min-side" if consent.in_force else "/samtykke")


async def logout(request: Request) -> Response:
    """Log out: the token ends at the API, and the session here."""
    await _form(request)
    session = _session(request)
    if session.token is not None:
        with contextlib.suppress(errors.Unauthorized):
            await _me(request).session.logout()
    request.state.session = _portal(request).sessions.rotate(session)
    return _redirect("/logg-inn?ut=1")


async def language(request: Request) -> Response:
    """Change the language; back to the page the form was on."""
    form = await _form(request)
    lang = _field(form, "lang")
    if lang in i18n.LANGUAGES:
        _session(request).lang = lang
    back = _field(form, "next")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = "/"
    return _redirect(back)


# --- consent ------------------------------------------------------------------------------


async def consent_page(request: Request) -> Response:
    """C1–C3: the terms, whether consent is in force, give or withdraw it."""
    client = _api(request)
    state = await client.consent.get()
    terms = await client.consent.terms()
    return _render(request, "consent.html", state=state, terms=terms)


async def consent_give(request: Request) -> Response:
    """C1, C2: consent to the current terms."""
    form = await _form(request)
    await _api(request).consent.give(_field(form, "version"))
    return _redirect("/min-side")


async def consent_withdraw(request: Request) -> Response:
    """C3: withdraw consent ("reserve yourself")."""
    await _form(request)
    await _api(request).consent.withdraw()
    return _redirect("/samtykke")


# --- profile ------------------------------------------------------------------------------


def _profile_values(patient: models.Patient) -> dict[str, str]:
    address = patient.contact.address
    return {
        "given": patient.name.given,
        "middle": patient.name.middle or "",
        "family": patient.name.family,
        "street": address.street if address else "",
        "postal_code": address.postal_code if address else "",
        "city": address.city if address else "",
        "phone": patient.contact.phone or "",
        "email": patient.contact.email or "",
    }


async def profile_page(request: Request) -> Response:
    """P1–P5: name, address, phone, e-mail and photo."""
    versioned = await _api(request).profile.get()
    return _render(
        request,
        "profile.html",
        patient=versioned.value,
        etag=versioned.etag,
        values=_profile_values(versioned.value),
        saved=request.query_params.get("lagret") == "1",
        stale=None,
        error=None,
    )


def _edited(form: dict[str, Any]) -> tuple[models.PersonName, models.ContactDetails]:
    name = models.PersonName(
        given=_field(form, "given"),
        family=_field(form, "family"),
        middle=_field(form, "middle") or None,
    )
    street, postal, city = _field(form, "street"), _field(form, "postal_code"), _field(form, "city")
    address = models.Address(street=street, postal_code=postal, city=city) if street else None
    contact = models.ContactDetails(
        email=_field(form, "email") or None, phone=_field(form, "phone") or None, address=address
    )
    return name, contact


async def profile_save(request: Request) -> Response:
    """P3, P4: save an edit unless the profile changed since it was read (If-Match)."""
    form = await _form(request)
    client = _api(request)
    mine = {k: _field(form, k) for k in _profile_values_keys()}
    try:
        name, contact = _edited(form)
    except errors.InvalidInput as exc:
        current = await client.profile.get()
        return _render(
            request,
            "profile.html",
            400,
            patient=current.value,
            etag=_field(form, "etag"),
            values=mine,
            saved=False,
            stale=None,
            error=exc.field,
        )
    try:
        await client.profile.update(if_match=_field(form, "etag"), name=name, contact=contact)
    except errors.ApiConflict:
        fresh: Versioned[models.Patient] = await client.profile.get()
        return _render(
            request,
            "profile.html",
            409,
            patient=fresh.value,
            etag=fresh.etag,
            values=_profile_values(fresh.value),
            saved=False,
            stale=mine,
            error=None,
        )
    if _session(request).acting_for is None:
        _session(request).name = name.full
    return _redirect("/min-side?lagret=1")


def _profile_values_keys() -> tuple[str, ...]:
    return ("given", "middle", "family", "street", "postal_code", "city", "phone", "email")


async def photo(request: Request) -> Response:
    """P1: the profile photo's bytes (never cached)."""
    photo = await _api(request).profile.photo()
    return Response(photo.data, media_type=photo.media_type)


async def photo_upload(request: Request) -> Response:
    """P1: upload a new profile photo."""
    form = await _form(request, _MAX_PHOTO, "photo")
    file = form.get("photo")
    if not isinstance(file, _File):
        raise errors.InvalidInput("photo", "choose a JPEG or PNG file")
    await _api(request).profile.upload_photo(file.data)
    return _redirect("/min-side?lagret=1")


# --- consultations ------------------------------------------------------------------------


async def _patient_clinics(request: Request) -> list[models.Clinic]:
    patient = (await _api(request).profile.get()).value
    return [await _clinic(request, i) for i in dict.fromkeys(patient.clinic_ids)]


async def consultations_page(request: Request) -> Response:
    """K1, K4: upcoming and past consultations; cancel; the video link."""
    client = _api(request)
    upcoming = await _take(client.consultations.list("upcoming"))
    past = await _take(client.consultations.list("past"))
    clinics = {c.clinic_id: await _clinic(request, c.clinic_id) for c in upcoming + past}
    # What cancelling each booked one costs now, in one call (one access-log entry): the
    # fee shows (and must be accepted) only where it applies.
    booked = any(c.status == models.ConsultationStatus.BOOKED for c in upcoming)
    notices = (
        {n.consultation_id: n for n in await _take(client.consultations.cancellation_notices())}
        if booked
        else {}
    )
    return _render(
        request,
        "consultations.html",
        upcoming=upcoming,
        past=past,
        clinics=clinics,
        notices=notices,
        video=models.ConsultationKind.VIDEO,
        flash=request.query_params.get("ok"),
    )


async def consultation_cancel(request: Request) -> Response:
    """K1: cancel a booked consultation; a late one's fee only when the patient accepted it."""
    form = await _form(request)
    try:
        await _api(request).consultations.cancel(
            request.path_params["consultation_id"],
            fee_acknowledged=form.get("fee_acknowledged") == "yes",
        )
    except errors.ApiConflict as exc:
        refusal = Reason.LATE_CANCELLATION_FEE_NOT_ACKNOWLEDGED
        if exc.code != refusal.value:
            raise
        return _render(request, "refused.html", 409, refusal=refusal)
    return _redirect("/konsultasjoner?ok=cancelled")


async def consultation_video(request: Request) -> Response:
    """K3: where to join a video consultation."""
    link = await _api(request).consultations.video_link(request.path_params["consultation_id"])
    return _render(request, "video.html", link=link.join_url)


def _slots(free: Iterable[FreeTime]) -> list[tuple[str, list[tuple[str, FreeTime, dt.datetime]]]]:
    """The bookable starts the API gives in each free stretch, grouped by Oslo day."""
    days: dict[dt.date, list[tuple[str, FreeTime, dt.datetime]]] = {}
    count = 0
    for stretch in free:
        for start in stretch.start_times:
            if count >= _SLOT_CAP:
                break
            value = f"{start.isoformat()}|{','.join(stretch.calendar_ids)}"
            days.setdefault(start.astimezone(i18n.OSLO).date(), []).append((value, stretch, start))
            count += 1
    return [(day.isoformat(), slots) for day, slots in sorted(days.items())]


async def booking_page(request: Request) -> Response:
    """K2: book with a picker of free time across the clinic's calendars."""
    clinics = await _patient_clinics(request)
    wanted = request.query_params.get("klinikk")
    if wanted and wanted not in {c.id for c in clinics}:
        clinics.insert(0, await _clinic(request, wanted))
    video = request.query_params.get("type") == "video"
    service = (
        models.CareService.VIDEO_CONSULTATION if video else models.CareService.BOOK_CONSULTATION
    )
    clinic = next((c for c in clinics if c.id == wanted), None) or next(
        (c for c in clinics if c.offers(service)), clinics[0] if clinics else None
    )
    days: list[Any] = []
    now: dt.datetime | None = None
    if clinic is not None:
        now = await _anon(request).server_time()  # the API's time (a sandbox's may be set)
        free = await _anon(request).clinics.free_time(
            clinic.id, start=now, end=now + dt.timedelta(days=14), duration_minutes=15
        )
        days = _slots(free)
    return _render(
        request, "book.html", clinics=clinics, clinic=clinic, days=days, video=video, now=now
    )


async def book(request: Request) -> Response:
    """K2: book the chosen free time."""
    form = await _form(request)
    try:
        start_text, calendars = _field(form, "slot").split("|", 1)
        start = dt.datetime.fromisoformat(start_text)
    except ValueError:
        raise errors.InvalidInput("slot", "choose a free time") from None
    kind = (
        models.ConsultationKind.VIDEO
        if _field(form, "kind") == "video"
        else models.ConsultationKind.IN_PERSON
    )
    await _api(request).consultations.book(
        clinic_id=_field(form, "clinic"),
        calendar_ids=[c for c in calendars.split(",") if c],
        start=start,
        duration_minutes=15,
        kind=kind,
        comment=_field(form, "comment") or None,
    )
    return _redirect("/konsultasjoner?ok=booked")


# --- dialogs ------------------------------------------------------------------------------


async def folder_page(request: Request, folder: str) -> Response:
    """M1, M2, M6: the inbox or the archive, newest first, with the unread marker."""
    client = _api(request)
    dialogs = await _take(client.dialogs.list("inbox" if folder == "inbox" else "archive"))
    clinics = await _patient_clinics(request)
    return _render(
        request,
        "dialogs.html",
        folder=folder,
        dialogs=dialogs,
        clinics=clinics,
        flash=request.query_params.get("ok"),
    )


async def inbox(request: Request) -> Response:
    """M1: Innboks."""
    return await folder_page(request, "inbox")


async def archive(request: Request) -> Response:
    """M6: Arkiv."""
    return await folder_page(request, "archive")


async def dialog_page(request: Request) -> Response:
    """M2, M5: open a dialog (it is then read, and may move to the archive); reply."""
    view = await _api(request).dialogs.read(request.path_params["dialog_id"])
    return _render(
        request,
        "dialog.html",
        view=view,
        closed=view.dialog.status == models.DialogStatus.CLOSED and not view.dialog.needs_reply,
        flash=request.query_params.get("ok"),
    )


async def dialog_reply(request: Request) -> Response:
    """M8, M9: answer in a dialog, with a file if the patient chose one."""
    form = await _form(request, MAX_ATTACHMENT_BYTES, "attachment")
    dialog_id = request.path_params["dialog_id"]
    file = form.get("attachment")
    # A FileUpload (never a str, which the client would read as a path on this server).
    attachments = (
        [FileUpload(file.data, file.file_name or "vedlegg", None)]
        if isinstance(file, _File)
        else []
    )
    await _api(request).dialogs.reply(dialog_id, _field(form, "body"), attachments=attachments)
    return _redirect(f"/dialoger/{dialog_id}?ok=sent")


def _content_disposition(file_name: str) -> str:
    """``attachment`` with the name: ASCII in ``filename``, all of it in ``filename*``."""
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in file_name
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


async def attachment_download(request: Request) -> Response:
    """M8: a message's file, fetched through the client and offered for saving (never shown)."""
    file = await _api(request).dialogs.download_attachment(
        request.path_params["dialog_id"], request.path_params["attachment_id"]
    )
    return Response(
        file.content,
        media_type=file.media_type,
        headers={
            "Content-Disposition": _content_disposition(file.file_name),
            "X-Content-Type-Options": "nosniff",
        },
    )


async def new_dialog_page(request: Request) -> Response:
    """M3, M4, M7: start a dialog of a type the clinic enabled; the egenandel notice."""
    client = _api(request)
    clinics = await _patient_clinics(request)
    wanted = request.query_params.get("klinikk")
    if wanted and wanted not in {c.id for c in clinics}:
        clinics.insert(0, await _clinic(request, wanted))
    clinic = next((c for c in clinics if c.id == wanted), clinics[0] if clinics else None)
    if clinic is None:
        return _redirect("/start-helsehjelp")
    services = await client.care.services(clinic.id)
    notice = await client.dialogs.fee_notice(clinic.id)
    types = [t for t in services.communication_types if isinstance(t, models.CommunicationType)]
    chosen = request.query_params.get("type") or (types[0].value if types else "")
    return _render(
        request,
        "new_dialog.html",
        clinics=clinics,
        clinic=clinic,
        types=types,
        chosen=chosen,
        notice=notice,
    )


async def new_dialog(request: Request) -> Response:
    """M3, M7: start the dialog (an e-consultation needs the fee acknowledged)."""
    form = await _form(request)
    try:
        kind = models.CommunicationType(_field(form, "type"))
    except ValueError:
        raise errors.InvalidInput("type", "choose a type the clinic offers") from None
    view = await _api(request).dialogs.start(
        clinic_id=_field(form, "clinic"),
        type=kind,
        subject=_field(form, "subject"),
        body=_field(form, "body"),
        fee_acknowledged=form.get("fee_acknowledged") == "yes",
    )
    return _redirect(f"/dialoger/{view.dialog.id}?ok=sent")


# --- payments -----------------------------------------------------------------------------


async def payments_page(request: Request) -> Response:
    """B1–B4: the three tabs, six columns, the tab's total; receipts (B5)."""
    client = _api(request)
    clinics = await _patient_clinics(request)
    tabs = [t for t in _TABS if t != "outstanding" or any(c.uses_convene for c in clinics)]
    wanted = request.query_params.get("fane", tabs[0])
    tab = next((t for t in tabs if t == wanted), None)
    if tab is None:
        raise errors.InvalidInput("fane", "no such tab")
    pager = client.payments.list(tab)
    rows = await _take(pager)
    total = await pager.total()
    return _render(request, "payments.html", tabs=tabs, tab=tab, rows=rows, total=total)


async def receipt(request: Request) -> Response:
    """B5: download a payment's receipt (PDF)."""
    payment_id = request.path_params["payment_id"]
    pdf = await _api(request).payments.receipt(payment_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="kvittering.pdf"'},
    )


# --- start care, clinics ------------------------------------------------------------------


async def start_care(request: Request) -> Response:
    """H1, H2: search a clinic."""
    query = request.query_params.get("q", "").strip()
    mine = await _patient_clinics(request)
    found = await _take(_anon(request).clinics.search(query or None), 20) if query else []
    return _render(request, "start_care.html", query=query, found=found, mine=mine)


async def clinic_page(request: Request) -> Response:
    """H1: a clinic's services and the dialog types one may start there."""
    clinic_id = request.path_params["clinic_id"]
    clinic = await _clinic(request, clinic_id)
    services = await _api(request).care.services(clinic_id)
    known = [s for s in services.services if isinstance(s, models.CareService)]
    types = [t for t in services.communication_types if isinstance(t, models.CommunicationType)]
    return _render(request, "clinic.html", clinic=clinic, services=known, types=types)


# --- relations ----------------------------------------------------------------------------


async def relations_page(request: Request) -> Response:
    """R1–R4: who may act for me, and for whom I may act (switch person)."""
    represented = await _take(_me(request).session.represented())
    relations = await _take(_api(request).relations.list())
    return _render(
        request,
        "relations.html",
        represented=represented,
        relations=relations,
        actions=list(models.Action),
    )


async def relation_switch(request: Request) -> Response:
    """R4: switch a relation's access off or on."""
    form = await _form(request)
    enabled = _field(form, "enabled") == "on"
    await _api(request).relations.change(request.path_params["relation_id"], enabled=enabled)
    return _redirect("/relasjoner")


async def relation_actions(request: Request) -> Response:
    """R4: change what a relation may do (the rules refuse more than the patient has)."""
    form = await _form(request)
    try:
        actions = [models.Action(v) for v in _fields(form, "action")]
    except ValueError:
        raise errors.InvalidInput("action", "choose among the actions shown") from None
    await _api(request).relations.change(request.path_params["relation_id"], actions=actions)
    return _redirect("/relasjoner")


async def act_for(request: Request) -> Response:
    """R1: act for someone (or for oneself again); the banner shows whose data is on screen."""
    form = await _form(request)
    session = _session(request)
    wanted = _field(form, "patient")
    if wanted == "me":
        session.acting_for = session.acting_name = None
        return _redirect("/relasjoner")
    for person in await _take(_me(request).session.represented()):
        if person.patient_id == wanted:
            session.acting_for, session.acting_name = person.patient_id, person.name.full
            return _redirect("/min-side")
    raise errors.InvalidInput("patient", "you may not act for that person now")


# --- the access log -----------------------------------------------------------------------


async def access_log_page(request: Request) -> Response:
    """AL1: who has read or changed the data, newest first, a page at a time."""
    client = _api(request)
    cursor = request.query_params.get("side") or None
    # A representative without the right action is refused here (the refusal page).
    page = await client.access_log(limit=_LOG_PAGE, cursor=cursor).page()
    # Who acted, by name: the API names them next to their ids (AL1).
    names = {e.actor_id: e.actor_name for e in page.data if e.actor_name is not None}
    clinics: dict[str, str] = {}
    for entry in page.data:
        for clinic_id in [entry.clinic_id] if entry.clinic_id is not None else []:
            if clinic_id not in clinics:
                with contextlib.suppress(errors.ApiNotFound):
                    clinics[clinic_id] = (await _clinic(request, clinic_id)).name
    return _render(
        request,
        "access_log.html",
        entries=page.data,
        names=names,
        clinics=clinics,
        representative=models.ActorKind.REPRESENTATIVE,
        next_cursor=page.next_cursor,
        paged=cursor is not None,
    )


# --- Helsenorge and e-pharmacy ------------------------------------------------------------


async def helsenorge(request: Request) -> Response:
    """O1: links to public services on Helsenorge."""
    _me(request)
    links = await _anon(request).public_services.list()
    return _render(request, "helsenorge.html", links=links)


async def pharmacy_page(request: Request) -> Response:
    """E1, E2: renewal requests with their status, and a form to send one."""
    client = _api(request)
    renewals = await _take(client.prescriptions.list())
    clinics = [
        c
        for c in await _patient_clinics(request)
        if c.offers(models.CareService.PRESCRIPTION_RENEWAL)
    ]
    names = {r.clinic_id: (await _clinic(request, r.clinic_id)).name for r in renewals}
    return _render(
        request,
        "pharmacy.html",
        renewals=renewals,
        clinics=clinics,
        names=names,
        chosen=request.query_params.get("klinikk", ""),
        flash=request.query_params.get("ok"),
    )


async def pharmacy_request(request: Request) -> Response:
    """E1: ask the clinic to renew prescriptions."""
    form = await _form(request)
    medications = [m.strip() for m in _field(form, "medications").splitlines() if m.strip()]
    await _api(request).prescriptions.request(
        _field(form, "clinic"), medications, note=_field(form, "note") or None
    )
    return _redirect("/e-apotek?ok=sent")


def serve(app: Starlette, sock: socket.socket) -> None:
    """
    Serve the portal with uvicorn on a bound, listening socket until Ctrl+C.

    Args:
        app: The portal, from :func:`create_portal`.
        sock: The socket to accept connections on.
    """
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl+C after stopping
        uvicorn.Server(config).run(sockets=[sock])


def create_portal(
    api_base_url: str,
    *,
    sandbox_admin_key: str | None = None,
    demo_login: bool = False,
    secret: bytes | None = None,
    https: bool = False,
    **client_options: Any,
) -> Starlette:
    """
    Make the portal's web app.

    Args:
        api_base_url: The API's address (the sandbox's, for example).
        sandbox_admin_key: The sandbox's admin key (the login picker needs none; kept for
            the sandbox's own operations).
        demo_login: Whether the login page offers the sandbox's demo people (read from
            the sandbox with :meth:`~patientsky.client.sandbox.AsyncSandbox.people`, logged
            in by handle); it stands in for BankID and Buypass. Only against a sandbox.
        secret: The key that signs session cookies (random if None).
        https: Whether the portal is served over https (cookies get ``Secure``; they do
            anyway when a request arrives over https).
        client_options: More keyword arguments for :class:`~patientsky.client.AsyncPortalClient`
            (``transport``, ``timeout``, ...).

    Returns:
        The Starlette app.
    """
    portal = _Portal(
        api_base_url,
        sandbox_admin_key=sandbox_admin_key,
        demo_login=demo_login,
        secret=secret,
        https=https,
        client_options=client_options,
    )

    def get(path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> Route:
        return Route(path, endpoint, methods=["GET"])

    def post(path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> Route:
        return Route(path, endpoint, methods=["POST"])

    routes = [
        get("/", home),
        get("/logg-inn", login_page),
        post("/logg-inn", login),
        post("/logg-ut", logout),
        post("/sprak", language),
        get("/samtykke", consent_page),
        post("/samtykke/gi", consent_give),
        post("/samtykke/trekk", consent_withdraw),
        get("/min-side", profile_page),
        post("/min-side", profile_save),
        get("/min-side/bilde", photo),
        post("/min-side/bilde", photo_upload),
        get("/konsultasjoner", consultations_page),
        get("/konsultasjoner/bestill", booking_page),
        post("/konsultasjoner/bestill", book),
        post("/konsultasjoner/{consultation_id}/avbestill", consultation_cancel),
        get("/konsultasjoner/{consultation_id}/video", consultation_video),
        get("/innboks", inbox),
        get("/arkiv", archive),
        get("/dialoger/ny", new_dialog_page),
        post("/dialoger/ny", new_dialog),
        get("/dialoger/{dialog_id}", dialog_page),
        post("/dialoger/{dialog_id}/svar", dialog_reply),
        get("/dialoger/{dialog_id}/vedlegg/{attachment_id}", attachment_download),
        get("/betalinger", payments_page),
        get("/betalinger/{payment_id}/kvittering", receipt),
        get("/start-helsehjelp", start_care),
        get("/klinikker/{clinic_id}", clinic_page),
        get("/relasjoner", relations_page),
        post("/relasjoner/{relation_id}", relation_switch),
        post("/relasjoner/{relation_id}/handlinger", relation_actions),
        post("/handle-for", act_for),
        get("/helsenorge", helsenorge),
        get("/tilgangslogg", access_log_page),
        get("/e-apotek", pharmacy_page),
        post("/e-apotek", pharmacy_request),
        Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        _LoginRequired: _login_required,
        _CsrfFailed: _csrf_failed,
        errors.Unauthorized: _unauthorized,
        errors.Forbidden: _forbidden,
        errors.ApiNotFound: _not_found,
        errors.InvalidInput: _invalid,
        errors.BadRequest: _invalid,
        errors.ServerError: _unavailable,
        errors.TransportError: _unavailable,
        errors.RateLimited: _unavailable,
        HTTPException: _http_error,
    }
    app = Starlette(
        routes=routes,
        lifespan=portal.lifespan,
        middleware=[Middleware(_SecurityMiddleware)],
        exception_handlers=handlers,
    )
    app.state.portal = portal
    return app
