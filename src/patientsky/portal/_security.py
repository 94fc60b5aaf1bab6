"""
Sessions, CSRF tokens and security headers of the portal.

The browser holds only a signed session id (HttpOnly, SameSite=Lax, Secure under https);
the access token and everything else stays in the server's memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field

__all__ = [
    "COOKIE",
    "CSP",
    "SECURITY_HEADERS",
    "Session",
    "SessionStore",
    "csrf_ok",
]

COOKIE = "patientsky_portal"
"""The session cookie's name."""

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
"""The Content-Security-Policy: everything from the portal itself, no inline script or style."""

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
"""The headers every answer carries."""

_IDLE = dt.timedelta(minutes=30)
_MAX_SESSIONS = 10_000


@dataclass
class Session:
    """
    One browser's session: its language, CSRF token and, once logged in, the token.

    Args:
        sid: The session id (in the signed cookie).
        csrf: The token every form of the session carries.
        lang: The language chosen.
        token: The access token; never leaves the server.
        person_id: The logged-in person's patient id.
        name: The logged-in person's name, as the portal shows it.
        acting_for: The patient id of the person acted for, or None for oneself.
        acting_name: Their name.
        last_seen: When the session was last used (for the idle timeout).
    """

    sid: str
    csrf: str
    lang: str = "nb"
    token: str | None = field(default=None, repr=False)
    person_id: str | None = None
    name: str | None = None
    acting_for: str | None = None
    acting_name: str | None = None
    last_seen: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def logged_in(self) -> bool:
        """Whether the session holds a login."""
        return self.token is not None


class SessionStore:
    """
    The sessions, in memory, behind cookies signed with a secret.

    Args:
        secret: The key that signs session ids (random if None: sessions then end
            when the portal restarts).
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def _sign(self, sid: str) -> str:
        mac = hmac.new(self._secret, sid.encode(), hashlib.sha256).hexdigest()
        return f"{sid}.{mac}"

    def cookie_value(self, session: Session) -> str:
        """Return the cookie's value for a session: its id and signature."""
        return self._sign(session.sid)

    def new(self, lang: str = "nb") -> Session:
        """Start a new session (a fresh id and CSRF token)."""
        session = Session(sid=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), lang=lang)
        with self._lock:
            if len(self._sessions) >= _MAX_SESSIONS:
                self._expire(dt.datetime.now(dt.UTC))
            self._sessions[session.sid] = session
        return session

    def get(self, cookie: str | None) -> Session | None:
        """Return the session of a cookie whose signature holds and that is not idle too long."""
        if not cookie or "." not in cookie:
            return None
        sid = cookie.rsplit(".", 1)[0]
        if not hmac.compare_digest(self._sign(sid), cookie):
            return None
        now = dt.datetime.now(dt.UTC)
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            if now - session.last_seen > _IDLE:
                del self._sessions[sid]
                return None
            session.last_seen = now
            return session

    def rotate(self, session: Session) -> Session:
        """Give the session a new id and CSRF token (at login and logout, against fixation)."""
        fresh = self.new(session.lang)
        self.drop(session)
        return fresh

    def drop(self, session: Session) -> None:
        """End a session; its token is forgotten."""
        with self._lock:
            self._sessions.pop(session.sid, None)

    def _expire(self, now: dt.datetime) -> None:
        for sid in [s for s, v in self._sessions.items() if now - v.last_seen > _IDLE]:
            del self._sessions[sid]

    def __len__(self) -> int:
        return len(self._sessions)


def csrf_ok(session: Session, given: object) -> bool:
    """Whether a form's CSRF token is the session's."""
    return isinstance(given, str) and hmac.compare_digest(given.encode(), session.csrf.encode())
