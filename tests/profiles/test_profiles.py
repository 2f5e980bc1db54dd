"""Loading profiles: exact messages for bad ones, and what a good one resolves to."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from assistant.errors import ProfileError
from assistant.profiles import load_profile, load_profiles, profile_json_schema
from assistant.profiles.model import PhoneNumber

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "profiles"
BENCH = REPO / "benchmarks" / "bench_validate.py"

GOOD = """\
label: Test alerts
company:
  name: Lakeside Unified School District
  website: https://lakeside.example.org
  address:
    line1: 100 Main St
    city: Lakeside
    state: CA
    zip: "92040"
contact:
  name: Dana Reyes
  phone: (619) 555-0142
  email: it@lakeside.example.org
calling:
  category: Education
  monthly_calls: 12000
  service_provider: Bandwidth
display_name: LAKESIDE USD
numbers:
  - (619) 555-0100
  - number: (619) 555-0101
    display_name: LAKESIDE NURSE
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are named relative to a fresh folder, as a user in their project would see them."""
    monkeypatch.chdir(tmp_path)


def write(text: str, name: str = "p.yaml") -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(text: str, name: str = "p.yaml") -> list[str]:
    with pytest.raises(ProfileError) as caught:
        load_profile(write(text, name))
    return [str(p) for p in caught.value.problems]


def test_a_good_profile_resolves_to_normalised_values() -> None:
    loaded = load_profile(write(GOOD))
    profile = loaded.profile
    assert profile.label == "Test alerts"
    assert profile.company.address.state == "CA"
    assert profile.company.address.zip == "92040"
    assert profile.contact.phone == "+16195550142"
    assert profile.calling.monthly_calls == 12000
    assert profile.numbers == (
        PhoneNumber(number="+16195550100", display_name="LAKESIDE USD", origin="p.yaml:20:5"),
        PhoneNumber(number="+16195550101", display_name="LAKESIDE NURSE", origin="p.yaml:21:13"),
    )
    assert loaded.warnings == []
    assert (
        loaded.sha256
        == hashlib.sha256(len(GOOD.encode()).to_bytes(8, "big") + GOOD.encode()).hexdigest()
    )


def test_values_are_kept_as_written_not_reinterpreted() -> None:
    text = GOOD.replace("label: Test alerts", "label: NO").replace('zip: "92040"', "zip: 01234")
    text = text.replace("display_name: LAKESIDE USD", "display_name: YES")
    profile = load_profile(write(text)).profile
    assert profile.label == "NO"
    assert profile.company.address.zip == "01234"
    assert profile.display_name == "YES"


def test_a_norwegian_number_is_refused_with_its_text_unaltered() -> None:
    text = GOOD.replace("  - (619) 555-0100\n", "  - +4712345678\n")
    assert problems(text) == [
        "p.yaml:20:5: numbers.0: '+4712345678' is not a US number (country code +47)"
    ]


def test_label_defaults_to_the_file_name() -> None:
    text = GOOD.replace("label: Test alerts\n", "")
    assert load_profile(write(text, "lakeside-closures.yaml")).profile.label == "lakeside-closures"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("company:", "compnay:", [
            "p.yaml:1:1: company: required key is missing",
            "p.yaml:2:1: compnay: unknown key 'compnay'; did you mean 'company'?",
        ]),
        ("    zip:", "    zipcode:", [
            "p.yaml:6:5: company.address.zip: required key is missing",
            "p.yaml:9:5: company.address.zipcode: unknown key 'zipcode'; did you mean 'zip'?",
        ]),
        ('zip: "92040"', "zip: 9204", [
            "p.yaml:9:10: company.address.zip: '9204' is not a ZIP code; write 12345 or 12345-6789",
        ]),
        ("state: CA", "state: Cali", [
            "p.yaml:8:12: company.address.state: 'Cali' is not a US state; write its USPS code "
            "(CA) or full name (California)",
        ]),
        ("state: CA", "state: Kansus", [
            "p.yaml:8:12: company.address.state: 'Kansus' is not a US state; did you mean "
            "Kansas?",
        ]),
        ("https://lakeside.example.org", "lakeside.example.org", [
            "p.yaml:4:12: company.website: 'lakeside.example.org' is not a web address; "
            "write it as https://example.org",
        ]),
        ("https://lakeside.example.org", "ftp://lakeside.example.org", [
            "p.yaml:4:12: company.website: 'ftp://lakeside.example.org' is not a web address; "
            "write it as https://example.org",
        ]),
        ("it@lakeside.example.org", "it-at-lakeside", [
            "p.yaml:13:10: contact.email: is not an email address like name@example.org",
        ]),
        # The contact's phone is repeated as typed, as a calling number is (issue 19 item 8).
        ("phone: (619) 555-0142", "phone: 555-0142", [
            "p.yaml:12:10: contact.phone: '555-0142' is not a 10-digit US number",
        ]),
        ("phone: (619) 555-0142", "phone: +1 503-155-0150", [
            "p.yaml:12:10: contact.phone: '+1 503-155-0150' is not a valid US phone number",
        ]),
        ("monthly_calls: 12000", "monthly_calls: 0", [
            "p.yaml:16:18: calling.monthly_calls: should be at least 1 call per month",
        ]),
        ("monthly_calls: 12000", "monthly_calls: lots", [
            "p.yaml:16:18: calling.monthly_calls: 'lots' is not a whole number of calls per "
            "month, such as 12000",
        ]),
        ("monthly_calls: 12000", "monthly_calls: 12,00", [
            "p.yaml:16:18: calling.monthly_calls: '12,00' is not a whole number of calls per "
            "month, such as 12000",
        ]),
        ("service_provider: Bandwidth", "service_provider:", [
            "p.yaml:17:20: calling.service_provider: is empty; write a value",
        ]),
        ("  category: Education", "  category: [Education]", [
            "p.yaml:15:13: calling.category: should be text, not a list",
        ]),
        ("contact:\n  name: Dana Reyes\n", "contact: Dana Reyes\nx:\n  name: Dana Reyes\n", [
            "p.yaml:10:10: contact: should be a mapping of keys, not text",
            "p.yaml:11:1: x: unknown key 'x'; allowed: calling, company, contact, display_name, "
            "dispute, extends, label, numbers",
        ]),
        ("  - (619) 555-0100\n", "  - [(619) 555-0100]\n", [
            "p.yaml:20:5: numbers.0: each item is a number, {number:, display_name:} or {file:}",
        ]),
        ("    display_name: LAKESIDE NURSE", "    display_nme: LAKESIDE NURSE", [
            "p.yaml:22:5: numbers.1.display_nme: unknown key 'display_nme'; did you mean "
            "'display_name'?",
        ]),
        ("  - (619) 555-0100\n", "  - (619) 555-0101\n", [
            "p.yaml:21:13: numbers.1.number: +16195550101 is listed twice: also at p.yaml:20:5",
        ]),
        ("  - (619) 555-0100\n", "  - 12\n", [
            "p.yaml:20:5: numbers.0: '12' is not a 10-digit US number",
        ]),
        ("  - (619) 555-0100\n", "  - (416) 555-0100\n", [
            "p.yaml:20:5: numbers.0: '(416) 555-0100' is not a US number (it is a number of "
            "region CA)",
        ]),
        ("  - (619) 555-0100\n", "  - 619-555-0100 x12\n", [
            "p.yaml:20:5: numbers.0: '619-555-0100 x12' has an extension; list the number that "
            "places the calls, without it",
        ]),
    ],
)  # fmt: skip
def test_bad_profiles_name_place_path_and_reason(old: str, new: str, expected: list[str]) -> None:
    assert old in GOOD
    assert problems(GOOD.replace(old, new, 1)) == expected


def test_an_empty_numbers_list_is_refused() -> None:
    text = GOOD.split("numbers:")[0] + "numbers: []\n"
    assert problems(text) == ["p.yaml:19:10: numbers: list at least one number"]


def test_typos_everywhere_come_in_one_run() -> None:
    text = (
        GOOD.replace("label:", "lable:")
        .replace("    city:", "    cty:")
        .replace("  email:", "  e-mail:")
        .replace("  notes", "  nots")
        .replace("  service_provider:", "  service_provder:")
    )
    assert problems(text) == [
        "p.yaml:1:1: lable: unknown key 'lable'; did you mean 'label'?",
        "p.yaml:6:5: company.address.city: required key is missing",
        "p.yaml:7:5: company.address.cty: unknown key 'cty'; did you mean 'city'?",
        "p.yaml:11:3: contact.email: required key is missing",
        "p.yaml:13:3: contact.e-mail: unknown key 'e-mail'; did you mean 'email'?",
        "p.yaml:15:3: calling.service_provider: required key is missing",
        "p.yaml:17:3: calling.service_provder: unknown key 'service_provder'; did you mean "
        "'service_provider'?",
    ]


@pytest.mark.parametrize(
    "key",
    ["password", "imap_password", "token", "api_key", "apiKey", "client-secret", "Credentials"],
)
def test_secret_like_keys_are_refused_without_echoing_the_value(key: str) -> None:
    text = GOOD.replace("  email: it@", f"  {key}: hunter2-s3cr3t\n  email: it@")
    found = problems(text)
    assert found == [
        f"p.yaml:13:3: contact.{key}: '{key}' looks like a secret; profiles never hold secrets: "
        "give it through the environment or the OS keyring"
    ]
    assert "hunter2" not in "\n".join(found)


def test_a_secret_nested_in_a_number_entry_is_refused() -> None:
    text = GOOD.replace("    display_name: LAKESIDE NURSE", "    token: abc123xyz")
    assert problems(text) == [
        "p.yaml:22:5: numbers.1.token: 'token' looks like a secret; profiles never hold "
        "secrets: give it through the environment or the OS keyring"
    ]


def test_long_display_names_are_warnings_not_errors() -> None:
    text = GOOD.replace("LAKESIDE NURSE", "LAKESIDE SCHOOL NURSE OFFICE")
    loaded = load_profile(write(text))
    assert [str(p) for p in loaded.warnings] == [
        "p.yaml:22:19: warning: numbers.1.display_name: display name 'LAKESIDE SCHOOL NURSE "
        "OFFICE' is 28 characters; phones show only the first 15"
    ]


def test_a_duplicate_key_in_a_profile_is_refused_with_both_lines() -> None:
    text = GOOD.replace("  city: Lakeside\n", "  city: Lakeside\n    city: Lakeview\n")
    assert problems(text) == [
        "p.yaml:8:5: company.address.city: duplicate key 'city': first at line 7, again at line 8"
    ]


# -- extends ----------------------------------------------------------------------------------

BASE = """\
company:
  name: Lakeside Unified School District
  website: https://lakeside.example.org
  address: {line1: 100 Main St, city: Lakeside, state: california, zip: "92040"}
contact: {name: Dana Reyes, phone: (619) 555-0142, email: it@lakeside.example.org}
calling: {category: Other, monthly_calls: "1", service_provider: Bandwidth}
numbers: [(619) 555-0199]
"""

CHILD = """\
extends: org/base.yaml
company:
  address:
    line1: 200 Oak Ave
calling:
  category: Education
numbers:
  - (619) 555-0100
"""


def test_extends_merges_mappings_deeply_and_replaces_lists() -> None:
    base = write(BASE, "org/base.yaml")
    child = write(CHILD, "child.yaml")
    loaded = load_profile(child)
    profile = loaded.profile
    assert profile.company.address.line1 == "200 Oak Ave"
    assert profile.company.address.city == "Lakeside"
    assert profile.company.address.state == "CA"
    assert profile.calling.category == "Education"
    assert profile.calling.service_provider == "Bandwidth"
    assert [n.number for n in profile.numbers] == ["+16195550100"]
    digest = hashlib.sha256()
    for data in (child.read_bytes(), base.read_bytes()):
        digest.update(len(data).to_bytes(8, "big") + data)
    assert loaded.sha256 == digest.hexdigest()


def test_errors_in_inherited_values_name_the_file_that_holds_them() -> None:
    write(BASE.replace("state: california", "state: Narnia"), "org/base.yaml")
    assert problems(CHILD, "child.yaml") == [
        "org/base.yaml:4:56: company.address.state: 'Narnia' is not a US state; write its "
        "USPS code (CA) or full name (California)"
    ]


def test_an_extends_cycle_is_refused_naming_the_chain() -> None:
    write("extends: b.yaml\n", "a.yaml")
    write("extends: c.yaml\n", "b.yaml")
    write("extends: a.yaml\n", "c.yaml")
    assert problems("extends: b.yaml\n", "a.yaml") == [
        "c.yaml:1:10: extends: extends itself in a cycle: a.yaml -> b.yaml -> c.yaml -> a.yaml"
    ]


def test_a_missing_base_is_named() -> None:
    assert problems("extends: org/nowhere.yaml\n") == [
        "p.yaml:1:10: extends: file not found: org/nowhere.yaml"
    ]


# -- number files -------------------------------------------------------------------------------


def with_file(name: str) -> str:
    return GOOD.split("numbers:")[0] + f"numbers:\n  - (619) 555-0100\n  - file: {name}\n"


def test_csv_numbers_are_read_with_their_rows_as_origin() -> None:
    write("number,display_name\n619-555-0101,LAKESIDE NURSE\n\n(619) 555-0102,\n", "n/x.csv")
    profile = load_profile(write(with_file("n/x.csv"))).profile
    assert profile.numbers[1:] == (
        PhoneNumber(number="+16195550101", display_name="LAKESIDE NURSE", origin="n/x.csv row 2"),
        PhoneNumber(number="+16195550102", display_name="LAKESIDE USD", origin="n/x.csv row 4"),
    )


def test_csv_problems_name_the_file_and_row() -> None:
    write(
        "Number,Display Name,extra\n619-555-0101,A VERY LONG DISPLAY NAME,\n12,,\n"
        "(619) 555-0100,,\n",
        "n/x.csv",
    )
    by = " (listed by p.yaml:21)"
    assert problems(with_file("n/x.csv")) == [
        "n/x.csv:1:3: warning: column 'extra' is ignored: only the numbers ('Number') and the "
        f"caller names are read{by}",
        "n/x.csv:2:2: warning: display_name: display name 'A VERY LONG DISPLAY NAME' is 24 "
        f"characters; phones show only the first 15{by}",
        f"n/x.csv:3:1: number: '12' is not a 10-digit US number{by}",
        f"n/x.csv:4:1: number: +16195550100 is listed twice: also at p.yaml:20:5{by}",
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("n/none.csv", None, "n/none.csv:1:1: number file not found (listed by p.yaml:21)"),
        ("n/x.txt", "number\n", "n/x.txt:1:1: a number file must be .csv or .xlsx "
         "(listed by p.yaml:21)"),
        ("n/x.csv", "display_name\nX\n", "n/x.csv:1:1: has no column of numbers: head it "
         "Number, Phone, Phone Number, Telephone, TN, DID, or name its header in the profile: "
         'columns: {number: "HEADER"} (listed by p.yaml:21)'),
        ("n/x.csv", "", "n/x.csv:1:1: has no header row; the first row names the columns: "
         "Number (or Phone, Phone Number, Telephone, TN, DID) and, optionally, Display Name "
         "(or Caller ID, Caller Name, CNAM) (listed by p.yaml:21)"),
        ("n/x.csv", "number\n", "p.yaml:21:11: numbers.1.file: n/x.csv lists no numbers"),
        ("n/x.xlsx", "not a zip", "n/x.xlsx:1:1: is not a readable .xlsx file (BadZipFile) "
         "(listed by p.yaml:21)"),
    ],
)  # fmt: skip
def test_unusable_number_files_are_named(name: str, content: str | None, expected: str) -> None:
    if content is not None:
        write(content, name)
    assert problems(with_file(name)) == [expected]


def test_csv_that_is_not_utf8_is_named() -> None:
    Path("x.csv").write_bytes(b"number\n619-555-0101\n\xff\n")
    assert problems(with_file("x.csv")) == [
        "x.csv:3:1: is not valid UTF-8 text; save it as UTF-8 (listed by p.yaml:21)"
    ]


def test_xlsx_numbers_are_read() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["number", "display_name"])
    sheet.append([6195550101, "LAKESIDE NURSE"])
    sheet.append(["(619) 555-0102", None])
    sheet.append([6195550103.0, None])
    book.save("x.xlsx")
    profile = load_profile(write(with_file("x.xlsx"))).profile
    assert [(n.number, n.display_name, n.origin) for n in profile.numbers[1:]] == [
        ("+16195550101", "LAKESIDE NURSE", "x.xlsx row 2"),
        ("+16195550102", "LAKESIDE USD", "x.xlsx row 3"),
        ("+16195550103", "LAKESIDE USD", "x.xlsx row 4"),
    ]


# -- many profiles ----------------------------------------------------------------------------


def test_a_number_in_two_profiles_is_reported_naming_both() -> None:
    write(GOOD, "profiles/a.yaml")
    write(
        GOOD.replace("Test alerts", "Other alerts").replace("555-0101", "555-0109"),
        "profiles/b.yaml",
    )
    loaded, found = load_profiles([Path("profiles")])
    assert [p.profile.label for p in loaded] == ["Test alerts", "Other alerts"]
    assert [str(p) for p in found] == [
        "profiles/b.yaml:20:5: numbers: +16195550100 is also listed by profile 'Test alerts' at "
        "profiles/a.yaml:20:5"
    ]


def test_a_folder_skips_shared_defaults_that_profiles_extend() -> None:
    write(BASE.replace("numbers: [(619) 555-0199]\n", ""), "profiles/org/base.yaml")
    write(CHILD, "profiles/child.yaml")
    loaded, found = load_profiles([Path("profiles")])
    assert found == []
    assert [p.path for p in loaded] == [Path("profiles/child.yaml")]


def test_every_error_of_every_file_is_collected() -> None:
    write(GOOD.replace("state: CA", "state: XX"), "profiles/a.yaml")
    write("- not a profile\n", "profiles/b.yaml")
    loaded, found = load_profiles([Path("profiles")])
    assert loaded == []
    assert [str(p) for p in found] == [
        "profiles/a.yaml:8:12: company.address.state: 'XX' is not a US state; write its USPS "
        "code (CA) or full name (California)",
        "profiles/b.yaml:1:1: a profile is a mapping of keys (company:, contact:, numbers: …), "
        "not a list",
    ]


def test_ten_thousand_numbers_load_in_well_under_a_few_seconds() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_validate", BENCH)
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    generate = bench.generate
    Path("big").mkdir()
    count = generate(Path("big"))
    start = time.perf_counter()
    loaded, found = load_profiles([Path("big")])
    elapsed = time.perf_counter() - start
    assert found == []
    assert sum(len(p.profile.numbers) for p in loaded) == count == 10_000
    assert elapsed < 5  # generous: the benchmark asks 0.5 s on a quiet machine


def test_the_json_schema_describes_the_document() -> None:
    schema = profile_json_schema()
    assert schema["title"] == "Registration profile"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"company", "contact", "calling", "numbers"}
    assert set(schema["properties"]) == {
        "extends", "label", "company", "contact", "calling", "display_name", "numbers", "dispute",
    }  # fmt: skip


# -- the shipped examples -----------------------------------------------------------------------


def test_every_example_profile_loads_cleanly() -> None:
    loaded, found = load_profiles([EXAMPLES])
    assert found == []
    assert all(p.warnings == [] for p in loaded)
    by_name = {p.path.name: p.profile for p in loaded}
    assert sorted(by_name) == [
        "clinic-reminders.yaml",
        "county-weather.yaml",
        "lakeside-closures.yaml",
    ]
    assert len(by_name["county-weather.yaml"].numbers) == 45
    assert len(by_name["clinic-reminders.yaml"].numbers) <= 20
    assert len(by_name["lakeside-closures.yaml"].numbers) <= 5
    assert {p.calling.category for p in by_name.values()} == {
        "Education", "Emergency Notifications", "Healthcare",
    }  # fmt: skip
    for profile in by_name.values():
        # fictional numbers only: NXX-555-01XX
        assert all(n.national[3:8] == "55501" for n in profile.numbers)
