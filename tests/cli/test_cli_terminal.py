"""What a person sees at a terminal, through the real `assistant` command in a pseudo-terminal:
refusals grouped by earlier submission, history and receipts, and every value shown literally."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from person import EOF, Person
from replicas import Replicas

from assistant.errors import ExitCode
from assistant.records.journal import Journal, NewAttempt, State
from assistant.replica import Replica

pytestmark = pytest.mark.browser

FID1 = "FCRFE11272026100000001"
FID2 = "FCRFE11272026100500002"


def run_at_terminal(
    *args: str, columns: int = 100, env: dict[str, str] | None = None
) -> tuple[int | None, str]:
    """`assistant ARGS` in a pseudo-terminal `columns` wide: its exit status and its screen."""
    with Person(*args, size=(50, columns), env=env) as person:
        return person.wait(), person.before


def profile_with(path: Path, numbers: list[str], label: str = "Riverbend Clinic") -> Path:
    """A valid profile listing `numbers`."""
    listed = "\n".join(f"  - {n}" for n in numbers)
    path.write_text(
        f"label: {label}\n"
        "company:\n"
        "  name: Riverbend Clinic\n"
        "  website: https://riverbend.example.org\n"
        "  address: {line1: 1 River Rd, city: Salem, state: OR, zip: '97301'}\n"
        "contact: {name: Sam Ortiz, phone: (503) 555-0150, email: it@riverbend.example.org}\n"
        "calling: {category: Healthcare, monthly_calls: 900, service_provider: Bandwidth}\n"
        f"numbers:\n{listed}\n",
        encoding="utf-8",
    )
    return path


def submitted_before(
    data: Path, profile: Path, numbers: list[str], fid: str, when: datetime, part: int, parts: int
) -> None:
    """Record an earlier, successful submission of `numbers` in the journal at `data`."""
    with Journal.open(data, clock=lambda: when) as journal:
        attempt = journal.begin(
            NewAttempt(
                run_id="earlier",
                portal="fcr",
                profile_path=str(profile.resolve()),
                profile_sha256="00" * 32,
                profile_label="Riverbend Clinic",
                numbers=tuple(numbers),
                part=part,
                parts=parts,
                host="127.0.0.1:9",  # a practice run against the address the fill uses
                real_portal=False,
            )
        )
        journal.intent(attempt, confirmed_by="sam", review_values=[])
        journal.submitted(attempt, fid)


def test_a_second_fill_names_each_earlier_submission_once_not_each_number(
    tmp_path: Path,
) -> None:
    numbers = [f"+1503555{i:04d}" for i in range(100, 130)]  # 30 numbers: 20 and 10
    profile = profile_with(tmp_path / "riverbend.yaml", numbers)
    data = tmp_path / "data"
    when = datetime.now(UTC) - timedelta(days=2)
    submitted_before(data, profile, numbers[:20], FID1, when, 1, 2)
    submitted_before(data, profile, numbers[20:], FID2, when + timedelta(minutes=5), 2, 2)
    day = when.strftime("%Y-%m-%d")
    status, screen = run_at_terminal(
        "fill",
        str(profile),
        "--url",
        "http://127.0.0.1:9/fcr/",
        "--headless",
        "--data-dir",
        str(data),
    )
    assert status == ExitCode.DUPLICATE, screen
    assert screen == (
        f"Error: 20 numbers were submitted to fcr on {day} as {FID1}; pass --resubmit to send "
        "them again\n"
        f"10 numbers were submitted to fcr on {day} as {FID2}; pass --resubmit to send them "
        "again\n"
    )


# Values a terminal would interpret: rich markup, an ANSI colour sequence, a long URL.
COMPANY = "Acme [holdings] Dental [b]Group[/b]"
PROVIDER = "Band[/]width \x1b[31mred\x1b[0m"
URL = "https://www.riversideregional.example.org/departments/cardiology?ref=fcr"
HOSTILE_EMAIL = "it@acme.example.org"
HOSTILE_PROFILE = (
    "label: Acme [b]Dental[/b]\n"
    "company:\n"
    '  name: "Acme [holdings] Dental [b]Group[/b]"\n'
    f"  website: {URL}\n"
    "  address: {line1: 1 Main St, city: Salem, state: OR, zip: '97301'}\n"
    f"contact: {{name: Sam Ortiz, phone: (503) 555-0150, email: {HOSTILE_EMAIL}}}\n"
    "calling:\n"
    "  category: Healthcare\n"
    "  monthly_calls: 900\n"
    '  service_provider: "Band[/]width \\e[31mred\\e[0m"\n'
    "numbers: [(503) 555-0101]\n"
)


def uncoloured(screen: str) -> str:
    """The screen without the review's own styles (SGR sequences); nothing else removed."""
    return re.sub(r"\x1b\[[0-9;]*m", "", screen)


def cells(screen: str, field: str, joiner: str = "") -> list[str]:
    """Every cell of the review row of `field`, joined over the lines the row wraps onto
    with `joiner` (a word folded at the cell's edge continues without a blank)."""
    lines = uncoloured(screen).splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"│ \w+ +│ {field} +│", line))
    columns: list[list[str]] = []
    for line in lines[start:]:
        parts = line.split("│")[1:-1]
        if not parts or (columns and parts[0].strip()):  # the next row (or the table's end)
            break
        columns = columns or [[] for _ in parts]
        for column, part in zip(columns, parts, strict=True):
            column.append(part.strip())
    return [joiner.join(part for part in column if part) for column in columns]


def fill_at_terminal(profile: Path, portal: Replica, data: Path, columns: int) -> Person:
    """`assistant fill` at a pseudo-terminal `columns` wide, up to the confirmation prompt."""
    person = Person.practice("fill", portal, data, profile=str(profile), size=(60, columns))
    person.expect("Type the 5-digit code: ")
    person.type(portal.latest_code(HOSTILE_EMAIL))
    person.expect("anything else to stop: ")
    return person


def test_the_review_shows_values_literally_and_whole_at_200_columns_and_the_portal_gets_them(
    tmp_path: Path, replica: Replicas
) -> None:
    profile = tmp_path / "acme.yaml"
    profile.write_text(HOSTILE_PROFILE, encoding="utf-8")
    data = tmp_path / "data"
    portal = replica()
    with fill_at_terminal(profile, portal, data, columns=200) as person:
        review = person.before + person.after
        person.type("submit")
        status = person.wait()
        after = person.before
    assert status == ExitCode.OK, review + after
    [record] = portal.submissions()
    sent = record["fields"]
    assert sent["enterprise_company_name"] == COMPANY
    assert sent["enterprise_service_provider"] == PROVIDER
    assert sent["enterprise_company_url"] == URL
    assert "\x1b" not in uncoloured(review)  # no sequence of the profile's reached the terminal
    # Shown as the portal received them, markup as typed, ESC as the text \x1b, each marked ✓.
    assert cells(review, "company name")[2:] == [COMPANY, COMPANY, "✓"]
    assert cells(review, "service provider")[2:] == [
        "Band[/]width \\x1b[31mred\\x1b[0m",
        "Band[/]width \\x1b[31mred\\x1b[0m",
        "✓",
    ]
    # 200 columns are used: the URL stands whole on one line, twice.
    [row] = [line for line in uncoloured(review).splitlines() if "│ website" in line]
    assert [cell.strip() for cell in row.split("│")[3:6]] == [URL, URL, "✓"]
    assert max(len(line) for line in uncoloured(review).splitlines()) > 120
    assert review.endswith(
        'Type "submit" to send Acme [b]Dental[/b], submission 1 of 1 (1 number), '
        "anything else to stop: "
    )
    assert "Submission 1 of 1 (1 number) — please review\n" in review
    fid = record["feedback_id"]
    receipt = data / "receipts" / f"{fid}.html"
    # The receipt's path right after the Feedback ID, on a line of its own.
    assert f"Submitted 1 of 1. Feedback ID: {fid}\nReceipt: {receipt}\n" in after
    assert re.search(r"│ 1 +│ Acme \[b\]Dental\[/b\] +│ 1 of 1 +│ 1 +│ submitted +│ " + fid, after)


def test_the_review_wraps_at_80_columns_and_ctrl_d_is_a_stop(
    tmp_path: Path, replica: Replicas
) -> None:
    profile = tmp_path / "acme.yaml"
    profile.write_text(HOSTILE_PROFILE, encoding="utf-8")
    data = tmp_path / "data"
    portal = replica()
    with fill_at_terminal(profile, portal, data, columns=80) as person:
        review = person.before + person.after
        person.ctrl_d()
        status = person.wait()
        after = person.before
    assert status == ExitCode.NOT_CONFIRMED, review + after
    assert portal.submit_attempts() == 0
    lines = uncoloured(review).splitlines()
    table = lines[next(i for i, line in enumerate(lines) if "please review" in line) : -1]
    # Every line fits, but the screenshot's path: never broken, so it can be copied whole.
    assert [line for line in table if len(line) > 80] == [
        f"Screenshot of the filled form: {next(data.glob('runs/*'))}/acme-b-dental-b-s1-review.png"
    ]
    # Nothing lost: every character of every value is there, wrapped over several lines.
    assert cells(review, "website")[2:] == [URL, URL, "✓"]
    assert cells(review, "website", joiner="\n")[2].count("\n") >= 2  # over three lines or more
    assert cells(review, "company name", joiner=" ")[2:] == [COMPANY, COMPANY, "✓"]
    assert cells(review, "company name", joiner="\n")[2] == "Acme [holdings]\nDental [b]Group[/b]"
    # Ctrl-D is a stop, said on a line of its own after the prompt, and recorded as such.
    assert after.startswith(
        "\nNot submitted: Stopped with Ctrl-D (end of input) at the confirmation; nothing was "
        "submitted.\n"
    )
    assert re.search(r"│ 1 +│ Acme \[b\]Dental\[/b\] +│ 1 of 1 +│ 1 +│ stopped +│ Stopped", after)
    assert "0 submitted, 0 declined, 1 stopped, 0 failed, 0 unknown, 0 skipped." in after
    with Journal.open(data) as journal:
        [attempt] = journal.history()
    assert (attempt.state, attempt.reason) == (
        State.DECLINED,
        "Stopped with Ctrl-D (end of input) at the confirmation; nothing was submitted.",
    )


def test_history_at_a_narrow_terminal_shows_stored_text_literally_and_paths_whole(
    tmp_path: Path,
) -> None:
    from assistant.records import receipts

    data = tmp_path / "a-rather-long-folder-name-for-the-private-data"
    when = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    with Journal.open(data, clock=lambda: when) as journal:
        first = journal.begin(new("Acme [b]Dental[/b]", "+15035550101"))
        journal.intent(first, confirmed_by="sam", review_values=[])
        receipts.record_submitted(journal, first, FID1)
        crashed = journal.begin(new("Acme [b]Dental[/b]", "+15035550102"))
        journal.failed(
            crashed,
            "unexpected MarkupError: closing tag '[/]' at position 20 has nothing to close "
            "\x1b[31mred\x1b[0m\rover\u202eevil",
        )
    status, screen = run_at_terminal("history", "--data-dir", str(data), columns=60)
    assert status == 0, screen
    shown_receipt = data / "receipts" / f"{FID1}.html"
    assert len(f"  receipt: {shown_receipt}") > 60  # so it goes on a line of its own
    assert screen == (
        "attempt 2  failed  2026-11-29 09:00 UTC\n"
        "  Acme [b]Dental[/b], submission 1 of 1, to fcr: 1 number\n"
        "    (+15035550102)\n"
        "  profile: /profiles/acme.yaml\n"
        "  reason: unexpected MarkupError: closing tag '[/]' at\n"
        "    position 20 has nothing to close\n"
        "    \\x1b[31mred\\x1b[0m\\rover\\u202eevil\n"
        "\n"
        "attempt 1  submitted  2026-11-29 09:00 UTC  Feedback ID\n"
        "  FCRFE11272026100000001\n"
        "  Acme [b]Dental[/b], submission 1 of 1, to fcr: 1 number\n"
        "    (+15035550101)\n"
        "  profile: /profiles/acme.yaml\n"
        "  receipt:\n"
        f"    {shown_receipt}\n"
    )
    status, screen = run_at_terminal("receipt", FID1, "--data-dir", str(data), columns=60)
    assert (status, screen) == (0, f"{shown_receipt}\n")


NOTES = "Closure, late-start and weather-delay notices to parents who opted in."
PLAN = f"""\
Plan for Lakeside USD closure alerts on portal fcr (https://www.freecallerregistry.com/fcr/)
1 submission of 4 numbers; at most 20 per submission

Submission 1 of 1 (4 numbers)
  step email
    contact email      type                     [masked]
    click the button matching /send.*code/
  step code
    GATE: you give the 5-digit code the portal emails
  step business
    company name       type                     Lakeside Unified School District
    address line 1     type                     100 Main St
    address line 2     type                     Suite 200
    city               type                     Lakeside
    state              choose by label          California
    ZIP code           type                     92040
    website            type                     https://lakeside.example.org
    contact name       type                     Dana Reyes
    contact phone      type                     [masked]
    category           choose by label          Education
    calls per month    choose by range          12000
    service provider   type, if there           Bandwidth
    notes              type, if there           {NOTES}
    click #nextButton1
  step numbers
    number 1           type                     6195550100  [LAKESIDE USD]
    number 2           type                     6195550101  [LAKESIDE USD]
    number 3           type                     6195550102  [LAKESIDE NURSE]
    number 4           type                     6195550103  [LAKESIDE USD]
    (the [caller names] only where the page has a box for them)
    click #nextButton2
  step review
    terms accepted     tick                     yes
    GATE: you review every value and type `submit`
    submit (one click, never repeated)

"if there": the portal may not have that field; the review says when it has not.
The page element of each value: assistant plan --json
"""


def test_plan_names_fields_as_people_read_them_and_counts_in_plain_words() -> None:
    status, screen = run_at_terminal("plan", "profiles/lakeside-closures.yaml")
    assert (status, screen) == (0, PLAN)
    status, split = run_at_terminal("plan", "profiles/county-weather.yaml")
    assert status == 0
    assert (
        split.splitlines()[1] == "3 submissions of 20, 20 and 5 numbers; at most 20 per submission"
    )
    assert "#enterprise_phone" not in split
    assert "(s)" not in split


def test_plan_validate_and_due_show_hostile_values_literally(tmp_path: Path) -> None:
    profile = tmp_path / "acme.yaml"
    profile.write_text(HOSTILE_PROFILE, encoding="utf-8")
    status, plan = run_at_terminal("plan", str(profile))
    assert status == 0
    assert (
        "    company name       type                     Acme [holdings] Dental [b]Group[/b]\n"
        in plan
    )
    assert (
        "    service provider   type, if there           Band[/]width \\x1b[31mred\\x1b[0m\n"
        in plan
    )
    assert "\x1b" not in plan

    bad = tmp_path / "bad.yaml"
    bad.write_text(HOSTILE_PROFILE.replace("zip: '97301'", 'zip: "9\\e[2J7301"'), encoding="utf-8")
    status, shown = run_at_terminal("validate", str(bad))
    assert (status, shown) == (
        ExitCode.INVALID,
        f"{bad}:5:60: company.address.zip: '9\\x1b[2J7301' is not a ZIP code; write 12345 or "
        "12345-6789\n1 of 1 profile invalid (1 error)\n",
    )
    # The same problem as an error line of a command that stops on it.
    status, shown = run_at_terminal("fill", str(bad), "--headless")
    assert (status, shown) == (
        ExitCode.INVALID,
        f"Error: {bad}:5:60: company.address.zip: '9\\x1b[2J7301' is not a ZIP code; write "
        "12345 or 12345-6789\n",
    )

    data = tmp_path / "data"
    when = datetime.now(UTC) - timedelta(days=120)
    with Journal.open(data, clock=lambda: when) as journal:
        attempt = journal.begin(new("Acme [b]Dental[/b] \x1b]0;title\x07", "+15035550101"))
        journal.intent(attempt, confirmed_by="sam", review_values=[])
        journal.submitted(attempt, FID1)
    status, due = run_at_terminal("due", "--data-dir", str(data), columns=200)
    assert (status, due) == (
        0,
        "1 number last registered more than 90 days ago:\n"
        f"  +15035550101  fcr  {when:%Y-%m-%d} (120 days ago, Feedback ID {FID1})  "
        "Acme [b]Dental[/b] \\x1b]0;title\\x07  /profiles/acme.yaml\n",
    )


def test_check_says_in_words_what_it_checked_and_how_to_repair_the_map(
    tmp_path: Path, replica: Replicas
) -> None:
    from assistant.cli.check import advice

    mine = tmp_path / "my-fcr.yaml"
    data = {"ASSISTANT_DATA_DIR": str(tmp_path / "data")}  # the options it saw are kept there
    portal = replica(faults=("renamed-label",))
    status, screen = run_at_terminal(
        "check", "--url", portal.url, "--headless", columns=80, env=data
    )
    assert status == ExitCode.PORTAL
    lines = screen.splitlines()
    assert lines[1:12] == [
        "step email: opened",
        "  ok    contact email found by type=email",
        "  ok    button /send.*code/",
        "step code: comes after the emailed code, so it was not opened; its fields are",
        "      already in the page (hidden until then) and were checked there",
        "  ok    verification code found by autocomplete=one-time-code",
        "  ok    verify button found by button /verify/",
        "step business: comes after the emailed code, so it was not opened; its fields",
        "      are already in the page (hidden until then) and were checked there",
        "  DRIFT company name found by #enterprise_company_name: label reads",
        '      "Organization name", the map expects "Company name"',
    ]
    # The advice, wrapped at 80 columns between words (where depends on the path's length).
    advice_lines = screen.split("\n1 difference from the map fcr:")[1].splitlines()
    assert all(len(line) <= 80 for line in advice_lines)
    assert (
        " ".join(["1 difference from the map fcr:", *advice_lines]).split()
        == (
            "1 difference from the map fcr: point at the elements marked DRIFT in the page; to "
            f"repair the map, run `assistant learn --portal fcr --url {portal.url} --profile "
            "YOUR-PROFILE --element 'company name'`"
        ).split()
    )
    # An element missing from a shipped map: the command that repairs it, nothing to add.
    command = "assistant learn --portal fcr --profile YOUR-PROFILE"
    assert advice(2, "fcr", "fcr", command) == (
        "2 differences from the map fcr: point at the elements marked DRIFT in the page; to "
        "repair the map, run `assistant learn --portal fcr --profile YOUR-PROFILE`"
    )
    # A map of the person's own: edit that file.
    assert advice(1, str(mine), "fcr") == (
        f"1 difference from the map fcr: edit {mine} so that the elements marked DRIFT match "
        f"the portal, then run `assistant check --portal {mine}` again."
    )


def misspelt(path: Path, category: str = "Helth Care") -> Path:
    """Riverbend Clinic's profile, 30 numbers (two submissions), with this category."""
    profile = profile_with(path, [f"+1503555{i:04d}" for i in range(100, 130)])
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("category: Healthcare", f"category: {category}"), "utf-8")
    return profile


def test_options_check_saw_warn_in_validate_and_plan_and_refuse_the_fill_before_any_code(
    tmp_path: Path, replica: Replicas
) -> None:
    profile = misspelt(tmp_path / "riverbend.yaml")
    data = str(tmp_path / "data")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    portal = replica()
    where = f"fcr at {portal.url.split('/')[2]}"
    status, checked = run_at_terminal(
        "check", "--url", portal.url, "--headless", "--data-dir", data, columns=200
    )
    assert status == 0, checked
    assert (
        "The options of state, category, calls per month are remembered in "
        f"{data}/options/fcr.json: validate, plan and fill warn about a profile value they "
        "lack."
    ) in " ".join(checked.split())  # (wrapped between words)
    warning = (
        f'{profile}:7:21: warning: calling.category: "Helth Care" is not among the 16 '
        f"categories {where} showed on {today}; did you mean Healthcare?"
    )
    status, shown = run_at_terminal(
        "validate", str(profile), "--url", portal.url, "--data-dir", data
    )
    assert (status, shown) == (0, f"{warning}\n1 profile, 30 numbers: all valid (1 warning)\n")
    status, planned = run_at_terminal("plan", str(profile), "--url", portal.url, "--data-dir", data)
    assert status == 0
    assert planned.endswith(f"The page element of each value: assistant plan --json\n\n{warning}\n")
    requests = len(portal.requests())  # the check's
    status, filled = run_at_terminal(
        "fill", str(profile), "--url", portal.url, "--headless", "--data-dir", data
    )
    assert portal.outbox() == []  # no code was sent: the browser never even opened
    assert len(portal.requests()) == requests
    assert status == ExitCode.PORTAL, filled
    assert "Type the 5-digit code" not in filled
    assert filled.startswith(
        f"[1/2] Riverbend Clinic (1 of 2): not started, {profile}:7:21: calling.category: "
        f'"Helth Care" is not among the 16 categories {where} showed on {today}; did you mean '
        "Healthcare? Nothing was sent for this profile: correct it, or run `assistant check` if "
        "the portal has changed since.\n"
        "[2/2] Riverbend Clinic (2 of 2): not started either\n"
    )
    assert (
        "0 submitted, 0 declined, 0 stopped, 1 failed, 0 unknown, 0 skipped, 1 not started."
        in filled
    )


def test_a_misspelt_category_costs_one_code_not_one_per_submission(
    tmp_path: Path, replica: Replicas
) -> None:
    profile = misspelt(tmp_path / "riverbend.yaml")
    data = str(tmp_path / "data")
    portal = replica()
    with Person.practice(
        "fill", portal, tmp_path / "data", profile=str(profile), size=(50, 100)
    ) as person:
        person.expect("Type the 5-digit code: ")
        person.type(portal.latest_code("it@riverbend.example.org"))
        again = person.first_of("Type the 5-digit code: ", EOF)
        screen = person.before
    assert again == 1, screen  # the second submission never asked for a code
    assert len(portal.outbox()) == 1  # one code for the two submissions
    assert portal.submit_attempts() == 0
    # What the page showed is remembered: validate now says it before any code is spent.
    status, shown = run_at_terminal(
        "validate", str(profile), "--url", portal.url, "--data-dir", data
    )
    assert person.status == ExitCode.PORTAL, screen
    assert (
        'Failed: business step: field "category" (#enterprise_category): no option matches '
        '"Helth Care"; did you mean Healthcare? Options found: Attorney / Law, Collections, '
    ) in screen
    assert (
        "Not started: submission 2 of 2 of Riverbend Clinic; it would fail the same way, after "
        "an emailed code of its own. Correct the profile, then run it again.\n"
    ) in screen
    assert re.search(
        r"│ 2 +│ Riverbend Clinic +│ 2 of 2 +│ 10 +│ not started +│ submission 1 of this", screen
    )
    assert status == 0
    assert "did you mean Healthcare?\n1 profile, 30 numbers: all valid (1 warning)\n" in shown


def test_a_refused_contact_phone_is_shown_as_typed(
    tmp_path: Path,
) -> None:
    bad = profile_with(tmp_path / "riverbend.yaml", ["+15035550101"])
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("(503) 555-0150", "+1 503-155-0150"),
        encoding="utf-8",
    )
    status, shown = run_at_terminal("validate", str(bad))
    assert (status, shown) == (
        ExitCode.INVALID,
        f"{bad}:6:35: contact.phone: '+1 503-155-0150' is not a valid US phone number\n"
        "1 of 1 profile invalid (1 error)\n",
    )


def test_check_prints_the_live_pages_words_literally(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli.check import say

    say('  DRIFT company name (#n): label reads "\x1b[2J[b]Firm\u202e", the map expects', 40)
    assert capsys.readouterr().out == (
        "  DRIFT company name (#n): label reads\n"
        '      "\\x1b[2J[b]Firm\\u202e", the map\n'
        "      expects\n"
    )


COMMANDS = """\
Commands:
  plan      Show what a fill would type, step by step; no browser.
  batch     Register many profiles in one sitting, in one browser.
  check     Compare the live portal with its map; types nothing.
  demo      Try the whole flow on the bundled replica portal.
  doctor    Show what the assistant runs on, and start the browser.
  due       List numbers due to be registered again.
  fill      Register one profile: fill, review, submit when you say so.
  history   List every attempt, newest first.
  learn     Repair a map by clicking in the portal what it cannot find.
  receipt   Print the path of a submission's receipt, or open it.
  replica   Serve a local replica of the portal until Ctrl-C.
  schema    Print the JSON Schema of a profile file.
  settle    Say how a submission with an unknown outcome ended.
  validate  Check profiles without a browser.
  mailbox   Set up and test the mailbox the codes come from.
  map       Show, compare or drop your repairs of a portal map.
"""


HELP_OF_EVERY_COMMAND = """\
import sys
from assistant.cli import main
for args in [["--help"]] + [[name, "--help"] for name in sys.argv[1:]]:
    try:
        main(args)
    except SystemExit as exit:
        assert exit.code in (0, None), (args, exit.code)
    print("=" * 3, flush=True)
"""


def test_help_wraps_cleanly_at_80_columns() -> None:
    commands = [line.split()[0] for line in COMMANDS.splitlines()[1:]]
    # One process shows the help of every command.
    with Person(
        *commands, program=(sys.executable, "-c", HELP_OF_EVERY_COMMAND), size=(50, 80)
    ) as person:
        status = person.wait()
    assert status == 0, person.before
    top, *each = person.before.split("===\n")[:-1]
    assert top.endswith(COMMANDS)  # one short sentence each, never cut with "..."
    assert len(each) == len(commands)
    for command, shown in zip(commands, each, strict=True):
        assert shown.startswith(f"Usage: assistant {command} [OPTIONS]"), shown
        lines = shown.splitlines()
        assert max(len(line) for line in lines) <= 80, command
        # Wrapped between words: no word is split at a hyphen, no markup or type noise.
        assert [line for line in lines if re.search(r"[A-Za-z]-$", line)] == [], command
        assert "<bool>" not in shown
        assert "[/" not in shown


def new(label: str, *numbers: str) -> NewAttempt:
    """An attempt of profile `label` (file /profiles/acme.yaml) with these numbers."""
    return NewAttempt(
        run_id="run-1",
        portal="fcr",
        profile_path="/profiles/acme.yaml",
        profile_sha256="ab" * 32,
        profile_label=label,
        numbers=numbers,
    )


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


MISSPELT = "Error: No such command 'valdate'. Did you mean 'validate'?\n"


@pytest.mark.parametrize(
    ("args", "status", "ending"),
    [((), 2, COMMANDS), (("-v", "--help"), 0, COMMANDS), (("valdate", "p.yaml"), 2, MISSPELT)],
)
def test_no_command_or_a_misspelt_one_still_knows_every_command(
    args: tuple[str, ...], status: int, ending: str
) -> None:
    """Only the command named is imported (startup time); help and a misspelt command must
    still see all of them."""
    shown = run_at_terminal(*args, columns=80)
    assert shown[0] == status
    assert shown[1].endswith(ending), shown[1]
