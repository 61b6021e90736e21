"""What the service worker does with a push: a notification with the server's text, one per alert level."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, LiaisonServer, shoot

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
