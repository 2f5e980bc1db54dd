"""The report's page in the test browser: its rows, sorting and filtering work offline, values
a page returned are shown as text, printing leaves the controls out, and no request leaves it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from journalrows import FID, FakeClock, at, new_attempt, submit
from playwright.sync_api import Page, Request, Route, expect

from assistant.records import report_page
from assistant.records.journal import Journal
from assistant.records.report import Listed, build

HOSTILE_FID = '<img src="http://127.0.0.1:9/fid.png">'
HOSTILE_LABEL = "Acme </script><script>document.title='owned'</script>"


def _page_file(tmp_path: Path) -> Path:
    with Journal.open(tmp_path / "data", clock=FakeClock(at("2026-10-01 14:03"))) as journal:
        submit(journal, "+16195550101")  # real, due 2026-12-30
        attempt = journal.begin(new_attempt("+16195550100", label=HOSTILE_LABEL, portal="trf"))
        journal.intent(attempt, confirmed_by="alice", review_values={})
        journal.submitted(attempt, HOSTILE_FID)  # a Feedback ID as a hostile page returned it
        unknown = journal.begin(new_attempt("+16195550102"))
        journal.intent(unknown, confirmed_by="alice", review_values={})
        journal.unknown(unknown, "timeout")
        attempts = journal.history()
    listed = [Listed("+16195550103", "Bolt", "/p/bolt.yaml", "BOLT")]
    made = build(attempts, listed, today=date(2026, 11, 1))
    path = tmp_path / "report.html"
    path.write_text(report_page.render_html(made, "/data/journal.sqlite3"), encoding="utf-8")
    return path


def test_the_page_sorts_filters_and_prints_without_any_request(page: Page, tmp_path: Path) -> None:
    path = _page_file(tmp_path)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    routed: list[str] = []

    def refuse(route: Route, request: Request) -> None:  # every request but the page's own
        routed.append(request.url)
        if request.url == path.as_uri():
            route.continue_()
        else:
            route.abort()

    page.context.route("**/*", refuse)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())

    rows = page.locator("#numbers tbody tr")
    numbers = rows.locator("td.number")
    expect(numbers).to_have_text(["+16195550100", "+16195550101", "+16195550102", "+16195550103"])
    heads = page.locator("#numbers thead th")
    expect(heads).to_have_text(
        ["Number", "Caller name", "Profile", "fcr", "trf", "Next due (real)"]
    )
    hostile = rows.nth(0)
    expect(hostile.locator("td").nth(4)).to_contain_text(HOSTILE_FID)  # as text, not an image
    expect(hostile.locator("td").nth(2)).to_contain_text(HOSTILE_LABEL)
    expect(page).to_have_title("Numbers and their registrations on 2026-11-01")
    expect(rows.nth(1).locator("td").nth(3)).to_have_text(
        f"{FID}sent 2026-10-01, realnext due 2026-12-30"
    )
    expect(rows.nth(2).locator("td").nth(3)).to_have_text(
        "not registeredattempt 3 unknown: settle it"
    )

    # Sort by fcr: the numbers not registered there first, then by due day; again: reversed.
    page.get_by_role("button", name="fcr", exact=True).click()
    expect(numbers).to_have_text(["+16195550100", "+16195550102", "+16195550103", "+16195550101"])
    expect(heads.nth(3)).to_have_attribute("aria-sort", "ascending")
    page.get_by_role("button", name="fcr", exact=True).click()
    expect(numbers).to_have_text(["+16195550101", "+16195550103", "+16195550102", "+16195550100"])
    expect(heads.nth(3)).to_have_attribute("aria-sort", "descending")
    page.get_by_role("button", name="Number", exact=True).click()
    expect(numbers).to_have_text(["+16195550100", "+16195550101", "+16195550102", "+16195550103"])

    # Filter: every word typed must be in the row.
    page.locator("#filter").fill("settle")
    expect(page.locator("#numbers tbody tr:visible td.number")).to_have_text(["+16195550102"])
    expect(page.locator("#shown")).to_have_text("1")
    page.locator("#filter").fill("bolt NOT registered")
    expect(page.locator("#numbers tbody tr:visible td.number")).to_have_text(["+16195550103"])
    page.locator("#filter").fill("")
    expect(page.locator("#numbers tbody tr:visible")).to_have_count(4)

    page.emulate_media(media="print")
    expect(page.locator("#filter")).to_be_hidden()
    expect(page.locator("#numbers")).to_be_visible()

    assert errors == []
    assert requested == [path.as_uri()]  # the page itself, nothing else
    assert routed == [path.as_uri()]

    # Even something put into the page (were a value ever to get through unescaped) can fetch
    # nothing: the page's own policy stops every load before it reaches the network.
    failed: dict[str, str | None] = {}
    page.on("requestfailed", lambda request: failed.update({request.url: request.failure}))
    page.evaluate(
        """() => Promise.all([
            new Promise(done => {
                const img = new Image();
                img.onerror = img.onload = () => done(null);
                img.src = "http://127.0.0.1:9/injected.png";
                document.body.append(img);
            }),
            fetch("http://127.0.0.1:9/injected").catch(() => null),
        ])"""
    )
    assert routed == [path.as_uri()]  # nothing else was ever routed to the network
    assert set(failed.values()) <= {"csp"}
    # No script of a value ran:
    expect(page).to_have_title("Numbers and their registrations on 2026-11-01")
