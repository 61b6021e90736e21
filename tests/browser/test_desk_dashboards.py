"""Arrivals for coordinators (expected vs arrived per day and country, who is late) and a delegation lead's
own country on a phone."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, LiaisonServer, shoot

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1280, "height": 860}


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("liaison-demo")
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/staff")


def staff_token(api: httpx.Client, email: str) -> dict[str, str]:
    got = api.post("/api/auth/login", json={"email": email, "password": "liaison-demo"})
    assert got.status_code == 200, got.text
    return {"Authorization": f"Bearer {got.json()['access_token']}"}


def test_coordinator_sees_arrivals_per_day_and_country_and_who_is_late(
    browser: Browser, server: LiaisonServer, api: httpx.Client
):
    expected = api.get("/api/arrivals", headers=staff_token(api, "coordinator@demo.liaison")).json()
    assert expected["late_total"] > 0, "the demo has nobody late"
    ctx = browser.new_context(base_url=server.url, viewport=LAPTOP, locale="fr-FR", timezone_id="Europe/Paris")
    try:
        page = ctx.new_page()
        sign_in(page, "coordinator@demo.liaison")
        page.get_by_role("link", name="Arrivées").click()
        page.wait_for_url("**/arrivals")
        totals = page.get_by_role("region", name="Totaux")
        by_day = f"{expected['totals']['arrived_by_day']} / {expected['totals']['expected_by_day']}"
        expect(totals).to_contain_text(by_day)
        expect(totals).to_contain_text(str(expected["late_total"]))
        # One bar pair per day, each named for people who cannot see the chart.
        bars = page.locator("svg g.day")
        expect(bars).to_have_count(len(expected["by_day"]))
        today = expected["by_day"][-1]
        label = bars.last.get_attribute("aria-label") or ""
        assert f"{today['arrived']} arrivés sur {today['expected']} prévus" in label, label
        countries = page.locator("ul.bars li")
        expect(countries).to_have_count(len(expected["by_country"]))
        late = page.get_by_role("region", name="En retard sur leur arrivée prévue").locator("tbody tr")
        expect(late.first).to_contain_text(expected["late"][0]["name"])
        shoot(page, "arrivals-01-coordinator", full_page=True)

        # Another day from the chart: the dashboard is recomputed for it.
        earlier = expected["by_day"][0]["day"]
        bars.first.click()
        page.wait_for_url(re.compile(rf".*day={earlier}"))
        expect(page.locator("svg g.day.chosen")).to_have_count(1)
        expect(page.locator("input[type=date]")).to_have_value(earlier)
    finally:
        ctx.close()


def test_delegation_lead_sees_only_its_country_on_a_phone(browser: Browser, server: LiaisonServer, api: httpx.Client):
    ctx = browser.new_context(
        base_url=server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="de-DE"
    )
    try:
        page = ctx.new_page()
        sign_in(page, "lead.de@demo.liaison")
        page.get_by_role("link", name=re.compile("Meine Delegation")).click()
        page.wait_for_url("**/delegation")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Deutschland")
        expect(page.locator("ul.bars li")).to_have_count(1)
        expect(page.locator("ul.bars li")).to_contain_text("Deutschland")
        rows = page.locator("table").last.locator("tbody tr")
        expect(rows.first).to_be_visible()
        assert all("P24-DE-" in text for text in rows.locator("td:nth-child(2)").all_inner_texts())
        expect(page.get_by_role("region", name="Noch nicht bestätigt").locator("details").first).to_be_visible()
        shoot(page, "delegation-01-phone")
        shoot(page, "delegation-02-phone-full", full_page=True)
        # Nothing on the page is wider than the phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow}px wider than the phone"
        # The lead's phone holds its contingent's assignments, but its schedule is the lead's own shifts only.
        token = staff_token(api, "lead.de@demo.liaison")
        own = api.get("/api/me/assignments", headers=token).json()
        assert own, "the demo gives every delegation lead shifts of its own"
        page.goto("/schedule")
        entries = page.locator("a.card.entry")
        expect(entries).to_have_count(len({a["shift"]["id"] for a in own}))
        shown = {
            href.rsplit("/", 1)[-1] for href in entries.evaluate_all("els => els.map(e => e.getAttribute('href'))")
        }
        assert shown == {a["shift"]["id"] for a in own}
        shoot(page, "delegation-03-own-schedule")
    finally:
        ctx.close()
