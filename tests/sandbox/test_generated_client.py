"""
A client generated from the shipped document works against the sandbox.

openapi-python-client generates a package from ``patientsky/openapi.json`` into a
temporary folder (offline, in a few seconds), and a short flow runs with it: a login,
a patch of one profile field, a dialog and a reply, a receipt, a photo upload, and a
refused call read as a problem document.
"""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from patientsky.sandbox import openapi_path
from tests.images import image
from tests.sandbox.conftest import Api

pytestmark = pytest.mark.e2e

_PACKAGE = "portal_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The generated client package, importable for the tests of this module."""
    pytest.importorskip("openapi_python_client")
    folder = tmp_path_factory.mktemp("generated")
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")
    command = [sys.executable, "-m", "openapi_python_client", "generate"]
    command += ["--path", str(openapi_path()), "--config", str(config), "--meta", "none"]
    command += ["--output-path", str(folder / _PACKAGE)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (folder / _PACKAGE / "api" / "profile" / "put_photo.py").exists(), done.stdout
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(_PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == _PACKAGE or n.startswith(f"{_PACKAGE}.")]:
            del sys.modules[name]


def _module(generated: Any, name: str) -> Any:
    return importlib.import_module(f"{generated.__name__}.{name}")


def test_a_generated_client_runs_the_whole_flow(generated: Any, api: Api) -> None:
    models = _module(generated, "models")
    types = _module(generated, "types")
    base_url = str(api.client.base_url)

    def call(name: str) -> Any:
        return _module(generated, f"api.{name}")

    kari = api.logins["p-kari"]
    with generated.Client(base_url=base_url) as anyone:
        login = call("sandbox.sandbox_login").sync(
            client=anyone,
            body=models.LoginRequest(
                national_id=kari.national_id.reveal(), method=models.LoginMethod.BANKID
            ),
        )
    assert isinstance(login, models.LoginResponse), login
    with generated.AuthenticatedClient(base_url=base_url, token=login.access_token) as me:
        _flow(call, models, types, me, api)


def _flow(call: Any, models: Any, types: Any, me: Any, api: Api) -> None:

    # A patch of one field keeps the others (JSON merge patch).
    read = call("profile.get_profile").sync_detailed("me", client=me)
    before = read.parsed
    patched = call("profile.update_profile").sync(
        "me",
        client=me,
        body=models.ProfilePatch(contact=models.ContactDetailsPatch(phone="+4791234567")),
        if_match=read.headers["etag"],
    )
    assert isinstance(patched, models.Patient), patched
    assert patched.contact.phone == "+4791234567"
    assert patched.contact.email == before.contact.email
    assert patched.name.to_dict() == before.name.to_dict()

    # A dialog, and a reply in it.
    dialog = call("dialogs.start_dialog").sync(
        "me",
        client=me,
        body=models.DialogStart(
            clinic_id="clinic-sentrum",
            type_=models.CommunicationType.OTHER_INQUIRY,
            subject="Hei",
            body="Et spørsmål",
        ),
    )
    assert isinstance(dialog, models.DialogView), dialog
    reply = call("dialogs.reply_to_dialog").sync(
        "me", dialog.id, client=me, body=models.Reply(body="Og ett til")
    )
    assert isinstance(reply, models.Message), reply
    assert reply.body == "Og ett til"

    # A receipt, as bytes.
    assert api.sandbox.demo is not None
    payment = next(p for p in api.sandbox.demo.payments if p.patient_id == "p-kari")
    receipt = call("payments.download_receipt").sync("me", payment.id, client=me)
    assert isinstance(receipt, types.File), receipt
    assert receipt.payload.read().startswith(b"%PDF")

    # A photo upload, as bytes.
    png = image("PNG")
    photo = call("profile.put_photo").sync(
        "me", client=me, body=types.File(payload=io.BytesIO(png), mime_type="image/png")
    )
    assert isinstance(photo, models.PhotoRef), photo
    assert photo.media_type == "image/png"

    # A refused call is a problem document with a code.
    refused = call("dialogs.read_dialog").sync("me", "dlg-nothing", client=me)
    assert isinstance(refused, models.Problem), refused
    assert refused.status == 404
    assert refused.code == models.GenericCode.NOT_FOUND


def test_the_generated_client_has_the_binary_and_merge_patch_operations(generated: Any) -> None:
    folder = Path(generated.__file__).parent / "api"
    modules = {p.stem for p in folder.rglob("*.py") if p.stem != "__init__"}
    assert {"put_photo", "get_photo", "download_receipt", "update_profile"} <= modules
