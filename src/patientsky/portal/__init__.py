"""
The portal: the patient portal's web pages, built only on the public SDK.

A server-rendered Starlette app (Jinja2 templates, one CSS file, no script) that talks
to the API only through :class:`~patientsky.client.AsyncPortalClient`, and logs the
sandbox's test people in with :class:`~patientsky.client.sandbox.AsyncSandbox` where a
real portal would use BankID or Buypass. Needs the ``portal`` extra (Starlette, Jinja2,
python-multipart)::

    from patientsky.portal import create_portal

    app = create_portal("http://127.0.0.1:8000", demo_login=True)  # in front of a sandbox

``patientsky portal`` starts the sandbox and the portal together.
"""

from patientsky.portal.app import create_portal

__all__ = ["create_portal"]
