"""Reliability items 1-7 (/work/shared/reliability.md): bad profile input, through the real
command line (`assistant validate`, in process): exact lines, exit code 1, never a traceback.

Items 8-15 and 18 are in `test_failures_portal.py`, 16, 17, 19 and 20 in `test_failures_cli.py`.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import ExitCode
from assistant.profiles import load_profile
from assistant.profiles.yamlstrict import MAX_DEPTH, parse_yaml, to_data

GOOD = """\
label: Probe
company:
  name: NO
  website: https://example.org
  address:
    line1: 1 Main St
    city: yes
    state: CA
    zip: 01234
contact:
  name: off
  phone: (619) 555-0142
  email: it@example.org
calling:
  category: Telemarketing
  monthly_calls: 12000
  service_provider: Bandwidth
  notes: 12:30
display_name: NO
numbers:
  - (619) 555-0100
"""


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `assistant validate PATH`; its exit code and everything it printed."""
    with pytest.raises(SystemExit) as exited:
        main(["validate", str(path)])
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), captured.out + captured.err


def write(tmp_path: Path, text: str | bytes, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_item_01_yaml_values_are_kept_exactly_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = b"country: NO\nconsent: yes\nzip: 01234\nphone: +4712345678\ntime: 12:30\nx: off\n"
    assert to_data(parse_yaml(raw, "f.yaml")) == {
        "country": "NO",
        "consent": "yes",
        "zip": "01234",
        "phone": "+4712345678",
        "time": "12:30",
        "x": "off",
    }
    profile = load_profile(write(tmp_path, GOOD)).profile
    assert profile.company.name == "NO"
    assert profile.company.address.city == "yes"
    assert profile.company.address.zip == "01234"
    assert profile.contact.name == "off"
    assert profile.calling.notes == "12:30"
    assert profile.display_name == "NO"
    # The plus is kept, so a foreign number is named as such instead of becoming 4712345678.
    code, out = validate(write(tmp_path, GOOD + "  - +4712345678\n", "foreign.yaml"), capsys)
    assert code == ExitCode.INVALID
    assert out.splitlines()[0] == (
        f"{tmp_path}/foreign.yaml:22:5: numbers.1: '+4712345678' is not a US number "
        "(country code +47)"
    )


def test_item_02_a_duplicate_key_is_refused_with_both_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace("    city: yes\n", "    city: yes\n    city: Lakeside\n")
    code, out = validate(write(tmp_path, text), capsys)
    assert code == ExitCode.INVALID
    assert out == (
        f"{tmp_path}/p.yaml:8:5: company.address.city: duplicate key 'city': first at line 7, "
        "again at line 8\n1 of 1 profile invalid (1 error)\n"
    )


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (
            b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
            b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
            "p.yaml:1:4: a: anchors (&name) are not allowed in a profile; write values out",
        ),
        (
            b"label: x\n" + b"#" * (5 * 1024 * 1024) + b"\n",
            "p.yaml:1:1: file is larger than 1024 KiB; a profile is a small text file",
        ),
        (
            b"[" * 10_000,
            # the column is where the reader noticed (libyaml reads ahead in chunks)
            f"p.yaml:1:COL: nested deeper than {MAX_DEPTH} levels; a profile needs no more than 4",
        ),
    ],
    ids=["alias-bomb", "5MB", "10000-deep"],
)
def test_item_03_bombs_huge_and_deep_files_are_refused_fast(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, line: str
) -> None:
    path = write(tmp_path, content)
    started = time.monotonic()
    code, out = validate(path, capsys)
    elapsed = time.monotonic() - started
    assert code == ExitCode.INVALID
    expected = re.escape(f"{tmp_path}/{line}\n1 of 1 profile invalid (1 error)\n")
    assert re.fullmatch(expected.replace("COL", r"\d+"), out), out
    assert elapsed < 5, elapsed  # generous: milliseconds when the machine is idle


def test_item_04_an_explicit_tag_is_refused_and_nothing_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "pwned"
    text = f"label: !!python/object/apply:os.system ['touch {marker}']\n" + GOOD.split("\n", 1)[1]
    code, out = validate(write(tmp_path, text), capsys)
    assert code == ExitCode.INVALID
    assert out == (
        f"{tmp_path}/p.yaml:1:8: label: explicit tags such as !!python/object/apply:os.system "
        "are not allowed; every value is read as text\n1 of 1 profile invalid (1 error)\n"
    )
    assert not marker.exists()
    code, out = validate(write(tmp_path, GOOD.replace("name: off", "name: !custom off")), capsys)
    assert code == ExitCode.INVALID
    assert "contact.name: explicit tags such as !custom are not allowed" in out


def test_item_05_typos_are_refused_with_line_column_path_all_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace("    zip: 01234", "    zpi: 01234").replace(
        "  service_provider:", "  service_provdier:"
    )
    code, out = validate(write(tmp_path, text), capsys)
    assert code == ExitCode.INVALID
    p = f"{tmp_path}/p.yaml"
    assert out == (
        f"{p}:6:5: company.address.zip: required key is missing\n"
        f"{p}:9:5: company.address.zpi: unknown key 'zpi'; did you mean 'zip'?\n"
        f"{p}:15:3: calling.service_provider: required key is missing\n"
        f"{p}:17:3: calling.service_provdier: unknown key 'service_provdier'; "
        "did you mean 'service_provider'?\n"
        "1 of 1 profile invalid (4 errors)\n"
    )


def test_item_06_a_secret_looking_key_is_refused_without_echoing_its_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace("contact:\n", "contact:\n  imap_password: hunter2-very-secret\n")
    text += "token: abc-secret-token\npassword: pw-secret-value\n"
    code, out = validate(write(tmp_path, text), capsys)
    assert code == ExitCode.INVALID
    p = f"{tmp_path}/p.yaml"
    hint = "looks like a secret; profiles never hold secrets: give it through the environment "
    assert out == (
        f"{p}:11:3: contact.imap_password: 'imap_password' {hint}or the OS keyring\n"
        f"{p}:23:1: token: 'token' {hint}or the OS keyring\n"
        f"{p}:24:1: password: 'password' {hint}or the OS keyring\n"
        "1 of 1 profile invalid (3 errors)\n"
    )
    for value in ("hunter2", "abc-secret-token", "pw-secret-value"):
        assert value not in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            bytes(range(256)) * 3,
            "p.yaml:2:118: file is not valid UTF-8 text; save it as UTF-8",
        ),
        (
            b"\xef\xbb\xbf- a\n- b\n",
            "p.yaml:1:1: a profile is a mapping of keys (company:, contact:, numbers: …), "
            "not a list",
        ),
        (
            b"",
            "p.yaml:1:1: file is empty: a profile is a mapping of keys "
            "(company:, contact:, numbers:)",
        ),
        (
            b"- a\n- b\n",
            "p.yaml:1:1: a profile is a mapping of keys (company:, contact:, numbers: …), "
            "not a list",
        ),
    ],
    ids=["random-bytes", "bom-list", "empty", "top-level-list"],
)
def test_item_07_garbage_gives_only_the_profile_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    code, out = validate(write(tmp_path, content), capsys)
    assert code == ExitCode.INVALID
    assert out == f"{tmp_path}/{message}\n1 of 1 profile invalid (1 error)\n"
    assert "Traceback" not in out
    # A BOM in front of a good profile is simply ignored.
    code, out = validate(write(tmp_path, b"\xef\xbb\xbf" + GOOD.encode(), "bom.yaml"), capsys)
    assert (code, out) == (0, "1 profile, 1 number: all valid\n")
