"""`assistant validate` and `assistant schema` through the real entry point: exact output and
exit codes, no Playwright, and a quick start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run_assistant

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "profiles"
SAMPLE = EXAMPLES / "lakeside-closures.yaml"

MAPPING = "a profile is a mapping of keys "
GOOD = (EXAMPLES / "clinic-reminders.yaml").read_text(encoding="utf-8")


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return run_assistant(*args, cwd=cwd)


def not_known(where: str, category: str) -> str:
    """The warning for a category the facts do not list, before any page of fcr was seen."""
    return (
        f'{where}: warning: calling.category: "{category}" is not among the 3 categories known '
        "for fcr: Telemarketing, Attorney / Law, Financial Services (only partly known, from "
        "the portal facts: the portal may offer it); `assistant check --portal fcr` reads the "
        "portal's own list"
    )


def test_the_examples_are_valid() -> None:
    """Valid; their categories are not among the few the facts confirm, and validate says so
    (issue 19 item 4): no portal's page was seen here."""
    result = run("validate", "profiles")
    assert (result.returncode, result.stdout.splitlines(), result.stderr) == (
        0,
        [
            not_known("profiles/clinic-reminders.yaml:16:13", "Healthcare"),
            not_known("profiles/county-weather.yaml:17:13", "Emergency Notifications"),
            not_known("profiles/lakeside-closures.yaml:6:13", "Education"),
            "3 profiles, 61 numbers: all valid (3 warnings)",
        ],
        "",
    )


def test_one_file_is_valid() -> None:
    result = run("validate", "profiles/lakeside-closures.yaml")
    assert (result.returncode, result.stdout.splitlines()) == (
        0,
        [
            not_known("profiles/lakeside-closures.yaml:6:13", "Education"),
            "1 profile, 4 numbers: all valid (1 warning)",
        ],
    )


def test_problems_come_line_by_line_then_a_summary(tmp_path: Path) -> None:
    bad = GOOD.replace("state: OR", "state: Oregano").replace(
        "  email:", "  imap_password: pw1\n  email:"
    )
    (tmp_path / "bad.yaml").write_text(
        bad.replace("display_name: RIVERBEND LAB", "display_name: RIVERBEND LABORATORY")
    )
    (tmp_path / "good.yaml").write_text(GOOD.replace("(503) 555-01", "(971) 555-01"))
    result = run("validate", "bad.yaml", "good.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "bad.yaml:9:12: company.address.state: 'Oregano' is not a US state; write its USPS code "
        "(CA) or full name (California)",
        "bad.yaml:14:3: contact.imap_password: 'imap_password' looks like a secret; profiles "
        "never hold secrets: give it through the environment or the OS keyring",
        "bad.yaml:27:19: warning: numbers.3.display_name: display name 'RIVERBEND LABORATORY' is "
        "20 characters; phones show only the first 15",
        not_known("good.yaml:16:13", "Healthcare"),
        "1 of 2 profiles invalid (2 errors)",
    ]
    assert "pw1" not in result.stdout


def test_warnings_alone_keep_the_exit_code_zero(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(GOOD.replace("RIVERBEND LAB\n", "RIVERBEND LABORATORY\n"))
    result = run("validate", "p.yaml", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "1 profile, 12 numbers: all valid (2 warnings)"


def test_a_long_caller_name_is_warned_about_only_where_the_portal_takes_caller_names(
    tmp_path: Path,
) -> None:
    long_name = GOOD.replace("RIVERBEND LAB\n", "RIVERBEND LABORATORY\n")
    # (a category every map's facts confirm: only the caller name is warned about here)
    (tmp_path / "p.yaml").write_text(long_name.replace("Healthcare", "Telemarketing"))
    # A map without caller-name fields: the classic one, its caller-name boxes taken out.
    classic = (REPO / "assistant/portals/fcr-classic.yaml").read_text(encoding="utf-8")
    bare = "".join(line for line in classic.splitlines(True) if "displayName" not in line)
    assert bare != classic
    (tmp_path / "nonames.yaml").write_text(bare, encoding="utf-8")
    warning = (
        "p.yaml:26:19: warning: numbers.3.display_name: display name 'RIVERBEND LABORATORY' is "
        "20 characters; phones show only the first 15"
    )
    data = str(tmp_path / "data")
    said = {
        portal: run("validate", "p.yaml", "--portal", portal, "--data-dir", data, cwd=tmp_path)
        for portal in ("fcr-classic", "fcr", "nonames.yaml")
    }
    assert {portal: r.returncode for portal, r in said.items()} == dict.fromkeys(said, 0)
    assert said["fcr-classic"].stdout.splitlines() == [
        warning,
        "1 profile, 12 numbers: all valid (1 warning)",
    ]
    assert said["fcr"].stdout.splitlines() == [
        f"{warning} (if the fcr portal takes caller names: its map does not know)",
        "1 profile, 12 numbers: all valid (1 warning)",
    ]
    assert said["nonames.yaml"].stdout.splitlines() == ["1 profile, 12 numbers: all valid"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", f"p.yaml:1:1: file is empty: {MAPPING}(company:, contact:, numbers:)"),
        (b"- a\n", f"p.yaml:1:1: {MAPPING}(company:, contact:, numbers: …), not a list"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\x80",
         "p.yaml:1:1: file is not valid UTF-8 text; save it as UTF-8"),
        (b"a: &x [1]\nb: *x\n",
         "p.yaml:1:4: a: anchors (&name) are not allowed in a profile; write values out"),
    ],
)  # fmt: skip
def test_unreadable_profiles_are_one_line_each_never_a_traceback(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    (tmp_path / "p.yaml").write_bytes(content)
    result = run("validate", "p.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        f"{expected}\n1 of 1 profile invalid (1 error)\n",
        "",
    )


def test_a_number_file_problem_names_the_profile_that_lists_it(tmp_path: Path) -> None:
    """Issue 11 item 8: among a folder of profiles, the line says which one to fix."""
    header = GOOD.split("numbers:")[0] + "numbers:\n"  # `- file:` goes on line 22
    files = {
        "bay": "number\n(503) 555-0120\n",
        "cove": "number\n(503) 555-0121\n(503) 555-0120\n",
        "harbor": "number\n(503) 555-0130\n(503) 555-0131\n12\n",
    }
    (tmp_path / "profiles" / "numbers").mkdir(parents=True)
    for name, rows in files.items():
        label = header.replace("Riverbend Clinic appointment reminders", name.title())
        listing = f"  - file: numbers/{name}.csv\n"
        (tmp_path / "profiles" / f"{name}.yaml").write_text(label + listing)
        (tmp_path / "profiles" / "numbers" / f"{name}.csv").write_text(rows)
    result = run("validate", "profiles", cwd=tmp_path)
    assert (result.returncode, result.stderr, result.stdout.splitlines()) == (
        1,
        "",
        [
            not_known("profiles/bay.yaml:16:13", "Healthcare"),
            "profiles/numbers/cove.csv:3:1: numbers: +15035550120 is also listed by profile "
            "'Bay' at profiles/numbers/bay.csv row 2 (listed by profiles/cove.yaml:22)",
            not_known("profiles/cove.yaml:16:13", "Healthcare"),
            "profiles/numbers/harbor.csv:4:1: number: '12' is not a 10-digit US number "
            "(listed by profiles/harbor.yaml:22)",
            "2 of 3 profiles invalid (2 errors)",
        ],
    )


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run("validate", "nowhere.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "Error: nowhere.yaml: no such file or folder\n",
    )


def test_no_path_at_all_is_a_usage_error() -> None:
    result = run("validate")
    assert result.returncode == 2
    assert result.stderr == (
        "Usage: assistant validate [OPTIONS] PATHS...\n"
        "Try 'assistant validate --help' for help.\n\n"
        "Error: Missing argument 'PATHS'.\n"
    )


def test_json_report(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(GOOD.replace('zip: "97211"', "zip: 9721"))
    result = run("validate", "--json", "p.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "valid": False,
        "summary": "1 of 1 profile invalid (1 error)",
        "profiles": [
            {
                "path": "p.yaml",
                "valid": False,
                "label": None,
                "numbers": None,
                "sha256": None,
                "problems": [
                    {
                        "file": "p.yaml",
                        "line": 10,
                        "column": 10,
                        "path": "company.address.zip",
                        "message": "'9721' is not a ZIP code; write 12345 or 12345-6789",
                        "severity": "error",
                    }
                ],
            }
        ],
    }


def test_json_report_of_a_valid_profile_carries_its_hash() -> None:
    import hashlib

    result = run("validate", "--json", "profiles/clinic-reminders.yaml")
    report = json.loads(result.stdout)
    data = (EXAMPLES / "clinic-reminders.yaml").read_bytes()
    digest = hashlib.sha256(len(data).to_bytes(8, "big") + data).hexdigest()
    assert (result.returncode, report["valid"], report["profiles"][0]["sha256"]) == (
        0,
        True,
        digest,
    )
    assert report["profiles"][0]["label"] == "Riverbend Clinic appointment reminders"
    assert report["profiles"][0]["numbers"] == 12


def test_validate_never_imports_playwright() -> None:
    # How fast it starts is measured by `make bench` beside bare Python, not asserted here:
    # seconds in a test fail under load and prove nothing about speed.
    code = (
        "import sys\n"
        "from assistant.cli import main\n"
        "try:\n"
        f"    main(['validate', {str(SAMPLE)!r}])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('playwright', 'greenlet'))\n"
        "print(loaded, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "[]\n"


def test_schema_prints_the_json_schema() -> None:
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["numbers"]["minItems"] == 1
    assert schema["$defs"]["AddressDoc"]["additionalProperties"] is False


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_both_routes_print_the_same(tmp_path: Path, json_flag: list[str]) -> None:
    """A plain `validate PATH…` runs without typer (it starts faster); anything unusual, such
    as `--` before the paths, goes through the typer command: the person sees no difference."""
    (tmp_path / "bad.yaml").write_text(GOOD.replace("state: OR", "state: Oregano"))
    (tmp_path / "good.yaml").write_text(GOOD.replace("(503) 555-01", "(971) 555-01"))
    plain = run("validate", *json_flag, "bad.yaml", "good.yaml", cwd=tmp_path)
    through_typer = run("validate", *json_flag, "--", "bad.yaml", "good.yaml", cwd=tmp_path)
    assert plain.returncode == through_typer.returncode == 1
    assert (plain.stdout, plain.stderr) == (through_typer.stdout, through_typer.stderr)
    assert "1 of 2 profiles invalid (1 error)" in plain.stdout


@pytest.mark.parametrize("separator", [[], ["--"]])
def test_a_reader_that_stops_early_ends_it_quietly(separator: list[str]) -> None:
    """`assistant validate profiles | head -1`: a closed pipe is exit 1 and no traceback, as
    typer ends its commands, on both routes."""
    import os

    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line is written
    try:
        result = subprocess.run(
            [sys.executable, "-m", "assistant", "validate", *separator, "profiles"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (1, "")


def test_ctrl_c_ends_validate_as_it_ends_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli import validation

    def interrupted(paths: list[Path], *, as_json: bool) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(validation, "run", interrupted)
    try:
        code: int | None = validation.run_as_command([SAMPLE], as_json=False)
    except KeyboardInterrupt:
        code = None  # it escaped: the fast route would print what the typer route does not
    assert code == 130


@pytest.mark.parametrize("flags", [[], ["--json"]], ids=["text", "json"])
def test_what_validate_prints_goes_through_the_redactor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    """Issue 17: the mailbox password in the environment is masked wherever a value would
    repeat it, in the text and in the JSON."""
    secret = "Hunter2-env-Secret-9431"
    monkeypatch.setenv("ASSISTANT_IMAP_PASSWORD", secret)
    (tmp_path / "p.yaml").write_text(GOOD.replace('zip: "97211"', f'zip: "{secret}"'))
    result = run("validate", *flags, "p.yaml", cwd=tmp_path)
    message = "'[masked]' is not a ZIP code; write 12345 or 12345-6789"
    if flags:
        problems = json.loads(result.stdout)["profiles"][0]["problems"]
        assert (result.returncode, result.stderr, problems) == (
            1,
            "",
            [
                {
                    "file": "p.yaml",
                    "line": 10,
                    "column": 10,
                    "path": "company.address.zip",
                    "message": message,
                    "severity": "error",
                }
            ],
        )
    else:
        assert (result.returncode, result.stderr, result.stdout) == (
            1,
            "",
            f"p.yaml:10:10: company.address.zip: {message}\n1 of 1 profile invalid (1 error)\n",
        )
    assert secret.casefold() not in result.stdout.casefold()


def test_validate_for_a_dispute_form_names_the_missing_dispute_section(tmp_path: Path) -> None:
    """`plan` and `fill` refuse a dispute form for a profile without its `dispute:` section:
    `validate --portal` says so too, rather than "all valid"."""
    (tmp_path / "p.yaml").write_text(GOOD.replace("Healthcare", "Telemarketing"))
    data = str(tmp_path / "data")
    fcr = run("validate", "p.yaml", "--portal", "fcr", "--data-dir", data, cwd=tmp_path)
    assert (fcr.returncode, fcr.stdout) == (0, "1 profile, 12 numbers: all valid\n")
    trf = run("validate", "p.yaml", "--portal", "trf", "--data-dir", data, cwd=tmp_path)
    assert trf.returncode == 1
    assert trf.stdout.splitlines() == [
        "p.yaml:1:1: dispute: TNS robocall feedback form (--portal trf) is a dispute form, and "
        "this profile has no dispute: section; add one with the label your calls were shown "
        "with (label), the carrier or app that showed it (shown_by) and the day it was seen "
        '(seen_on, YYYY-MM-DD): see "The dispute section" in docs/profiles.md',
        "1 of 1 profile invalid (1 error)",
    ]
