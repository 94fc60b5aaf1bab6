"""
The ``patientsky demo`` story runs against an in-process sandbox and tells what it did.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

from patientsky.cli import main
from patientsky.demo import run_demo


def test_the_demo_tells_the_whole_story_without_identity_numbers() -> None:
    out = io.StringIO()
    assert run_demo(out) == 0
    text = out.getvalue()
    assert "The dialog moved to the archive." in text
    assert "Fee notice (egenandel):" in text
    assert "Booked consultation at" in text
    assert "starts with %PDF" in text
    assert "reason child_turned_16" in text
    assert "reason consent_withdrawn" in text
    assert "acknowledges the fee notice" in text
    assert "answered and closed it" in text
    assert "now under 'paid this year'" in text
    assert "approved, to Apotek 1 Storgata" in text
    assert re.search(r"\d{11}", text) is None
    assert "Demo failed" not in text
    assert not [t for t in threading.enumerate() if t.name == "patientsky-sandbox"]


def test_the_cli_keeps_the_receipt_when_asked(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["demo", "--keep-receipt", str(tmp_path)], out=out) == 0
    receipts = list(tmp_path.glob("receipt-*.pdf"))
    assert len(receipts) == 1
    assert receipts[0].read_bytes().startswith(b"%PDF")
