"""Private artifacts: traces (`--trace`), screenshots with contact details blacked out
(`--mask-contact`), `0600` files in `0700` folders, and a data folder open to others refused."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from person import Person
from replicas import Replicas
from test_failures_portal import Run, flow  # noqa: F401 (the fixture)

from assistant import log
from assistant.browser import contact, screenshots
from assistant.cli import main
from assistant.errors import ExitCode
from assistant.portals import load_portal

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def modes(folder: Path) -> dict[str, int]:
    """Every entry under `folder` (itself included, as "."), with its permission bits."""
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_trace_is_recorded_per_submission_private_and_its_path_printed(flow: Run) -> None:  # noqa: F811
    run = flow(trace=True, mask_contact=True)
    assert run.error is None, run.error
    # A practice run (the replica): its trace's name says so, and the host.
    host = run.portal.url.split("/")[2].replace(":", "-")
    trace = run.run_dir / f"lakeside-usd-closure-alerts-s1-PRACTICE-{host}-trace.zip"
    screen = run.person.screen(expect="show-trace")
    assert (
        f"Trace of submission 1 of 1 (4 numbers): {trace} "
        f"(open it with: playwright show-trace {trace})"
    ) in screen
    with zipfile.ZipFile(trace) as archive:
        names = archive.namelist()
    assert "trace.trace" in names
    assert any(n.startswith("resources/") for n in names)  # the snapshots and screenshots
    # Everything of the run is private: the folder 0700, the trace, screenshots, log 0600.
    found = modes(run.run_dir)
    assert found.pop(".") == 0o700
    assert {name for name in found if name.endswith(".png")} >= {
        "lakeside-usd-closure-alerts-s1-review.png"
    }
    assert "run.log" in found
    assert found == dict.fromkeys(found, 0o600)


CONTACT_FORM = """
<label>Email <input id=enterprise_contact_email value="{email}"></label>
<label>Phone <input id=enterprise_contact_phone value="{phone}"></label>
<label>Code <input id=captcha value="{code}"></label>
<label>Company <input id=enterprise_company_name value="Lakeside"></label>
"""


@pytest.mark.parametrize("quick", [False, True], ids=["review-png", "step-jpeg"])
def test_mask_contact_blacks_out_email_phone_and_code_in_screenshots(
    page: Page, quick: bool
) -> None:
    portal = load_portal("fcr")
    assert [t.describe() for t in contact.contact_targets(portal)] == [
        "type=email",
        "autocomplete=one-time-code",
        "#enterprise_contact_phone",
    ]
    assert [t.describe() for t in contact.contact_targets(load_portal("fcr-classic"))] == [
        "#enterprise_contact_phone",
        "#enterprise_contact_email",
        "#captcha",
    ]

    def shot(masked: bool, **values: str) -> bytes:
        page.set_content(CONTACT_FORM.format(**values))
        mask = contact.contact_locators(page, portal) if masked else []
        return screenshots.screenshot(page, mask, quick=quick)

    dana = {"email": "dana@lakeside.example.org", "phone": "6195550142", "code": "48213"}
    other = {"email": "x@y.example", "phone": "2125550199", "code": "99999"}
    # Masked, the contact details leave no trace in the picture; unmasked, they do.
    assert shot(True, **dana) == shot(True, **other)
    assert shot(False, **dana) != shot(False, **other)
    # The mask covers only them: the company name still shows.
    changed = CONTACT_FORM.replace('value="Lakeside"', 'value="Elsewhere"')
    page.set_content(changed.format(**dana))
    masks = contact.contact_locators(page, portal)
    assert screenshots.screenshot(page, masks, quick=quick) != shot(True, **dana)


REVIEW_SUMMARY = """
<h2>Review and submit</h2>
<p id=code-sent-to>We sent a 5-digit code to {email}. Enter it below.</p>
<dl><dt>Contact email</dt><dd>{email}</dd><dt>Contact phone</dt><dd>{phone}</dd>
<dt>Company name</dt><dd>Lakeside</dd></dl>
"""


def test_mask_contact_blacks_out_contact_details_in_the_pages_text_too(page: Page) -> None:
    # Issue 10 item 6: the wizard's review summary shows them as text, not in input boxes.
    portal = load_portal("fcr")

    def shot(masked: bool, email: str, phone: str, shown_phone: str) -> bytes:
        page.set_content(REVIEW_SUMMARY.format(email=email, phone=shown_phone))
        mask = contact.contact_locators(page, portal, (email, phone)) if masked else []
        return screenshots.screenshot(page, mask)

    dana = ("dana@lakeside.example.org", "+16195550142")
    other = ("x@y.example", "+12125550199")
    for spelling in ("6195550142", "(619) 555-0142", "+1 619.555.0142"):
        shown_other = spelling.replace("619", "212").replace("555", "555").replace("0142", "0199")
        assert shot(True, *dana, spelling) == shot(True, *other, shown_other)
        assert shot(False, *dana, spelling) != shot(False, *other, shown_other)
    # The company name is still shown: the mask covers the contact details only.
    page.set_content(REVIEW_SUMMARY.format(email=dana[0], phone="6195550142"))
    masked = screenshots.screenshot(page, contact.contact_locators(page, portal, dana))
    page.set_content(
        REVIEW_SUMMARY.format(email=dana[0], phone="6195550142").replace("Lakeside", "Elsewhere")
    )
    assert screenshots.screenshot(page, contact.contact_locators(page, portal, dana)) != masked


def test_a_data_folder_others_can_read_is_refused_with_the_fix(
    tmp_path: Path, replica: Replicas, capsys: pytest.CaptureFixture[str]
) -> None:
    open_dir = tmp_path / "shared"
    open_dir.mkdir()
    open_dir.chmod(0o755)
    fix = (
        f"Error: {open_dir} can be read by other users (mode 0755); "
        f"fix it with: chmod 700 {open_dir}\n"
    )
    with pytest.raises(SystemExit) as exited:
        main(["history", "--data-dir", str(open_dir)])
    assert exited.value.code == ExitCode.UNSAFE_DATA
    assert capsys.readouterr().err == fix
    portal = replica()
    with Person.practice("fill", portal, open_dir) as person:
        assert person.wait() == ExitCode.UNSAFE_DATA
        assert person.before.endswith(fix)
    assert portal.requests() == []  # refused before anything opened
    assert os.listdir(open_dir) == []  # and nothing was written into it


def test_private_files_and_folders_are_created_0600_and_0700(tmp_path: Path) -> None:
    from assistant.paths import data_dir, private_dir, write_private
    from assistant.sitting.session import new_run_dir

    try:
        run = new_run_dir("Lakeside USD", tmp_path / "data")
        log.get_logger("test").warning("hello")
        write_private(run / "s1-review.png", b"png")
        private_dir(run / "nested")
    finally:
        log.detach_run_log()
    assert data_dir(tmp_path / "data") == tmp_path / "data"
    assert modes(tmp_path / "data") == {
        ".": 0o700,
        "runs": 0o700,
        f"runs/{run.name}": 0o700,
        f"runs/{run.name}/run.log": 0o600,
        f"runs/{run.name}/s1-review.png": 0o600,
        f"runs/{run.name}/nested": 0o700,
    }
    assert "WARNING assistant.test: hello" in (run / "run.log").read_text()
