"""What the service worker does with a push: a notification with the server's text, one per alert level;
a tap opens the screen the push names."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect

from liaison.alerts import service as alerts
from liaison.alerts.sync import PUSH_TITLE
from liaison.i18n.catalogs import gettext
from liaison.push.messages import PushText
from liaison.push.models import PushJob
from liaison.push.payload import build
from tests.browser.conftest import PHONE, Desk, LiaisonServer, shoot

pytestmark = pytest.mark.browser


def test_pushed_messages_become_notifications(browser: Browser, server: LiaisonServer):
    context = browser.new_context(base_url=server.url, viewport=PHONE, service_workers="allow")
    try:
        context.grant_permissions(["notifications"], origin=server.url)
        page = context.new_page()
        page.goto("/join")
        expect(page.get_by_role("heading", name="Join with your code")).to_be_visible()
        page.wait_for_function("async () => (await navigator.serviceWorker.ready).active?.state === 'activated'")

        cdp = context.new_cdp_session(page)
        registrations: list[str] = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(r["registrationId"] for r in event["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        page.wait_for_timeout(300)
        assert registrations, "no service worker registration reported"

        def deliver(payload: dict[str, str]) -> None:
            cdp.send(
                "ServiceWorker.deliverPushMessage",
                {"origin": server.url, "registrationId": registrations[-1], "data": json.dumps(payload)},
            )

        deliver(
            {
                "type": "alert_level",
                "title": "Niveau d'alerte : Urgence attentat",
                "body": "Rejoignez votre point de rendez-vous.",
                "url": "/today",
                "id": "current",
                "sent_at": "2026-07-26T08:00:00+00:00",
            }
        )
        deliver(
            {
                "type": "alert_level",
                "title": "Niveau d'alerte : Sécurité renforcée – risque attentat",
                "body": "Portez votre accréditation de façon visible.",
                "url": "/today",
                "id": "current",
                "sent_at": "2026-07-26T09:00:00+00:00",
            }
        )
        deliver({"type": "notice", "title": "Gate B closed", "body": "Use gate C.", "url": "/notices", "id": "n1"})

        shown: list[dict[str, str]] = []
        for _ in range(50):  # the worker shows them asynchronously
            shown = page.evaluate(
                """async () => (await (await navigator.serviceWorker.ready).getNotifications())
                    .map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data?.url}))"""
            )
            if len(shown) >= 2 and any(n["title"].endswith("risque attentat") for n in shown):
                break
            page.wait_for_timeout(100)
        by_tag = {n["tag"]: n for n in shown}
        # One alert-level notification: the newer level replaced the older one.
        assert by_tag["alert-level"]["title"] == "Niveau d'alerte : Sécurité renforcée – risque attentat"
        assert by_tag["alert-level"]["url"] == "/today"
        notice = {"title": "Gate B closed", "body": "Use gate C.", "tag": "notice:n1", "url": "/notices"}
        assert by_tag["notice:n1"] == notice
        assert len(shown) == 2
        shoot(page, "30-join-after-push")
    finally:
        context.close()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _server_payload(job_id: int, kind: str, ref_id: str, text: PushText, **job: str) -> str:
    """The JSON the push worker encrypts for a phone, made by the server's own code."""
    made = PushJob(id=job_id, kind=kind, ref_id=ref_id, created_at=datetime.now(UTC), **job)
    return build(made, text).decode()


def _registration(page: Page, cdp: CDPSession) -> str:
    found: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: found.extend(r["registrationId"] for r in event["registrations"] if not r["isDeleted"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(30):
        if found:
            return found[-1]
        page.wait_for_timeout(100)
    raise AssertionError("no service worker registration reported")


def _shown(page: Page, tag: str) -> dict[str, str] | None:
    for _ in range(50):  # the service worker shows it asynchronously
        shown = page.evaluate(
            """async (tag) => (await (await navigator.serviceWorker.ready).getNotifications({tag}))
                .map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data?.url, dir: n.dir}))""",
            tag,
        )
        if shown:
            return dict(shown[0])
        page.wait_for_timeout(100)
    return None


def _tap(context: BrowserContext, tag: str) -> None:
    """What the phone does when the officer taps the notification: a `notificationclick` in the worker."""
    [worker] = context.service_workers
    worker.evaluate(
        """async (tag) => {
            const [notification] = await self.registration.getNotifications({tag});
            self.dispatchEvent(new NotificationEvent('notificationclick', {notification}));
        }""",
        tag,
    )


def _signed_in_phone(page: Page, desk: Desk, country: str) -> None:
    """An officer's phone joined at the desk, with the app's service worker in control."""
    code = desk.code_for(desk.officer(country)["id"])
    page.goto(f"/join?code={code}")
    expect(page.locator("input").first).to_have_value(code)
    page.locator("form").first.evaluate("form => form.requestSubmit()")
    # A new phone lands on the welcome briefing first, then goes on to the day.
    page.wait_for_url("**/welcome")
    page.locator("a.go").click()
    page.wait_for_url("**/today")
    page.wait_for_function("async () => (await navigator.serviceWorker.ready).active?.state === 'activated'")
    page.reload()  # now controlled by the worker, as an installed app is
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


@pytest.mark.parametrize(("lang", "country"), [("fr", "SN"), ("ar", "MA")])
def test_server_made_pushes_show_in_the_officers_language_and_a_tap_opens_their_screen(
    browser: Browser, server: LiaisonServer, desk: Desk, lang: str, country: str
):
    context = browser.new_context(base_url=server.url, viewport=PHONE, service_workers="allow", locale=lang)
    try:
        context.grant_permissions(["notifications"], origin=server.url)
        page = context.new_page()
        _signed_in_phone(page, desk, country)
        cdp = context.new_cdp_session(page)
        registration = _registration(page, cdp)

        label = alerts.label("emergency", lang)
        alert_title = gettext(lang, PUSH_TITLE, domain="alerts", label=label)
        alert_body, _ = alerts.instructions_for(None, "emergency", lang, None)
        alert = _server_payload(
            41,
            "alert_level",
            "7f1f7a52-5d0e-4a4e-9d7e-2c4f0e1b9a10",
            PushText(alert_title, alert_body, "/today"),
            topic="alert-level",
            urgency="high",
        )
        notice_id = "0b6c2f8e-4f7e-4a51-8d53-7d1f0c9e2a44"
        notice_title = {"fr": "Porte B fermée", "ar": "البوابة B مغلقة"}[lang]
        notice_body = {"fr": "Passez par la porte C.", "ar": "استخدموا البوابة C."}[lang]
        notice = _server_payload(
            42, "notice", notice_id, PushText(notice_title, notice_body, f"/notices?id={notice_id}"), urgency="normal"
        )
        for data in (alert, notice):
            cdp.send(
                "ServiceWorker.deliverPushMessage",
                {"origin": server.url, "registrationId": registration, "data": data},
            )

        shown_alert = _shown(page, "alert-level")
        assert shown_alert is not None, "the alert-level push showed no notification"
        assert shown_alert["title"] == alert_title and not alert_title.startswith("Alert level")  # translated
        assert shown_alert["body"] == alert_body and shown_alert["url"] == "/today"
        shown_notice = _shown(page, f"notice:{notice_id}")
        assert shown_notice == {
            "title": notice_title,
            "body": notice_body,
            "tag": f"notice:{notice_id}",
            "url": f"/notices?id={notice_id}",
            "dir": "auto",
        }

        _tap(context, f"notice:{notice_id}")
        page.wait_for_url(f"**/notices?id={notice_id}")
        remaining = page.evaluate(
            "async (tag) => (await (await navigator.serviceWorker.ready).getNotifications({tag})).length",
            f"notice:{notice_id}",
        )
        assert remaining == 0, "a tapped notification is closed"
        shoot(page, f"31-notice-opened-from-push-{lang}")
    finally:
        context.close()


# The browser's push service (FCM for Chromium) cannot be reached from a test machine, so PushManager is
# replaced in the page by one that hands out FCM-shaped subscriptions; everything else is the app's own code.
FAKE_PUSH_MANAGER = """
(() => {
    const KEY = 'liaison-test-push';
    const keys = %KEYS%;
    const load = () => JSON.parse(localStorage.getItem(KEY) || 'null');
    const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
        .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    const unb64 = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
    const make = (s) => ({
        endpoint: s.endpoint,
        expirationTime: s.expirationTime,
        options: { userVisibleOnly: true, applicationServerKey: unb64(s.key) },
        toJSON: () => ({ endpoint: s.endpoint, expirationTime: s.expirationTime, keys }),
        unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
    });
    PushManager.prototype.getSubscription = async function () { const s = load(); return s ? make(s) : null; };
    PushManager.prototype.subscribe = async function (options) {
        const n = Number(localStorage.getItem(KEY + '-n') || '0') + 1;
        localStorage.setItem(KEY + '-n', String(n));
        const key = options.applicationServerKey;
        const s = {
            endpoint: 'https://fcm.googleapis.com/fcm/send/liaison-test-' + n,
            expirationTime: null,
            key: b64(key instanceof ArrayBuffer ? key : key.buffer),
        };
        localStorage.setItem(KEY, JSON.stringify(s));
        return make(s);
    };
})();
"""


def _held_endpoint(api: httpx.Client, token: str) -> str | None:
    response = api.get("/api/push/subscriptions/current", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 404), response.text
    return response.json()["endpoint"] if response.status_code == 200 else None


def _wait_held(page: Page, api: httpx.Client, token: str, endpoint: str | None) -> None:
    for _ in range(100):
        if _held_endpoint(api, token) == endpoint:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the server holds {_held_endpoint(api, token)!r}, expected {endpoint!r}")


def test_officer_turns_notifications_on_and_the_app_keeps_the_subscription_current(
    context: BrowserContext, server: LiaisonServer, desk: Desk, api: httpx.Client
):
    phone_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = phone_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    keys = {"p256dh": b64(raw), "auth": b64(os.urandom(16))}
    context.add_init_script(FAKE_PUSH_MANAGER.replace("%KEYS%", json.dumps(keys)))
    context.grant_permissions(["notifications"], origin=server.url)
    page = context.new_page()
    _signed_in_phone(page, desk, "GB")
    token = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open('liaison');
            open.onsuccess = () => {
                const get = open.result.transaction('meta').objectStore('meta').get('session');
                get.onsuccess = () => resolve(get.result.value.token);
            };
        })"""
    )

    # Notifications were allowed in the tap on "Join": the phone subscribed while joining, and Today no longer
    # invites the officer to turn them on.
    _wait_held(page, api, token, "https://fcm.googleapis.com/fcm/send/liaison-test-1")
    expect(page.get_by_role("region", name="Notifications")).to_have_count(0)

    # The setting shows it on (in English: an earlier test may have left this officer in another language).
    assert api.patch("/api/me", json={"locale": "en"}, headers={"Authorization": f"Bearer {token}"}).is_success
    page.goto("/me")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch = page.get_by_role("switch", name="Notifications")
    expect(switch).to_have_attribute("aria-checked", "true")
    expect(switch).to_have_text("Notifications on")
    page.evaluate("() => document.querySelector('[role=switch]').scrollIntoView({block: 'center'})")
    shoot(page, "33-me-notifications-on")

    # The browser replaced the subscription while the app was closed: on opening, the server learns the new one.
    page.evaluate(
        """() => {
            const s = JSON.parse(localStorage.getItem('liaison-test-push'));
            s.endpoint = 'https://fcm.googleapis.com/fcm/send/liaison-test-replaced';
            localStorage.setItem('liaison-test-push', JSON.stringify(s));
        }"""
    )
    page.goto("/today")
    _wait_held(page, api, token, "https://fcm.googleapis.com/fcm/send/liaison-test-replaced")

    # The subscription expired: the app makes a new one by itself (no prompt) and replaces the old one.
    page.evaluate(
        """() => {
            const s = JSON.parse(localStorage.getItem('liaison-test-push'));
            s.expirationTime = Date.now() - 1000;
            localStorage.setItem('liaison-test-push', JSON.stringify(s));
        }"""
    )
    page.reload()
    _wait_held(page, api, token, "https://fcm.googleapis.com/fcm/send/liaison-test-2")

    # Turned off in the settings: the server forgets the phone.
    page.goto("/me")
    page.get_by_role("switch", name="Notifications").click()
    expect(page.get_by_role("switch", name="Notifications")).to_have_attribute("aria-checked", "false")
    _wait_held(page, api, token, None)
    page.evaluate("() => document.querySelector('[role=switch]').scrollIntoView({block: 'center'})")
    shoot(page, "34-me-notifications-off")
