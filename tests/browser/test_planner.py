"""The coordinators' planner in a browser: the week per venue, assigning by search with each candidate's
conflict shown before saving, and importing a roster with bad lines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import LiaisonServer, shoot

pytestmark = pytest.mark.browser
PARIS = ZoneInfo("Europe/Paris")
LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}


class Coordinator:
    """The demo coordinator through the API: to find a shift and officers that fit the story, and to check
    afterwards what was (and was not) saved."""

    def __init__(self, api: httpx.Client) -> None:
        self.api = api
        login = api.post("/api/auth/login", json={"email": "coordinator@demo.liaison", "password": "liaison-demo"})
        assert login.status_code == 200, login.text
        self.headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    def get(self, path: str, **params: object) -> dict:  # type: ignore[type-arg]
        response = self.api.get(path, params=params, headers=self.headers)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
        return dict(response.json())

    def set_locale(self, locale: str) -> None:
        assert self.api.patch("/api/me", json={"locale": locale}, headers=self.headers).status_code == 200

    def check(self, shift_id: str, officer_ids: list[str]) -> list[dict]:  # type: ignore[type-arg]
        response = self.api.post(
            f"/api/shifts/{shift_id}/assignments/check", json={"officer_ids": officer_ids}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return list(response.json()["results"])

    def assigned(self, shift_id: str) -> set[str]:
        return {a["officer_id"] for a in self.get(f"/api/shifts/{shift_id}/assignments", limit=1000)["items"]}


@pytest.fixture(scope="module")
def coordinator(api: httpx.Client) -> Coordinator:
    return Coordinator(api)


def paris_monday(moment: datetime) -> datetime:
    day = moment.astimezone(PARIS).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=PARIS)


def open_context(browser: Browser, server: LiaisonServer, viewport: dict[str, int]) -> BrowserContext:
    context = browser.new_context(
        base_url=server.url,
        viewport=viewport,  # type: ignore[arg-type]
        locale="en-GB",
        timezone_id="America/New_York",  # a laptop on home time: the planner still shows Paris time
        service_workers="block",
    )
    context.set_default_timeout(20_000)
    return context


@pytest.fixture
def laptop(browser: Browser, server: LiaisonServer) -> Iterator[Page]:
    context = open_context(browser, server, LAPTOP)
    yield context.new_page()
    context.close()


def sign_in(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill("coordinator@demo.liaison")
    page.get_by_label("Password").fill("liaison-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff")


def story(coordinator: Coordinator) -> tuple[dict, str, str, str]:  # type: ignore[type-arg]
    """A shift with room this week or next, an officer free for it, and one who works an overlapping shift."""
    now = datetime.now(UTC)
    venues = coordinator.get("/api/venues", limit=500)["items"]
    for venue in venues:
        shifts = coordinator.get(
            "/api/shifts", venue=venue["id"], limit=200, **{"from": (now + timedelta(hours=2)).isoformat()}
        )["items"]
        for shift in shifts:
            if shift["assigned"] >= shift["headcount"]:
                continue
            busy = coordinator.get(
                "/api/assignments", limit=200, **{"from": shift["starts_at"], "to": shift["ends_at"]}
            )["items"]
            others = [a["officer_id"] for a in busy if a["shift_id"] != shift["id"]]
            candidates = [o["id"] for o in coordinator.get("/api/officers", country="PL", limit=60)["items"]]
            checks = coordinator.check(shift["id"], list(dict.fromkeys(others[:40] + candidates)))
            free = [c["officer_id"] for c in checks if c["ok"] and c["officer_id"] in candidates]
            clash = [c["officer_id"] for c in checks if c.get("reason") == "overlap"]
            if free and clash:
                # Room for two more (the demo's gaps are one officer): one to assign, one refused for overlap.
                raised = coordinator.api.patch(
                    f"/api/shifts/{shift['id']}",
                    json={"headcount": shift["assigned"] + 2},
                    headers=coordinator.headers,
                )
                assert raised.status_code == 200, raised.text
                return raised.json(), venue["id"], free[0], clash[0]
    pytest.fail("the demo data has no shift with room, a free officer and a busy one")


def test_coordinator_assigns_an_officer_and_sees_the_conflict_before_saving(
    laptop: Page, coordinator: Coordinator, browser: Browser, server: LiaisonServer
):
    coordinator.set_locale("en")
    shift, venue_id, free_id, busy_id = story(coordinator)
    free = coordinator.get(f"/api/officers/{free_id}")
    busy = coordinator.get(f"/api/officers/{busy_id}")
    page = laptop
    sign_in(page)
    page.goto(f"/console/planning?venue={venue_id}")
    expect(page.get_by_role("heading", name="Planning", level=1)).to_be_visible()
    expect(page.get_by_text("Paris time").first).to_be_visible()
    expect(page.get_by_role("list", name="Legend")).to_contain_text("Officers missing")
    weeks_ahead = (paris_monday(datetime.fromisoformat(shift["starts_at"])) - paris_monday(datetime.now(UTC))).days // 7
    for _ in range(weeks_ahead):
        page.get_by_role("button", name="Next week").click()
    card = page.locator(f'button[data-shift="{shift["id"]}"]')
    starts = datetime.fromisoformat(shift["starts_at"]).astimezone(PARIS).strftime("%H:%M")
    expect(card).to_contain_text(starts)  # Paris hours, though the laptop runs on New York time
    expect(card).to_contain_text(f"{shift['assigned']}/{shift['headcount']} officers")
    shoot(page, "planner-01-week-laptop")

    card.click()
    panel = page.get_by_role("dialog")
    expect(panel.get_by_role("heading", level=2)).to_have_text(shift["task"])
    expect(panel.get_by_test_id("headcount")).to_have_text(f"{shift['assigned']} of {shift['headcount']} assigned")

    # A free officer: no conflict, assigned, listed.
    panel.get_by_label("Name or accreditation").fill(free["accreditation_id"])
    panel.get_by_role("button", name="Search").click()
    row = panel.locator(f'li[data-officer="{free_id}"]')
    expect(row).to_contain_text("No conflict")
    row.get_by_role("button", name="Assign").click()
    expect(panel.get_by_role("status")).to_contain_text(f"{free['name']} is assigned")
    expect(panel.locator("ul.assigned")).to_contain_text(free["name"])
    assert free_id in coordinator.assigned(shift["id"])

    # One who already works then: the conflict is shown before saving, and nothing can be saved.
    panel.get_by_label("Name or accreditation").fill(busy["accreditation_id"])
    panel.get_by_role("button", name="Search").click()
    row = panel.locator(f'li[data-officer="{busy_id}"]')
    expect(row.locator(".conflict")).to_contain_text("Overlapping shift")
    expect(row.locator(".conflict")).to_contain_text(f"{busy['name']} already works at that time")
    expect(row.get_by_role("button", name="Assign")).to_be_disabled()
    shoot(page, "planner-02-conflict-laptop")
    assert busy_id not in coordinator.assigned(shift["id"])

    # Tablet: the same week, one day per row.
    tablet = open_context(browser, server, TABLET)
    try:
        other = tablet.new_page()
        sign_in(other)
        other.goto(f"/console/planning?venue={venue_id}")
        for _ in range(weeks_ahead):
            other.get_by_role("button", name="Next week").click()
        expect(other.locator(f'button[data-shift="{shift["id"]}"]')).to_be_visible()
        width = other.evaluate("document.documentElement.scrollWidth")
        assert width <= TABLET["width"], f"the week overflows the tablet: {width}px"
        shoot(other, "planner-03-week-tablet")
        other.locator(f'button[data-shift="{shift["id"]}"]').click()
        expect(other.get_by_role("dialog").get_by_role("heading", name="Assign an officer")).to_be_visible()
        shoot(other, "planner-03b-panel-tablet")
    finally:
        tablet.close()


def test_a_refusal_at_saving_time_is_shown_with_its_reason(laptop: Page, coordinator: Coordinator):
    """The dry run said yes, then another coordinator filled the shift: the 409's reason is shown."""
    coordinator.set_locale("en")
    shift, venue_id, free_id, _ = story(coordinator)
    free = coordinator.get(f"/api/officers/{free_id}")
    page = laptop
    sign_in(page)
    page.goto(f"/console/planning?venue={venue_id}")
    weeks_ahead = (paris_monday(datetime.fromisoformat(shift["starts_at"])) - paris_monday(datetime.now(UTC))).days // 7
    for _ in range(weeks_ahead):
        page.get_by_role("button", name="Next week").click()
    page.locator(f'button[data-shift="{shift["id"]}"]').click()
    panel = page.get_by_role("dialog")
    panel.get_by_label("Name or accreditation").fill(free["accreditation_id"])
    panel.get_by_role("button", name="Search").click()
    row = panel.locator(f'li[data-officer="{free_id}"]')
    expect(row).to_contain_text("No conflict")
    room = shift["headcount"] - len(coordinator.assigned(shift["id"]))
    fillers = [o["id"] for o in coordinator.get("/api/officers", country="IT", limit=80)["items"] if o["id"] != free_id]
    fits = [c["officer_id"] for c in coordinator.check(shift["id"], fillers) if c["ok"]][:room]
    assert len(fits) == room
    filled = coordinator.api.post(
        f"/api/shifts/{shift['id']}/assignments/bulk", json={"officer_ids": fits}, headers=coordinator.headers
    )
    assert filled.json()["assigned"] == room
    row.get_by_role("button", name="Assign").click()
    expect(row.locator(".conflict")).to_contain_text("Shift full: This shift is full")
    assert free_id not in coordinator.assigned(shift["id"])


def test_roster_import_keeps_good_lines_and_lists_bad_ones_by_line(laptop: Page, coordinator: Coordinator, tmp_path):
    coordinator.set_locale("en")
    roster = tmp_path / "roster-pl.csv"
    roster.write_text(
        "accreditation_id,first_name,last_name,country,email,locale,rank,arrival,departure\n"
        "PL-90001,Katarzyna,Wiśniewska,PL,,pl,Komisarz,2026-07-20,2026-08-12\n"
        "PL-90002,Tomasz,Nowicki,Narnia,,pl,,,\n"
        "PL-90003,Piotr,Zieliński,PL,,pl,,31/02/2026,\n"
        "PL-90004,Agnieszka,Kowalczyk,PL,,pl,Aspirant,2026-07-21,2026-08-10\n",
        encoding="utf-8",
    )
    page = laptop
    sign_in(page)
    page.goto("/console/officers")
    expect(page.get_by_role("heading", name="Officers", level=1)).to_be_visible()
    page.get_by_label("Roster file").set_input_files(str(roster))
    page.get_by_role("button", name="Upload and import").click()
    report = page.get_by_test_id("import-report")
    expect(report.get_by_role("status")).to_contain_text("2 created")
    expect(report.get_by_role("status")).to_contain_text("2 lines refused")
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("3")
    expect(rows.nth(0)).to_contain_text("country")
    expect(rows.nth(0)).to_contain_text("unknown country 'Narnia'")
    expect(rows.nth(1)).to_contain_text("arrival")
    expect(rows.nth(1)).to_contain_text("'31/02/2026' is not a date")
    expect(report.get_by_role("link", name="Download the error report (CSV)")).to_have_attribute(
        "download", "roster-errors.csv"
    )
    shoot(page, "planner-04-import-report-laptop", full_page=True)
    assert coordinator.get("/api/officers", q="PL-9000")["total"] == 2

    # The imported officers are found by the search below.
    page.get_by_label("Name, e-mail or accreditation").fill("PL-9000")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table").last.locator("tbody tr")).to_have_count(2)
    expect(page.locator("table").last).to_contain_text("Wiśniewska")


def test_coordinator_creates_a_shift_and_moves_an_officer_to_it(laptop: Page, coordinator: Coordinator):
    coordinator.set_locale("en")
    now = datetime.now(UTC)
    venue = coordinator.get("/api/venues", limit=500)["items"][-1]
    source = next(
        s
        for s in coordinator.get("/api/shifts", venue=venue["id"], limit=50, **{"from": now.isoformat()})["items"]
        if s["assigned"] and datetime.fromisoformat(s["starts_at"]) > now + timedelta(hours=3)
    )
    starts = datetime.fromisoformat(source["starts_at"]).astimezone(PARIS)
    ends = datetime.fromisoformat(source["ends_at"]).astimezone(PARIS)
    page = laptop
    sign_in(page)
    page.goto(f"/console/planning?venue={venue['id']}")
    weeks_ahead = (paris_monday(starts) - paris_monday(now)).days // 7
    for _ in range(weeks_ahead):
        page.get_by_role("button", name="Next week").click()

    page.get_by_role("button", name="New shift").click()
    form = page.get_by_role("dialog")
    form.get_by_label("Task").fill("Fan zone liaison")
    form.get_by_label("Starts (Paris time)").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Ends (Paris time)").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Officers needed").fill("1")
    form.get_by_label("French contact").fill("Capitaine Léa Bernard")
    shoot(page, "planner-07-new-shift-laptop")
    form.get_by_role("button", name="Create shift").click()
    # Created: the panel now shows the new shift, and the week has its card.
    expect(form.get_by_role("heading", level=2)).to_have_text("Fan zone liaison")
    expect(form.get_by_test_id("headcount")).to_have_text("0 of 1 assigned")
    created = next(
        s
        for s in coordinator.get("/api/shifts", venue=venue["id"], limit=200, **{"from": now.isoformat()})["items"]
        if s["task"] == "Fan zone liaison"
    )
    assert created["starts_at"] == source["starts_at"] and created["contact_name"] == "Capitaine Léa Bernard"
    form.get_by_role("button", name="Close").click()
    expect(page.locator(f'button[data-shift="{created["id"]}"]')).to_contain_text("0/1 officers")

    moved = coordinator.get(f"/api/shifts/{source['id']}/assignments", limit=1)["items"][0]
    page.locator(f'button[data-shift="{source["id"]}"]').click()
    panel = page.get_by_role("dialog")
    row = panel.locator(f'li[data-assignment="{moved["id"]}"]')
    row.get_by_role("button", name="Move", exact=True).click()
    row.get_by_label("Move to").select_option(value=created["id"])
    row.locator(".move").get_by_role("button", name="Move", exact=True).click()
    expect(row).to_have_count(0)
    assert coordinator.assigned(created["id"]) == {moved["officer_id"]}
    audit = coordinator.get("/api/audit", action="assignment.move", target_id=moved["id"])["items"]
    assert audit and audit[0]["details"]["after"]["shift_id"] == created["id"]
    assert audit[0]["actor_name"] == "Isabelle Durand"


def test_the_planner_reads_in_french_and_arabic(
    laptop: Page, coordinator: Coordinator, browser: Browser, server: LiaisonServer
):
    coordinator.set_locale("fr")
    try:
        page = laptop
        sign_in(page)
        page.goto("/console/planning")
        expect(page.get_by_role("heading", name="Planification", level=1)).to_be_visible()
        expect(page.get_by_role("button", name="Semaine suivante")).to_be_visible()
        page.locator("button.shift").first.wait_for()
        shoot(page, "planner-05-week-french")
        page.goto("/console/officers")
        expect(page.get_by_role("heading", name="Importer une liste nominative")).to_be_visible()
        shoot(page, "planner-06-officers-french")
        coordinator.set_locale("ar")
        arabic = open_context(browser, server, LAPTOP)
        page = arabic.new_page()
        sign_in(page)
        page.goto("/console/planning")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.get_by_role("heading", name="التخطيط", level=1)).to_be_visible()
        page.locator("button.shift").first.wait_for()
        shoot(page, "planner-08-week-arabic")
        arabic.close()
    finally:
        coordinator.set_locale("en")


def test_the_desk_searches_officers_but_neither_imports_nor_plans(laptop: Page, api: httpx.Client, desk_token: str):
    headers = {"Authorization": f"Bearer {desk_token}"}
    before = api.get("/api/me", headers=headers).json()["locale"]
    assert api.patch("/api/me", json={"locale": "en"}, headers=headers).status_code == 200
    try:
        page = laptop
        page.goto("/login")
        page.get_by_label("E-mail").fill("desk@demo.liaison")
        page.get_by_label("Password").fill("liaison-demo")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/staff")
        page.goto("/console/officers")
        expect(page.get_by_role("heading", name="Find officers")).to_be_visible()
        expect(page.locator("table tbody tr").first).to_be_visible()
        expect(page.get_by_role("heading", name="Import a roster")).to_have_count(0)
        expect(page.get_by_role("link", name="Alert level")).to_have_count(0)
        page.goto("/console/planning")
        page.wait_for_url("**/staff")
        expect(page.get_by_role("button", name="New shift")).to_have_count(0)
    finally:
        api.patch("/api/me", json={"locale": before}, headers=headers)
