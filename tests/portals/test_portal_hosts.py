"""Issue 17, item 5: a portal is known by where it is.

A map's `registry` defaulted to its `name`, and hosts were compared as written, so a personal
copy of the FCR map under another name was a new registry, and `--url` with a trailing dot (the
same site) was practice: the same numbers could be registered twice without a word. Now a host
has one form (lower case, no trailing dot, no default port, IDNA, IPv6 in brackets), a map's
registry is its host's, the ledger blocks by host and by registry, and old journals are re-filed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from batchrun import drive, write_profiles
from clirun import run_assistant
from journalrows import FCR, FCR_HOST, FID, FakeClock, at, new_attempt, submit

from assistant import hosts
from assistant.errors import ExitCode
from assistant.hosts import InvalidHost, host_of
from assistant.portals import PortalMapError, load_portal, parse_portal
from assistant.records import duplicates
from assistant.records.journal import Destination, Journal
from assistant.records.journal import schema as journal_schema
from assistant.records.journal.schema import MIGRATIONS, SCHEMA_VERSION
from assistant.sitting.session import FillOptions

FCR_YAML = (resources.files("assistant.portals") / "fcr.yaml").read_text(encoding="utf-8")


def _copy_of_fcr(name: str = "mine", registry: str | None = None) -> str:
    """The shipped FCR map as a person copies it: renamed, its `registry:` line left out (the
    README's map reference never named it) or set to `registry`."""
    assert "\nname: fcr\nregistry: fcr\n" in FCR_YAML
    line = f"registry: {registry}\n" if registry is not None else ""
    return FCR_YAML.replace("\nname: fcr\nregistry: fcr\n", f"\nname: {name}\n{line}")


def _map_at(url: str, registry: str | None = None) -> bytes:
    """The FCR map's steps, started at `url` (allowed there), with `registry` if given."""
    data = load_portal("fcr").model_dump(exclude={"registry"})
    data.update(name="mine", start_url=url, allowed_hosts=[url.split("/")[2].split(":")[0]])
    if registry is not None:
        data["registry"] = registry
    return json.dumps(data).encode()


# -- one form of a host ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.freecallerregistry.com./fcr/", FCR_HOST),
        ("https://WWW.FreeCallerRegistry.COM.:443/fcr/", FCR_HOST),
        ("http://www.freecallerregistry.com:80/fcr/", FCR_HOST),
        ("https://www.freecallerregistry.com:80/fcr/", f"{FCR_HOST}:80"),
        ("http://www.freecallerregistry.com:443/fcr/", f"{FCR_HOST}:443"),
        ("https://www.freecallerregistry.com:8443/fcr/", f"{FCR_HOST}:8443"),
        ("https://bücher.example/", "xn--bcher-kva.example"),
        ("https://BÜCHER.Example.:443/", "xn--bcher-kva.example"),
        ("https://xn--BCHER-kva.example/", "xn--bcher-kva.example"),
        ("https://例え。テスト/", "xn--r8jz45g.xn--zckzah"),  # an ideographic full stop
        ("http://127.0.0.1:8765/fcr/", "127.0.0.1:8765"),
        ("http://[0:0::1]:9000/", "[::1]:9000"),
        ("http://[2001:DB8:0:0::1]:443/", "[2001:db8::1]:443"),
        ("http://localhost./", "localhost"),
    ],
)
def test_a_host_has_one_form(url: str, host: str) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://www..freecallerregistry.com/",
            '"www..freecallerregistry.com" is not a valid host name: it has an empty label '
            "(two dots in a row, or a dot at the start)",
        ),
        (
            "https://faß.example/",
            '"faß.example" is not a valid host name: ß is written differently by browsers and '
            "by IDNA 2003; write the name in its xn-- form",
        ),
        (
            "https://xn--zz.example/",
            '"xn--zz.example" is not a valid host name: "xn--zz" is not a valid xn-- (IDNA) label',
        ),
        (
            "https://exa mple.com/",
            '"exa mple.com" is not a valid host name: it holds a character a host name cannot have',
        ),
        (
            f"https://{'a' * 64}.example/",
            f'"{"a" * 64}.example" is not a valid host name: a label is longer than 63 characters',
        ),
        ("https:///fcr/", "the URL has no host name"),
        ("https://[::1/fcr/", '"https://[::1/fcr/" is not a valid URL: Invalid IPv6 URL'),
        ("https://example.com:99999/", '"https://example.com:99999/" has an invalid port'),
        (
            "http://[fe80::1%25eth0]/",
            '"fe80::1%25eth0" is not a valid host name: an IPv6 zone (%…) cannot be used in a URL',
        ),
    ],
)
def test_a_host_that_is_not_valid_is_refused_saying_why(url: str, message: str) -> None:
    with pytest.raises(InvalidHost) as caught:
        host_of(url)
    assert str(caught.value) == message
    assert caught.value.exit_code == ExitCode.USAGE


def test_a_refused_host_is_quoted_escaped_and_short() -> None:
    with pytest.raises(InvalidHost) as caught:
        host_of(f"https://example..a\x1b\u202e{'b' * 200}/")
    assert str(caught.value) == (
        f'"example..a\\x1b\\u202e{"b" * 67}…" is not a valid host name: it has an empty label '
        "(two dots in a row, or a dot at the start)"
    )


def test_an_invalid_url_stops_a_command_with_exit_2(tmp_path: Path) -> None:
    [profile] = write_profiles(tmp_path / "profiles", count=1)
    shown = run_assistant(
        "plan", str(profile), "--url", "https://faß.example/fcr/", "--data-dir", str(tmp_path)
    )
    assert (shown.returncode, shown.stdout) == (ExitCode.USAGE, "")
    assert shown.stderr == (
        'Error: "faß.example" is not a valid host name: ß is written differently by browsers '
        "and by IDNA 2003; write the name in its xn-- form\n"
    )


# -- the browser's allow-list --------------------------------------------------------------------


def test_the_browser_reaches_a_url_host_as_written_and_in_its_one_form() -> None:
    portal = load_portal("fcr")
    dotted = FillOptions(portal=portal, url="https://WWW.FreeCallerRegistry.com./fcr/")
    assert dotted.allowed_hosts == [f"{FCR_HOST}:443", f"{FCR_HOST}.:443"]
    unicode = FillOptions(portal=portal, url="https://Bücher.example:8443/fcr/")
    assert unicode.allowed_hosts == ["xn--bcher-kva.example:8443", "xn--bcher-kva.example.:8443"]
    # A run pointed at one port of a machine reaches nothing else on it.
    assert FillOptions(portal=portal, url="http://127.0.0.1:8765/fcr/").allowed_hosts == [
        "127.0.0.1:8765"
    ]
    assert FillOptions(portal=portal, url="http://[::1]:8765/fcr/").allowed_hosts == ["[::1]:8765"]
    assert FillOptions(portal=portal).allowed_hosts == [FCR_HOST, f"{FCR_HOST}."]


def test_a_maps_allowed_hosts_are_read_in_their_one_form() -> None:
    data = load_portal("fcr").model_dump()
    data["allowed_hosts"] = ["WWW.FreeCallerRegistry.com.", "Bücher.example"]
    portal = parse_portal(json.dumps(data).encode(), "mine.yaml")
    assert portal.allowed_hosts == [FCR_HOST, "xn--bcher-kva.example"]


# -- a map's registry ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "registry"),
    [
        ("https://www.freecallerregistry.com/fcr/", "fcr"),
        ("https://freecallerregistry.com/fcr/", "fcr"),
        ("https://www.freecallerregistry.com./fcr/", "fcr"),
        ("https://reportarobocall.com/trf/", "trf"),
        ("https://www.reportarobocall.com/trf/", "trf"),
        ("https://voicespamfeedback.com/vsf/", "vsf"),
        ("https://www.voicespamfeedback.com/vsf/", "vsf"),
        ("https://portal.example.org/form/", "portal.example.org"),
        ("http://127.0.0.1:8765/fcr/", "127.0.0.1:8765"),
    ],
)
def test_a_maps_registry_defaults_to_its_hosts_never_to_its_name(url: str, registry: str) -> None:
    assert parse_portal(_map_at(url), "mine.yaml").registry == registry


def test_a_renamed_copy_of_the_fcr_map_is_the_fcr_registry() -> None:
    copy = parse_portal(_copy_of_fcr().encode(), "mine.yaml")
    assert (copy.name, copy.registry, copy.real_host) == ("mine", "fcr", FCR_HOST)
    assert FillOptions(portal=copy).destination == FCR


def test_a_map_naming_another_registry_than_its_hosts_is_refused() -> None:
    with pytest.raises(PortalMapError) as caught:
        parse_portal(_copy_of_fcr(registry="mine").encode(), "mine.yaml")
    lines = _copy_of_fcr(registry="mine").splitlines()
    line = lines.index("registry: mine") + 1
    assert str(caught.value) == (
        f'mine.yaml:{line}:11: registry: "mine" is not the registry at www.freecallerregistry.com '
        "(this map's start_url): that host is fcr's, and a portal is known by where it is, so "
        "every map of it files its submissions in fcr's records; leave registry out, or write "
        "registry: fcr"
    )


def test_a_known_registrys_name_at_another_host_is_refused() -> None:
    with pytest.raises(PortalMapError) as caught:
        parse_portal(_map_at("http://127.0.0.1:8765/fcr/", registry="fcr"), "mine.yaml")
    assert str(caught.value).endswith(
        'registry: "fcr" is the registry at www.freecallerregistry.com, not at 127.0.0.1:8765 '
        "(this map's start_url): a portal is known by where it is; leave registry out to file "
        "this map's submissions under 127.0.0.1:8765"
    )


def test_a_map_of_an_unknown_host_may_name_its_registry() -> None:
    """Two maps of one portal reached by two names share a ledger by naming one registry."""
    named = parse_portal(_map_at("https://portal.example.org/", registry="example"), "m.yaml")
    assert named.registry == "example"
    assert FillOptions(portal=named).destination == Destination("example", "portal.example.org")


def test_a_map_with_a_start_url_that_is_not_a_valid_host_is_refused() -> None:
    with pytest.raises(PortalMapError) as caught:
        parse_portal(_map_at("https://faß.example/"), "mine.yaml")
    assert str(caught.value).splitlines()[0] == (
        'mine.yaml:1:80: start_url: "faß.example" is not a valid host name: ß is written '
        "differently by browsers and by IDNA 2003; write the name in its xn-- form"
    )


# -- where a run is filed ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("portal", "url", "destination"),
    [
        ("fcr", "https://www.freecallerregistry.com./fcr/", FCR),
        ("fcr-classic", "https://WWW.freecallerregistry.com.:443/fcr/", FCR),
        (
            "fcr",
            "https://freecallerregistry.com/fcr/",
            Destination("fcr", "freecallerregistry.com"),
        ),
        ("fcr", "https://reportarobocall.com/trf/", Destination("trf", "reportarobocall.com")),
        ("fcr", "http://127.0.0.1:8765/fcr/", Destination("fcr", "127.0.0.1:8765", real=False)),
        ("fcr", "http://localhost.:8765/fcr/", Destination("fcr", "localhost:8765", real=False)),
    ],
)
def test_a_run_is_filed_by_the_host_it_drives(
    portal: str, url: str, destination: Destination
) -> None:
    assert FillOptions(portal=load_portal(portal), url=url).destination == destination


def test_a_run_on_a_personal_maps_own_host_is_real_however_the_url_is_spelt() -> None:
    own = parse_portal(_map_at("https://portal.example.org/form/"), "mine.yaml")
    real = Destination("portal.example.org", "portal.example.org")
    assert FillOptions(portal=own).destination == real
    assert FillOptions(portal=own, url="https://Portal.Example.org.:443/x").destination == real


# -- the ledger ----------------------------------------------------------------------------------


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal.open(tmp_path / "data", clock=FakeClock(at("2026-10-01 14:03")))


def test_real_registrations_of_one_registry_block_each_other_at_all_its_hosts(
    journal: Journal,
) -> None:
    apex = Destination("fcr", "freecallerregistry.com")
    when = at("2026-10-02 00:00")
    with journal:
        submit(journal, "+16195550100", host="freecallerregistry.com")
        submit(journal, "+16195550101")
        unknown = journal.begin(new_attempt("+16195550102", host="freecallerregistry.com"))
        journal.intent(unknown, confirmed_by="alice", review_values={})
        numbers = ["+16195550100", "+16195550101", "+16195550102"]
        assert [f.number for f in duplicates.findings(journal, FCR, numbers, now=when)] == numbers
        assert [f.number for f in duplicates.findings(journal, apex, numbers, now=when)] == numbers
        # ... and never a practice run, which guards only its own host.
        practice = Destination("fcr", "127.0.0.1:8765", real=False)
        assert duplicates.findings(journal, practice, numbers, now=when) == []


def test_a_row_sent_to_a_host_blocks_that_host_whatever_its_registry(journal: Journal) -> None:
    """A row a renamed copy filed under a registry of its own, at the same host."""
    when = at("2026-10-02 00:00")
    with journal:
        submit(journal, "+16195550100", portal="mine", registry="mine")
        unsettled = journal.begin(new_attempt("+16195550101", portal="mine", registry="mine"))
        journal.intent(unsettled, confirmed_by="alice", review_values={})
        numbers = ["+16195550100", "+16195550101"]
        found = duplicates.findings(journal, FCR, numbers, now=when)
        assert [(f.number, f.registry, f.unsettled) for f in found] == [
            ("+16195550100", "mine", False),
            ("+16195550101", "mine", True),
        ]
        other = Destination("other", "portal.example.org")
        assert duplicates.findings(journal, other, numbers, now=when) == []


def test_a_number_registered_again_at_another_host_of_its_registry_is_not_due(
    tmp_path: Path,
) -> None:
    clock = FakeClock(at("2026-10-01 14:03"))
    with Journal.open(tmp_path / "data", clock=clock) as journal:
        submit(journal, "+16195550100", "+16195550101", host="freecallerregistry.com")
        clock.advance(days=80)
        submit(journal, "+16195550100", fid="FCRFE12202026140300123")
        due = journal.due(days=90, now=at("2027-01-15 00:00"))
        assert [(d.number, d.registry, d.host, d.days_since) for d in due] == [
            ("+16195550101", "fcr", "freecallerregistry.com", 106)
        ]


def test_the_cli_refuses_through_a_renamed_copy_numbers_the_fcr_map_sent(tmp_path: Path) -> None:
    """The reproduction: `assistant fill PROFILE --portal mine.yaml`, mine.yaml a copy of the
    FCR map renamed `mine`, would register again the numbers `--portal fcr` registered. Now it
    stops before anything opens, as the FCR map itself would (exit 6)."""
    [profile] = write_profiles(tmp_path / "profiles", count=1)
    data = tmp_path / "data"
    with Journal.open(data) as journal:
        submit(journal, "+16195550100", "+16195550101", portal="fcr", registry="fcr")
    mine = tmp_path / "mine.yaml"
    mine.write_text(_copy_of_fcr(), encoding="utf-8")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    for portal, url in (
        (str(mine), None),
        ("fcr", "https://www.freecallerregistry.com./fcr/"),
        ("fcr-classic", "https://FreeCallerRegistry.com:443/fcr/"),
    ):
        args = ["fill", str(profile), "--portal", portal, "--headless", "--data-dir", str(data)]
        again = drive([*args, *(["--url", url] if url else [])], None)
        assert again.exitstatus == ExitCode.DUPLICATE, again.output
        assert again.output.endswith(
            f"Error: +16195550100 and +16195550101 were submitted to fcr on {today} as {FID}; "
            f"due again on {(dt.date.fromisoformat(today) + dt.timedelta(days=90)).isoformat()}\n"
        ), again.output
    with Journal.open(data) as journal:
        assert [a.id for a in journal.history()] == [1]  # nothing else started


def test_the_cli_refuses_a_copy_that_names_a_registry_of_its_own(tmp_path: Path) -> None:
    [profile] = write_profiles(tmp_path / "profiles", count=1)
    mine = tmp_path / "mine.yaml"
    mine.write_text(_copy_of_fcr(registry="mine"), encoding="utf-8")
    shown = run_assistant(
        "plan", str(profile), "--portal", str(mine), "--data-dir", str(tmp_path / "data")
    )
    assert shown.returncode == ExitCode.INVALID
    assert shown.stderr.endswith(
        'registry: "mine" is not the registry at www.freecallerregistry.com (this map\'s '
        "start_url): that host is fcr's, and a portal is known by where it is, so every map of "
        "it files its submissions in fcr's records; leave registry out, or write registry: fcr\n"
    ), shown.stderr


# -- the journal's step 3 ------------------------------------------------------------------------

V2_ROWS = [
    # id, portal, registry, host, real_portal, state
    (1, "mine", "mine", FCR_HOST, 1, "submitted"),  # a renamed copy of the FCR map
    (2, "fcr", "fcr", f"{FCR_HOST}.", 0, "submitted"),  # --url with a trailing dot
    (3, "fcr", "fcr", "freecallerregistry.com", 0, "unknown"),  # --url without www.
    (4, "fcr", "fcr", "127.0.0.1:8765", 0, "submitted"),  # the replica: practice
    (5, "my-portal", "my-portal", "", 1, "filled"),  # schema 1, a map we do not ship
    (6, "own", "own", "bücher.example", 1, "submitted"),  # filed before IDNA
    (7, "trf-copy", "trf-copy", "WWW.ReportARobocall.com.:443", 0, "declined"),
    (8, "odd", "odd", "a..b", 1, "submitted"),  # cannot be normalised: left as it is
]


def _schema_2_journal(folder: Path) -> None:
    """A journal as the assistant before item 5 wrote it (schema 2), with `V2_ROWS`."""
    folder.mkdir(mode=0o700)
    conn = sqlite3.connect(folder / "journal.sqlite3")
    conn.executescript(MIGRATIONS[0])
    conn.executescript(MIGRATIONS[1])
    when = "2026-09-01T10:00:00Z"
    for attempt_id, portal, registry, host, real, state in V2_ROWS:
        conn.execute(
            "INSERT INTO attempts (id, run_id, portal, registry, host, real_portal,"
            " profile_path, profile_sha256, profile_label, part, parts, state, feedback_id,"
            " submitted_at, created_at, updated_at)"
            " VALUES (?, 'r', ?, ?, ?, ?, '/p.yaml', 'ab', 'Old', 1, 1, ?, ?, ?, ?, ?)",
            (
                attempt_id,
                portal,
                registry,
                host,
                real,
                state,
                FID if state == "submitted" else None,
                when if state == "submitted" else None,
                when,
                when,
            ),
        )
        conn.execute(
            "INSERT INTO attempt_numbers VALUES (?, 0, ?)", (attempt_id, f"+1619555010{attempt_id}")
        )
        conn.execute("INSERT INTO attempt_events VALUES (?, ?, ?, '')", (attempt_id, when, state))
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    (folder / "journal.sqlite3").chmod(0o600)


def _rows(folder: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(folder / "journal.sqlite3")
    try:
        return conn.execute("SELECT * FROM attempts ORDER BY id").fetchall()
    finally:
        conn.close()


def test_an_old_journal_is_filed_by_host_and_its_copies_block_the_fcr_numbers(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    _schema_2_journal(folder)
    with Journal.open(folder, clock=FakeClock(at("2026-10-01 14:03"))) as journal:
        rows = {a.id: a for a in journal.history()}
        assert {i: (a.portal, a.registry, a.host, a.real_portal) for i, a in rows.items()} == {
            1: ("mine", "fcr", FCR_HOST, True),
            2: ("fcr", "fcr", FCR_HOST, True),
            3: ("fcr", "fcr", "freecallerregistry.com", True),
            4: ("fcr", "fcr", "127.0.0.1:8765", False),
            5: ("my-portal", "my-portal", "", True),
            6: ("own", "own", "xn--bcher-kva.example", True),
            7: ("trf-copy", "trf", "www.reportarobocall.com:443", True),
            8: ("odd", "odd", "a..b", True),
        }
        numbers = [f"+1619555010{i}" for i in range(1, 9)]
        found = duplicates.findings(journal, FCR, numbers, now=at("2026-10-02 00:00"))
        assert [(f.number, f.attempt_id) for f in found] == [
            ("+16195550101", 1),
            ("+16195550102", 2),
            ("+16195550103", 3),
        ]
        own = Destination("xn--bcher-kva.example", "xn--bcher-kva.example")
        found = duplicates.findings(journal, own, numbers, now=at("2026-10-02 00:00"))
        assert [f.attempt_id for f in found] == [6]
    conn = sqlite3.connect(folder / "journal.sqlite3")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def test_step_3_run_again_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _schema_2_journal(folder)
    Journal.open(folder).close()
    migrated = _rows(folder)
    conn = sqlite3.connect(folder / "journal.sqlite3")
    try:
        journal_schema._file_by_host(conn)
        conn.commit()
    finally:
        conn.close()
    assert _rows(folder) == migrated
    assert migrated != []


def test_step_3_knows_the_hosts_the_assistant_knows() -> None:
    """A host added to `hosts.REGISTRY_HOSTS` needs a step of its own to re-file old rows."""
    assert journal_schema._V3_REGISTRY_HOSTS == hosts.REGISTRY_HOSTS


def test_history_after_step_3_files_the_copy_under_fcr(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _schema_2_journal(folder)
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    shown = run_assistant("history", "--json", "--data-dir", str(folder), env=env)
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)
    assert [(r["id"], r["registry"], r["host"]) for r in rows if r["id"] <= 2] == [
        (2, "fcr", FCR_HOST),
        (1, "fcr", FCR_HOST),
    ]
