"""An officer's phone: join at the desk, read the day, switch language, lose the network, install the app."""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Desk, LiaisonServer, shoot

pytestmark = pytest.mark.browser
PARIS = ZoneInfo("Europe/Paris")
PHONE_WIDTH = PHONE["width"]


def join(page: Page, code: str) -> None:
    page.goto(f"/join?code={code}")
    expect(page.get_by_label("Enrollment code")).to_have_value(code)
    page.get_by_role("button", name="Join", exact=True).click()
    # A new phone first shows the welcome briefing, then the officer goes on to the day.
    page.wait_for_url("**/welcome")
    expect(page.locator("article.briefing").first).to_be_visible()
    page.locator("a.go").click()
    page.wait_for_url("**/today")


def tab(page: Page, name: str):  # type: ignore[no-untyped-def]
    # A tab's name may carry its unread badge ("Notices 2 unread").
    return page.get_by_role("navigation").get_by_role("link", name=re.compile(rf"^{re.escape(name)}(\s|$)"))


def next_assignment(api: httpx.Client, token: str) -> dict[str, object]:
    mine = api.get(
        "/api/me/assignments",
        params={"from": datetime.now(UTC).isoformat()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert mine.status_code == 200, mine.text
    assert mine.json(), "the demo officer has no upcoming shift"
    return dict(mine.json()[0])


def wait_for_service_worker(page: Page) -> None:
    # Activated and controlling this page: from now on the shell comes from its cache.
    page.wait_for_function(
        "async () => { const r = await navigator.serviceWorker.ready;"
        " return r.active?.state === 'activated' && !!navigator.serviceWorker.controller; }",
        timeout=20_000,
    )


def test_officer_joins_with_a_code_and_sees_the_next_shift_in_paris_time(page: Page, desk: Desk, api: httpx.Client):
    officer = desk.officer("US")
    expected = next_assignment(api, desk.phone_token(officer["id"]))
    shift = expected["shift"]
    assert isinstance(shift, dict)

    page.goto(f"/join?code={desk.code_for(officer['id'])}")
    expect(page.get_by_role("heading", name="Join with your code")).to_be_visible()
    shoot(page, "01-join")
    join(page, page.get_by_label("Enrollment code").input_value())

    card = page.locator("article.shift")
    expect(card.get_by_role("heading", level=2)).to_have_text(str(shift["venue"]["name"]))
    starts = datetime.fromisoformat(str(shift["starts_at"])).astimezone(PARIS).strftime("%H:%M")
    ends = datetime.fromisoformat(str(shift["ends_at"])).astimezone(PARIS).strftime("%H:%M")
    # The browser runs on New York time: only a Paris rendering gives these hours.
    expect(card.locator(".time")).to_have_text(f"{starts}–{ends}")
    expect(card).to_contain_text("Paris time")
    expect(card).to_contain_text(str(shift["task"]))
    expect(card).to_contain_text(str(shift["venue"]["meeting_point"]))
    expect(card.locator('a[href^="tel:"]').first).to_contain_text(str(shift["contact_phone"]))
    expect(card.get_by_role("link", name="Open map")).to_have_attribute("href", str(shift["venue"]["map_url"]))
    expect(page.get_by_test_id("sync-status")).to_contain_text("Last synced")
    shoot(page, "02-today")

    # The invitation to turn notifications on, until dismissed (and not again after a restart).
    prompt = page.get_by_role("region", name="Notifications")
    expect(prompt.get_by_role("button", name="Turn on notifications")).to_be_visible()
    prompt.get_by_role("button", name="Dismiss").click()
    expect(prompt).to_have_count(0)
    page.reload()
    expect(page.locator("article.shift")).to_be_visible()
    expect(page.get_by_role("region", name="Notifications")).to_have_count(0)

    tab(page, "Notices").click()
    expect(page.get_by_role("heading", name="Notices", level=1)).to_be_visible()
    shoot(page, "03-notices")


def test_a_used_code_is_refused_with_a_clear_message(page: Page, desk: Desk):
    officer = desk.officer("PL")
    code = desk.code_for(officer["id"])
    desk.api.post("/api/auth/enroll", json={"code": code})
    page.goto(f"/join?code={code}")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("already used or expired")
    assert "/join" in page.url
    shoot(page, "04-join-refused")


def test_german_officer_gets_the_app_in_german_from_the_account(page: Page, desk: Desk):
    join(page, desk.code_for(desk.officer("DE")["id"]))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    # "Next shift", or "Shift under way" when the demo's first German officer is on duty right now.
    expect(page.locator("article.shift")).to_contain_text(re.compile("Nächster Dienst|Laufender Dienst"))
    expect(page.locator("article.shift")).to_contain_text("Pariser Zeit")
    expect(tab(page, "Dienstplan")).to_be_visible()
    # A long German label ("Französischer Ansprechpartner") must not squeeze the values into a sliver.
    card = page.locator("article.shift").bounding_box()
    for value in page.locator("dl.facts dd").all():
        box = value.bounding_box()
        assert card and box and box["width"] >= card["width"] * 0.4
    shoot(page, "12-today-german")


def test_officer_switches_to_arabic_and_the_app_reads_right_to_left(page: Page, desk: Desk, api: httpx.Client):
    officer = desk.officer("GB")
    join(page, desk.code_for(officer["id"]))
    tab(page, "Me").click()
    expect(page.get_by_role("heading", name=str(officer["name"]))).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text(str(officer["accreditation_id"]))
    shoot(page, "05-me")

    page.get_by_label("Language").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("navigation").get_by_role("link", name="اليوم")).to_be_visible()
    expect(page.get_by_role("button", name="تسجيل الخروج")).to_be_visible()
    shoot(page, "06-me-arabic")

    # The account follows, so notifications come in Arabic too.
    def account_locale() -> str:
        return str(api.get(f"/api/officers/{officer['id']}", headers=desk.headers).json()["locale"])

    page.wait_for_function("async () => true")  # let the outbox replay
    for _ in range(50):
        if account_locale() == "ar":
            break
        page.wait_for_timeout(100)
    assert account_locale() == "ar"

    page.get_by_role("navigation").get_by_role("link", name="اليوم").click()
    expect(page.locator("article.shift")).to_contain_text("بتوقيت باريس")
    # Mirrored layout: the card's accent sits on the right, the nav's first item ("Today") on the right.
    nav_first = page.get_by_role("navigation").get_by_role("listitem").first.bounding_box()
    nav_last = page.get_by_role("navigation").get_by_role("listitem").last.bounding_box()
    assert nav_first and nav_last and nav_first["x"] > nav_last["x"]
    shoot(page, "07-today-arabic")

    page.reload()  # the choice survives a restart
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_schedule_is_still_there_offline_after_a_reload(page: Page, desk: Desk, server: LiaisonServer):
    officer = desk.officer("GB", index=1)
    join(page, desk.code_for(officer["id"]))
    wait_for_service_worker(page)
    tab(page, "Schedule").click()
    entries = page.locator("a.entry")
    expect(entries.first).to_be_visible()
    count = entries.count()
    assert count >= 8
    venue = entries.first.locator(".venue").inner_text()
    shoot(page, "08-schedule", full_page=True)

    entries.first.click()
    expect(page.locator("article.shift")).to_contain_text(venue)
    with page.expect_download() as download:
        page.get_by_role("button", name="Add to calendar").click()
    ics = download.value.path().read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in ics and "DTSTART:" in ics and venue.split()[0] in ics
    shoot(page, "09-shift-detail")
    page.go_back()

    server.stop()
    try:
        page.reload()
        expect(page.locator("a.entry")).to_have_count(count)
        expect(page.locator("a.entry").first.locator(".venue")).to_have_text(venue)
        page.get_by_role("button", name="Sync now").click()
        expect(page.get_by_test_id("sync-status")).to_contain_text("Offline")
        shoot(page, "10-schedule-offline")
        page.goto("/today")  # a deep link opens from the cache too
        expect(page.locator("article.shift")).to_be_visible()
    finally:
        server.start()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_manifest_and_service_worker_make_the_app_installable(page: Page, api: httpx.Client):
    manifest = api.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    body = manifest.json()
    assert body["name"] and body["short_name"] == "Liaison"
    assert body["display"] == "standalone"
    assert body["start_url"] == "/" and body["scope"] == "/"
    assert body["theme_color"].startswith("#")
    sizes = {}
    for icon in body["icons"]:
        fetched = api.get(icon["src"])
        assert fetched.status_code == 200, icon["src"]
        w, h = png_size(fetched.content)
        assert f"{w}x{h}" == icon["sizes"], icon
        sizes.setdefault(icon.get("purpose", "any"), set()).add(w)
    assert {192, 512} <= sizes["any"] and 512 in sizes["maskable"]

    page.goto("/join")
    apple = page.locator('link[rel="apple-touch-icon"]').get_attribute("href")
    assert apple and png_size(api.get(apple).content) == (180, 180)
    assert page.locator('meta[name="theme-color"]').get_attribute("content") == body["theme_color"]
    assert page.locator('link[rel="manifest"]').get_attribute("href") == "/manifest.webmanifest"
    wait_for_service_worker(page)
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{api.base_url}/".replace("//", "//", 1).rstrip("/") + "/"
    cached = page.evaluate(
        "async () => { const keys = await caches.keys(); const c = await caches.open(keys[0]);"
        " return (await c.keys()).map(r => new URL(r.url).pathname); }"
    )
    assert "/" in cached and "/manifest.webmanifest" in cached
    assert any(p.startswith("/_app/immutable/") for p in cached)


def test_staff_sign_in_lands_on_the_role_home(page: Page):
    page.goto("/login")
    page.get_by_label("E-mail").fill("coordinator@demo.liaison")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong e-mail or password")
    page.get_by_label("Password").fill("liaison-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff")
    # The demo coordinator's account is in French, and the interface follows it.
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    for console in ("Planification", "Officiers", "Diffusions", "Niveau d'alerte", "Guichet d'enregistrement"):
        expect(page.get_by_role("link", name=console)).to_be_visible()
    # Staff have no officer tabs: home and profile only.
    expect(page.get_by_role("navigation").get_by_role("link")).to_have_count(2)
    shoot(page, "11-staff-home")
    tab(page, "Mon profil").click()
    expect(page.locator("dl.facts")).to_contain_text("Coordinateur")
    shoot(page, "13-staff-me")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/join")


def test_today_is_usable_at_200_percent_text_and_keyboard_first(page: Page, desk: Desk):
    join(page, desk.code_for(desk.officer("US", index=1)["id"]))
    expect(page.locator("article.shift")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"

    page.evaluate("document.documentElement.style.fontSize = '200%'")
    # Nothing wider than the 360 px screen: text wraps, nothing needs sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    for button in page.locator("article.shift .button, article.shift button").all():
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44
    # The tabs reflow instead of running into each other: labels side by side keep a visible gap.
    labels = page.evaluate(
        "[...document.querySelectorAll('nav a > span:not(.icon):not(.badge)')]"
        ".map(e => { const r = e.getBoundingClientRect();"
        " return [r.left, r.right, r.top, r.bottom]; })"
    )
    for i, (left, right, top, bottom) in enumerate(labels):
        for left2, right2, top2, bottom2 in labels[i + 1 :]:
            same_row = top < bottom2 and top2 < bottom
            assert not same_row or left2 - right >= 4 or left - right2 >= 4, labels
    shoot(page, "14-today-200-percent-text")
