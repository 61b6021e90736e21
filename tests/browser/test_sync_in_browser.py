"""The phone against the sync contract (GET /api/sync, POST /api/sync/mutations), answered here by Playwright.

Routes stand in for the sync endpoints so these tests pin the PWA to CONTRACT.md whatever the server has;
sign-in and everything else go to the real server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import PHONE, Desk, LiaisonServer, shoot

pytestmark = pytest.mark.browser


class FakeSync:
    """An officer's world as the sync endpoint would send it; records the mutations the phone posts."""

    def __init__(self, me: dict[str, object]) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        self.me = me
        self.mutations: list[dict[str, object]] = []
        self.notices = {
            "n-urgent": {
                "id": "n-urgent",
                "title": "Stade de France: north forecourt closed",
                "body": "Use gate X. Bring your accreditation.",
                "priority": "urgent",
                "requires_ack": True,
                "acknowledged_at": None,
                "lang": "en",
                "created_at": (now - timedelta(minutes=5)).isoformat(),
            },
            "n-info": {
                "id": "n-info",
                "title": "Shuttle timetable",
                "body": "Shuttles leave every 20 minutes from Porte de la Chapelle.",
                "priority": "info",
                "requires_ack": True,
                "acknowledged_at": None,
                "lang": "en",
                "created_at": (now - timedelta(hours=3)).isoformat(),
            },
        }
        self.changed_at = (now - timedelta(hours=1)).isoformat()
        self.pending: list[dict[str, object]] = []

    def everything(self) -> list[dict[str, object]]:
        venue = {
            "id": "v1",
            "name": "Stade de France",
            "address": "93200 Saint-Denis",
            "meeting_point": "Porte X",
            "latitude": 48.924459,
            "longitude": 2.360164,
        }
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
        shift = {
            "id": "s1",
            "venue_id": "v1",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=8)).isoformat(),
            "task": "Crowd liaison at the north forecourt",
            "contact_name": "Commandant Claire Moreau",
            "contact_phone": "+33 1 53 71 00 11",
        }
        assignment = {
            "id": "a1",
            "status": "assigned",
            "shift_id": "s1",
            "officer_id": self.me["id"],
            "checked_in_at": None,
            "checked_out_at": None,
        }
        alert = {
            "level": "heightened",
            "label": "Heightened security – attack risk",
            "instructions": "Carry your accreditation visibly at all times.",
            "changed_at": self.changed_at,
        }
        return [
            {"entity": "me", "id": self.me["id"], "op": "upsert", "data": self.me},
            {"entity": "venue", "id": "v1", "op": "upsert", "data": venue},
            {"entity": "shift", "id": "s1", "op": "upsert", "data": shift},
            {"entity": "assignment", "id": "a1", "op": "upsert", "data": assignment},
            {"entity": "alert_level", "id": "current", "op": "upsert", "data": alert},
            *({"entity": "notice", "id": k, "op": "upsert", "data": v} for k, v in self.notices.items()),
        ]

    def pull(self, route: Route) -> None:
        assert route.request.headers.get("authorization", "").startswith("Bearer ")
        cursor = "cursor" in route.request.url
        changes, self.pending = (self.pending, []) if cursor else (self.everything(), [])
        body = {"cursor": "c-next", "changes": changes, "more": False}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    def push(self, route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        results = []
        for m in body["mutations"]:
            self.mutations.append(m)
            notice_id = m["args"]["notice_id"]
            if notice_id == "n-info":
                results.append({"id": m["id"], "status": "rejected", "error": "This notice was withdrawn."})
                continue
            self.notices[notice_id]["acknowledged_at"] = datetime.now(UTC).isoformat()
            self.pending.append({"entity": "notice", "id": notice_id, "op": "upsert", "data": self.notices[notice_id]})
            results.append({"id": m["id"], "status": "applied"})
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"results": results}))


def wait_until(page: Page, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Polls a condition on the test's side (a request reaching the fake server), bounded in time."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"condition not met within {seconds} s")


def test_alert_level_notices_and_acknowledgements_through_sync(browser: Browser, server: LiaisonServer, desk: Desk):
    officer = desk.officer("US", index=2)
    # No service worker here: Playwright's routes do not see requests a service worker handles.
    context = browser.new_context(base_url=server.url, viewport=PHONE, device_scale_factor=2, service_workers="block")
    try:
        page: Page = context.new_page()
        fake = FakeSync(
            {
                "id": str(officer["id"]),
                "name": officer["name"],
                "role": "officer",
                "country": "US",
                "locale": "en",
                "accreditation_id": officer["accreditation_id"],
                "status": "active",
            }
        )
        page.route("**/api/sync?**", fake.pull)
        page.route("**/api/sync", fake.pull)
        page.route("**/api/sync/mutations", fake.push)

        page.goto(f"/join?code={desk.code_for(officer['id'])}")
        page.get_by_role("button", name="Join", exact=True).click()
        page.wait_for_url("**/welcome")  # a new phone's first screen; then on to the day
        page.locator("a.go").click()
        page.wait_for_url("**/today")

        banner = page.get_by_role("status", name="Alert level")
        expect(banner).to_contain_text("Heightened security – attack risk")
        expect(banner).to_contain_text("Carry your accreditation visibly")
        expect(banner).to_contain_text("(Paris time)")
        expect(page.locator("article.shift h2")).to_have_text("Stade de France")
        expect(page.get_by_role("link", name="Unread notices: 2")).to_be_visible()
        shoot(page, "20-today-with-alert")

        page.get_by_role("navigation").get_by_role("link", name="Notices").click()
        articles = page.locator("article.notice")
        expect(articles).to_have_count(2)
        expect(articles.first).to_contain_text("north forecourt closed")  # newest first
        expect(articles.first.locator(".badge")).to_have_text("Urgent")
        shoot(page, "21-notices")

        articles.first.get_by_role("button", name="Acknowledge").click()
        expect(articles.first).to_contain_text("Acknowledged")
        expect(page.get_by_role("link", name="Notices 1 unread")).to_be_visible()
        # The screen updates at once; the outbox sends the acknowledgement just after.
        wait_until(page, lambda: len(fake.mutations) >= 1)
        assert fake.mutations[0]["name"] == "notice.ack"
        assert fake.mutations[0]["args"] == {"notice_id": "n-urgent"}

        articles.nth(1).get_by_role("button", name="Acknowledge").click()
        expect(page.get_by_role("alert")).to_contain_text("The server refused a change: This notice was withdrawn.")
        # The optimistic acknowledgement is undone: the button is back.
        expect(articles.nth(1).get_by_role("button", name="Acknowledge")).to_be_visible()
        shoot(page, "22-notice-rejected")
        page.get_by_role("button", name="Dismiss").click()
        expect(page.get_by_role("alert")).to_have_count(0)
        wait_until(page, lambda: len(fake.mutations) >= 2)
        assert len({m["id"] for m in fake.mutations}) == len(fake.mutations) == 2
    finally:
        context.close()
