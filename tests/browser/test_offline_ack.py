"""An officer acknowledges a notice with no network, against the real server: nothing lost, nothing doubled.

The notice comes from the coordinator through the API; the phone syncs it from the real /api/sync, keeps the
acknowledgement in its outbox while offline (across a reload), and the coordinator's count moves by exactly
one once the network is back, also when the phone sends the same acknowledgement again.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.browser.conftest import Desk, shoot
from tests.browser.test_officer_pwa import join, tab, wait_for_service_worker

pytestmark = pytest.mark.browser


def coordinator_headers(api: httpx.Client) -> dict[str, str]:
    login = api.post("/api/auth/login", json={"email": "coordinator@demo.liaison", "password": "liaison-demo"})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def acknowledged(api: httpx.Client, headers: dict[str, str], notice_id: str) -> int:
    counts = api.get(f"/api/notices/{notice_id}/acknowledgements", headers=headers)
    assert counts.status_code == 200, counts.text
    assert counts.json()["audience"] == 1
    return int(counts.json()["acknowledged"])


def eventually(page: Page, condition: Callable[[], bool], seconds: float = 15.0) -> None:
    # Waits through the page, not time.sleep: Playwright runs route handlers only while it has control.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"not reached within {seconds} s")


def test_ack_made_offline_survives_a_reload_and_counts_once(
    context: BrowserContext, page: Page, desk: Desk, api: httpx.Client
):
    officer = desk.officer("US", index=5)  # an English-speaking officer: the screen reads in English
    coordinator = coordinator_headers(api)
    title = "Olympic Village: gate C closed tonight"
    sent = api.post(
        "/api/notices",
        headers=coordinator,
        json={
            "audience": {"officers": [officer["id"]]},
            "priority": "important",
            "requires_ack": True,
            "content": {
                "en": {"title": title, "body": "Use gate D on rue Ampère. Show your accreditation."},
                "fr": {"title": "Village olympique : porte C fermée ce soir", "body": "Passez par la porte D."},
            },
        },
    )
    assert sent.status_code == 201, sent.text
    notice_id = str(sent.json()["id"])
    assert acknowledged(api, coordinator, notice_id) == 0

    join(page, desk.code_for(officer["id"]))
    wait_for_service_worker(page)
    tab(page, "Notices").click()
    notice = page.locator("article.notice").filter(has_text=title)
    expect(notice.get_by_role("button", name="Acknowledge")).to_be_visible()

    context.set_offline(True)
    notice.get_by_role("button", name="Acknowledge").click()
    expect(notice).to_contain_text("Acknowledged — will be sent when online")
    page.wait_for_timeout(1_000)
    assert acknowledged(api, coordinator, notice_id) == 0  # really queued on the phone, not sent

    page.reload()  # the app shell from the service worker's cache, the data from IndexedDB
    notice = page.locator("article.notice").filter(has_text=title)
    expect(notice).to_contain_text("Acknowledged — will be sent when online")
    expect(notice.get_by_role("button", name="Acknowledge")).to_have_count(0)
    shoot(page, "30-ack-offline-after-reload")
    assert acknowledged(api, coordinator, notice_id) == 0

    # Back online, the first delivery reaches the server but its answer is lost on the way back: the phone
    # cannot know it arrived, keeps it and sends the same acknowledgement again later.
    answers_lost: list[str] = []

    def lose_answer(route: Route) -> None:
        if answers_lost:
            route.continue_()
            return
        delivered = route.fetch()
        answers_lost.append(delivered.text())
        route.abort("connectionreset")

    context.route(re.compile(r".*/api/sync/mutations$"), lose_answer)
    context.set_offline(False)
    eventually(page, lambda: bool(answers_lost))
    assert '"status":"applied"' in answers_lost[0].replace(" ", "")
    assert acknowledged(api, coordinator, notice_id) == 1
    context.unroute(re.compile(r".*/api/sync/mutations$"))

    with page.expect_response(re.compile(r".*/api/sync/mutations$")) as replay:
        page.reload()  # opening the app replays the outbox
    assert [r["status"] for r in replay.value.json()["results"]] == ["duplicate"]
    notice = page.locator("article.notice").filter(has_text=title)
    expect(notice).to_contain_text(re.compile(r"✓\s*Acknowledged$"))
    shoot(page, "31-ack-synced")
    page.reload()
    expect(page.locator("article.notice").filter(has_text=title)).to_contain_text(re.compile(r"✓\s*Acknowledged$"))
    assert acknowledged(api, coordinator, notice_id) == 1

    mine = api.get("/api/notices", headers={"Authorization": f"Bearer {desk.phone_token(officer['id'])}"})
    (served,) = [n for n in mine.json()["items"] if n["id"] == notice_id]
    assert served["acknowledged_at"] is not None
