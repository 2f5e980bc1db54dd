"""Issue 18, item 2: `assistant batch` over two profiles and three registries (--portal
fcr,trf,vsf) in a pseudo-terminal, the codes read from the test mailbox (the replica mails each
into the session's real IMAP server), the person typing nothing but `submit`: every profile
reaches every registry, each submission with its own review, and the summary has one row per
profile, registry and part."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from batchrun import EMAIL, drive, profile_text
from mailserver import MailServer
from replicas import Replicas

from assistant.errors import ExitCode
from assistant.records.journal import Journal

pytestmark = pytest.mark.browser

DISPUTE = "dispute:\n  label: Spam Likely\n  shown_by: Hiya\n  seen_on: 2026-11-30\n"
FORMS = {"fcr": "wizard", "trf": "trf", "vsf": "vsf"}


def test_a_batch_registers_two_profiles_with_three_registries_typing_only_submit(
    mail_server: MailServer, replica: Replicas, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    paths = []
    for n, size in ((1, 21), (2, 1)):  # Harbor 1 is two submissions per registry: 20 and 1
        numbers = [f"(619) 555-{n}{i:03d}" for i in range(size)]
        text = profile_text(n, numbers).replace(EMAIL, f"ops-{tag}-{n}@harbor.example.org")
        path = tmp_path / f"harbor-{n}.yaml"
        path.write_text(text + DISPUTE, encoding="utf-8")
        paths.append(str(path))
    config = tmp_path / "config-home"
    (config / "assistant").mkdir(parents=True)
    (config / "assistant" / "config.toml").write_text(mail_server.config_toml(), "utf-8")
    portal = replica(mailbox=mail_server, mail_delay=0.3)
    data = tmp_path / "data"
    options = ["--url", portal.origin, "--headless", "--codes", "mailbox", "--code-timeout", "60"]
    run = drive(
        ["batch", *paths, "--portal", "fcr,trf,vsf", *options, "--data-dir", str(data)],
        None,  # a question for a code fails the test
        env={"XDG_CONFIG_HOME": str(config), "ASSISTANT_IMAP_PASSWORD": mail_server.password},
        timeout=240,
    )
    screen = run.output
    assert run.exitstatus == ExitCode.OK, screen
    # One review and one `submit` per submission: 2 parts x 3 registries, then 1 x 3.
    assert run.reviews == [("Harbor 1", "1"), ("Harbor 1", "2")] * 3 + [("Harbor 2", "1")] * 3
    assert screen.count("Using the code from the mailbox (received ") == 9
    # What each form received, in order: the layout and the numbers (10 digits).
    received = [
        (
            s["layout"],
            [v for k, v in s["fields"].items() if k.startswith("enterprise_phone_") and v],
        )
        for s in portal.submissions()
    ]
    first = [f"6195551{i:03d}" for i in range(21)]
    assert received == [
        *((FORMS[form], part) for form in FORMS for part in (first[:20], first[20:])),
        *((FORMS[form], ["6195552000"]) for form in FORMS),
    ]
    ids = {
        s["fields"]["enterprise_phone_0"] + s["layout"]: s["feedback_id"]
        for s in portal.submissions()
    }
    assert len(set(ids.values())) == 9
    # The summary: one row per profile, registry and part, each with its Feedback ID.
    rows = re.findall(
        r"│ (\d) +│ (Harbor \d) +│ (\w+) +│ (\d of \d) +│ +(\d+) +│ (\w+) +│ (\w+) +│", screen
    )
    by_layout = {s["feedback_id"]: s["layout"] for s in portal.submissions()}
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
        *(("Harbor 1", form, f"{part} of 2", count, "submitted")
          for form in FORMS for part, count in ((1, "20"), (2, "1"))),
        *(("Harbor 2", form, "1 of 1", "1", "submitted") for form in FORMS),
    ]  # fmt: skip
    assert [FORMS[r[2]] for r in rows] == [by_layout[r[6]] for r in rows]
    assert "9 submitted, 0 declined, 0 stopped, 0 failed, 0 unknown, 0 skipped." in screen
    assert "[4/9] Harbor 1 at trf (TNS robocall feedback form) (submission 2 of 2)" in screen
    # The ledger: each registry its own, practice, at the replica's host.
    with Journal.open(data) as journal:
        filed = [(a.profile_label, a.registry, a.part, a.real_portal) for a in journal.history()]
    assert sorted(filed) == sorted(
        [("Harbor 1", form, part, False) for form in FORMS for part in (1, 2)]
        + [("Harbor 2", form, 1, False) for form in FORMS]
    )
