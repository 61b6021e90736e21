"""Web Push end to end: phones subscribe through the API, the worker delivers to a local push service."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.models import Device
from liaison.database import make_engine, make_sessionmaker
from liaison.push import worker as push_worker
from liaison.push.messages import RENDERERS, PushText
from liaison.push.models import PushDelivery, PushJob, PushSubscription
from liaison.push.outbox import enqueue_push
from liaison.push.reminders import schedule_reminders
from liaison.push.sender import PushSender
from liaison.push.senders import POOL_MIN, SenderPool
from liaison.push.vapid import VapidSigner, load_or_create_key
from liaison.push.worker import PushWorker, run_worker
from liaison.settings import Settings
from tests.factories import World
from tests.push_helpers import FakePushService, Subscriber, b64, decrypt, verify_vapid

Client = AsyncTestClient[Litestar]


@pytest.fixture
async def push_service() -> AsyncIterator[FakePushService]:
    service = FakePushService()
    await service.start()
    yield service
    await service.stop()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, push_service: FakePushService) -> Settings:
    return Settings(
        database_url=database_url,
        login_rate_per_minute=10_000,
        static_dir=tmp_path / "no-pwa",
        data_dir=tmp_path / "data",
        push_allowed_origins=("https://fcm.googleapis.com", push_service.base_url),
        run_worker=False,
        # Reminders are scheduled explicitly where a test is about them.
        reminder_lead_minutes=0,
    )


async def subscribe(client: Client, world: World, who: str, phone: Subscriber, base_url: str) -> None:
    response = await client.post("/api/push/subscriptions", json=phone.subscription(base_url), headers=world.auth(who))
    assert response.status_code == 201, response.text


async def queue(db: AsyncSession, **job: object) -> None:
    enqueue_push(db, **job)  # type: ignore[arg-type]
    await db.commit()


@pytest.fixture
def alert_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The alert-level wording belongs to the alerts domain; here a stand-in that shows the language it got."""

    async def render(_session: AsyncSession, job: PushJob, lang: str) -> PushText:
        return PushText(f"[{lang}] level {job.params['level']}", f"[{lang}] instructions", "/alert")

    monkeypatch.setitem(RENDERERS, "alert_level", render)


async def test_vapid_public_key_is_a_p256_point_that_stays_the_same(client: Client) -> None:
    first = await client.get("/api/push/vapid-public-key")
    assert first.status_code == 200
    key = first.json()["public_key"]
    raw = __import__("base64").urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4
    assert (await client.get("/api/push/vapid-public-key")).json()["public_key"] == key


async def test_officer_subscribes_a_phone_and_resubscribing_updates_it(
    client: Client, signed: World, db: AsyncSession, push_service: FakePushService
) -> None:
    phone = Subscriber("anna-phone")
    await subscribe(client, signed, "officer_de", phone, push_service.base_url)
    renewed = Subscriber("anna-phone")  # same endpoint, new keys (the browser rotated them)
    await subscribe(client, signed, "officer_de", renewed, push_service.base_url)
    rows = (await db.scalars(select(PushSubscription))).all()
    assert len(rows) == 1 and rows[0].p256dh == renewed.p256dh and rows[0].user_id == signed.officer_de.id


async def test_officer_may_receive_on_several_devices(
    client: Client, signed: World, db: AsyncSession, push_service: FakePushService
) -> None:
    from tests.factories import enroll

    second_token = await enroll(client, signed.tokens["desk"], signed.officer_de.id)
    signed.tokens["officer_de_tablet"] = second_token
    await subscribe(client, signed, "officer_de", Subscriber("phone"), push_service.base_url)
    await subscribe(client, signed, "officer_de_tablet", Subscriber("tablet"), push_service.base_url)
    count = await db.scalar(select(func.count()).where(PushSubscription.user_id == signed.officer_de.id))
    assert count == 2


async def test_phone_reads_back_the_subscription_the_server_holds_for_it(
    client: Client, signed: World, push_service: FakePushService
) -> None:
    missing = await client.get("/api/push/subscriptions/current", headers=signed.auth("officer_de"))
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    phone = Subscriber("anna-phone")
    await subscribe(client, signed, "officer_de", phone, push_service.base_url)
    held = await client.get("/api/push/subscriptions/current", headers=signed.auth("officer_de"))
    assert held.status_code == 200
    assert held.json()["endpoint"] == f"{push_service.base_url}/push/anna-phone"
    assert held.json()["p256dh"] == phone.p256dh
    # Another device of someone else sees nothing of it.
    other = await client.get("/api/push/subscriptions/current", headers=signed.auth("officer_it"))
    assert other.status_code == 404


async def test_renewed_subscription_replaces_the_old_endpoint_and_only_the_new_one_is_pushed(
    client: Client,
    signed: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
) -> None:
    from tests.factories import enroll

    old = Subscriber("anna-old")
    await subscribe(client, signed, "officer_de", old, push_service.base_url)
    # The phone was enrolled again (a new device token) and its browser made a new subscription: it says
    # which one it replaces, as the service worker does on `pushsubscriptionchange`.
    signed.tokens["officer_de_again"] = await enroll(client, signed.tokens["desk"], signed.officer_de.id)
    new = Subscriber("anna-new")
    body = {
        **new.subscription(push_service.base_url),
        "old_endpoint": old.subscription(push_service.base_url)["endpoint"],
        "expirationTime": None,
    }
    renewed = await client.post("/api/push/subscriptions", json=body, headers=signed.auth("officer_de_again"))
    assert renewed.status_code == 201, renewed.text
    endpoints = (await db.scalars(select(PushSubscription.endpoint))).all()
    assert endpoints == [f"{push_service.base_url}/push/anna-new"]
    gone = await client.get("/api/push/subscriptions/current", headers=signed.auth("officer_de"))
    assert gone.status_code == 404

    await queue(db, kind="alert_level", ref_id="current", user_ids=None, urgency="high", params={"level": "emergency"})
    await run_worker(settings, once=True)
    assert [r.name for r in push_service.accepted] == ["anna-new"]
    [received] = push_service.for_("anna-new")
    assert json.loads(decrypt(received.body, new.private, new.auth))["title"] == "[de] level emergency"


async def test_a_push_waiting_for_a_retry_reaches_the_renewed_subscription(
    client: Client,
    signed: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
) -> None:
    old, new = Subscriber("anna-old"), Subscriber("anna-new")
    await subscribe(client, signed, "officer_de", old, push_service.base_url)
    push_service.script["anna-old"] = [(503, {"Retry-After": "1"})]
    await queue(db, kind="alert_level", ref_id="current", user_ids=None, urgency="high", params={"level": "emergency"})
    await run_worker(settings, once=True)
    assert push_service.accepted == []
    # Meanwhile the phone, enrolled again, renewed its subscription and named the old one.
    from tests.factories import enroll

    signed.tokens["officer_de_again"] = await enroll(client, signed.tokens["desk"], signed.officer_de.id)
    body = {**new.subscription(push_service.base_url), "old_endpoint": f"{push_service.base_url}/push/anna-old"}
    renewed = await client.post("/api/push/subscriptions", json=body, headers=signed.auth("officer_de_again"))
    assert renewed.status_code == 201
    await asyncio.sleep(1.3)
    await run_worker(settings, once=True)
    assert [r.name for r in push_service.accepted] == ["anna-new"]
    assert json.loads(decrypt(push_service.accepted[0].body, new.private, new.auth))["title"] == "[de] level emergency"
    assert push_service.attempts["anna-old"] == 1


async def test_renewal_cannot_remove_someone_elses_subscription(
    client: Client, signed: World, db: AsyncSession, push_service: FakePushService
) -> None:
    giulia = Subscriber("giulia")
    await subscribe(client, signed, "officer_it", giulia, push_service.base_url)
    body = {
        **Subscriber("anna").subscription(push_service.base_url),
        "old_endpoint": giulia.subscription(push_service.base_url)["endpoint"],
    }
    response = await client.post("/api/push/subscriptions", json=body, headers=signed.auth("officer_de"))
    assert response.status_code == 201
    owners = dict((await db.execute(select(PushSubscription.endpoint, PushSubscription.user_id))).all())
    assert owners == {
        f"{push_service.base_url}/push/giulia": signed.officer_it.id,
        f"{push_service.base_url}/push/anna": signed.officer_de.id,
    }


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://evil.example/push/1",
        "http://169.254.169.254/latest/meta-data",
        "https://fcm.googleapis.com@10.0.0.5/x",
        "http://127.0.0.1:1/push/x",
    ],
)
async def test_endpoint_outside_allowed_push_services_is_refused(client: Client, signed: World, endpoint: str) -> None:
    body = {**Subscriber("x").subscription("https://unused"), "endpoint": endpoint}
    response = await client.post("/api/push/subscriptions", json=body, headers=signed.auth("officer_de"))
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["errors"][0]["field"] == "endpoint"


async def test_malformed_keys_are_refused(client: Client, signed: World, push_service: FakePushService) -> None:
    body = Subscriber("x").subscription(push_service.base_url)
    body["keys"]["p256dh"] = b64(b"\x05" + b"\x00" * 64)  # right length, not an uncompressed point
    response = await client.post("/api/push/subscriptions", json=body, headers=signed.auth("officer_de"))
    assert response.status_code == 422


async def test_officer_unsubscribes_and_only_their_own(
    client: Client, signed: World, push_service: FakePushService
) -> None:
    phone = Subscriber("p")
    await subscribe(client, signed, "officer_de", phone, push_service.base_url)
    ref = {"endpoint": phone.subscription(push_service.base_url)["endpoint"]}
    foreign = await client.request("DELETE", "/api/push/subscriptions", json=ref, headers=signed.auth("officer_it"))
    assert foreign.status_code == 404
    mine = await client.request("DELETE", "/api/push/subscriptions", json=ref, headers=signed.auth("officer_de"))
    assert mine.status_code == 204


async def test_alert_change_reaches_every_phone_in_its_language_with_push_headers(
    client: Client,
    signed: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
) -> None:
    anna, giulia = Subscriber("anna"), Subscriber("giulia")
    await subscribe(client, signed, "officer_de", anna, push_service.base_url)
    await subscribe(client, signed, "officer_it", giulia, push_service.base_url)
    public_key = (await client.get("/api/push/vapid-public-key")).json()["public_key"]
    await queue(
        db,
        kind="alert_level",
        ref_id="current",
        user_ids=None,
        urgency="high",
        topic="alert-level",
        ttl=3600,
        params={"level": "emergency"},
    )
    await run_worker(settings, once=True)

    assert sorted(r.name for r in push_service.accepted) == ["anna", "giulia"]
    for phone, lang in ((anna, "de"), (giulia, "it")):
        [received] = push_service.for_(phone.name)
        payload = json.loads(decrypt(received.body, phone.private, phone.auth))
        assert payload["type"] == "alert_level" and payload["title"] == f"[{lang}] level emergency"
        assert payload["url"] == "/alert" and payload["id"] == "current" and payload["tag"] == "alert-level"
        assert datetime.fromisoformat(payload["sent_at"]).tzinfo is not None
        headers = received.headers
        assert headers["TTL"] == "3600" and headers["Urgency"] == "high" and headers["Topic"] == "alert-level"
        assert headers["Content-Encoding"] == "aes128gcm"
        verify_vapid(headers["Authorization"], push_service.base_url, public_key)
    # One signature for the push service, reused.
    assert len({r.headers["Authorization"] for r in push_service.accepted}) == 1


async def test_officer_sees_reassignment_in_own_language(
    client: Client, signed: World, db: AsyncSession, push_service: FakePushService, settings: Settings
) -> None:
    anna = Subscriber("anna")
    await subscribe(client, signed, "officer_de", anna, push_service.base_url)
    await queue(
        db,
        kind="assignment",
        ref_id=signed.assignment_de.id,
        user_ids=[signed.officer_de.id],
        urgency="high",
        params={
            "change": "moved",
            "before": {
                "starts_at": "2024-07-27T12:00:00Z",
                "ends_at": "2024-07-27T20:00:00Z",
                "venue": "Stade de France",
                "task": "Spectator entrance liaison",
            },
            "after": {
                "starts_at": "2024-07-28T06:00:00Z",
                "ends_at": "2024-07-28T14:00:00Z",
                "venue": "Arena Bercy",
                "task": "Spectator entrance liaison",
            },
        },
    )
    await run_worker(settings, once=True)
    [received] = push_service.for_("anna")
    payload = json.loads(decrypt(received.body, anna.private, anna.auth))
    assert payload["type"] == "assignment" and received.headers["Urgency"] == "high"
    assert payload["title"] == "Dienst verlegt: Spectator entrance liaison"
    # Paris time (UTC+2 in summer), labelled, old → new.
    assert "Zeit: Sa. 27 Juli, 14:00–22:00 (Pariser Zeit) → So. 28 Juli, 08:00–16:00 (Pariser Zeit)" in payload["body"]
    assert "Einsatzort: Stade de France → Arena Bercy" in payload["body"]
    assert "Aufgabe" not in payload["body"]  # unchanged fields are not listed


async def test_language_change_applies_to_the_next_push(
    client: Client, signed: World, db: AsyncSession, push_service: FakePushService, settings: Settings
) -> None:
    anna = Subscriber("anna")
    await subscribe(client, signed, "officer_de", anna, push_service.base_url)
    patched = await client.patch("/api/me", json={"locale": "fr"}, headers=signed.auth("officer_de"))
    assert patched.status_code == 200
    await queue(
        db,
        kind="assignment",
        ref_id=signed.assignment_de.id,
        user_ids=[signed.officer_de.id],
        urgency="high",
        params={
            "change": "assigned",
            "after": {
                "starts_at": "2024-07-27T12:00:00Z",
                "ends_at": "2024-07-27T20:00:00Z",
                "venue": "Stade de France",
                "task": "Patrouille",
            },
        },
    )
    await run_worker(settings, once=True)
    payload = json.loads(decrypt(push_service.for_("anna")[0].body, anna.private, anna.auth))
    assert payload["title"] == "Nouvelle vacation : Patrouille"
    assert payload["body"] == "Stade de France, sam. 27 juil., 14:00–22:00 (heure de Paris)"


async def test_gone_subscription_is_deleted_and_never_pushed_again(
    client: Client,
    signed: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
) -> None:
    anna, giulia = Subscriber("anna"), Subscriber("giulia")
    await subscribe(client, signed, "officer_de", anna, push_service.base_url)
    await subscribe(client, signed, "officer_it", giulia, push_service.base_url)
    push_service.script["anna"] = [(410, {})]
    for level in ("heightened", "emergency"):
        await queue(
            db,
            kind="alert_level",
            ref_id="current",
            user_ids=None,
            urgency="high",
            topic="alert-level",
            params={"level": level},
        )
        await run_worker(settings, once=True)
    assert push_service.attempts["anna"] == 1 and push_service.attempts["giulia"] == 2
    remaining = (await db.scalars(select(PushSubscription.endpoint))).all()
    assert remaining == [giulia.subscription(push_service.base_url)["endpoint"]]
    report = await client.get(
        "/api/push/report", params={"kind": "alert_level", "ref_id": "current"}, headers=signed.auth("coordinator")
    )
    expected = {"pushes": 2, "targeted": 3, "delivered": 2, "gone": 1, "failed": 0, "pending": 0}
    assert {k: report.json()[k] for k in expected} == expected


async def test_busy_push_service_gets_it_later_honouring_retry_after(
    client: Client,
    signed: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
) -> None:
    anna, giulia = Subscriber("anna"), Subscriber("giulia")
    await subscribe(client, signed, "officer_de", anna, push_service.base_url)
    await subscribe(client, signed, "officer_it", giulia, push_service.base_url)
    push_service.script["anna"] = [(429, {"Retry-After": "2"})]
    push_service.script["giulia"] = [(500, {})]
    await queue(db, kind="alert_level", ref_id="current", user_ids=None, urgency="high", params={"level": "emergency"})
    before = datetime.now(UTC)
    await run_worker(settings, once=True)
    assert push_service.accepted == []
    pending = {d.attempts: d for d in (await db.scalars(select(PushDelivery))).all()}
    rows = (await db.execute(select(PushDelivery.status, PushDelivery.last_status, PushDelivery.next_attempt_at))).all()
    assert {r.status for r in rows} == {"pending"} and {r.last_status for r in rows} == {429, 500}
    retry_429 = next(r for r in rows if r.last_status == 429)
    assert before + timedelta(seconds=2) <= retry_429.next_attempt_at <= datetime.now(UTC) + timedelta(seconds=2)
    assert pending  # both recorded one attempt
    await db.rollback()
    await asyncio.sleep(0.5)
    await run_worker(settings, once=True)
    assert push_service.attempts["anna"] == 1, "retried before Retry-After had passed"
    last_due = max(r.next_attempt_at for r in rows)
    await asyncio.sleep(max(0.0, (last_due - datetime.now(UTC)).total_seconds()) + 0.2)
    await run_worker(settings, once=True)
    assert sorted(r.name for r in push_service.accepted) == ["anna", "giulia"]
    assert len(push_service.for_("anna")) == 1 and len(push_service.for_("giulia")) == 1


async def test_vapid_refusal_stops_and_says_so(
    client: Client,
    signed: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    anna = Subscriber("anna")
    await subscribe(client, signed, "officer_de", anna, push_service.base_url)
    push_service.script["anna"] = [(403, {})]
    await queue(db, kind="alert_level", ref_id="current", user_ids=None, urgency="high", params={"level": "vigilance"})
    with caplog.at_level(logging.ERROR, logger="liaison.push.worker"):
        await run_worker(settings, once=True)
    assert "VAPID misconfiguration" in caplog.text
    status = await db.scalar(select(PushDelivery.status))
    assert status == "failed" and push_service.attempts["anna"] == 1
    assert await db.scalar(select(func.count()).select_from(PushSubscription)) == 1  # not the device's fault


async def _many_subscribers(db: AsyncSession, world: World, base_url: str, n: int) -> list[Subscriber]:
    """Phones enrolled in bulk (arranged directly: enrolling 40 devices through the desk adds nothing here)."""
    phones = []
    for i in range(n):
        device = Device(
            id=uuid.uuid4(),
            user_id=world.officer_de2.id,
            name=f"phone {i}",
            kind="enrolled",
            token_hash=uuid.uuid4().hex,
            expires_at=datetime.now(UTC) + timedelta(days=30),
        )
        phone = Subscriber(f"p{i:02d}")
        sub = phone.subscription(base_url)
        db.add(device)
        await db.flush()
        db.add(
            PushSubscription(
                id=uuid.uuid4(),
                user_id=world.officer_de2.id,
                device_id=device.id,
                endpoint=sub["endpoint"],
                origin=base_url,
                p256dh=phone.p256dh,
                auth=sub["keys"]["auth"],
            )
        )
        phones.append(phone)
    await db.commit()
    return phones


async def test_worker_killed_mid_fan_out_delivers_the_rest_after_restart_none_twice(
    client: Client,
    world: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
) -> None:
    phones = await _many_subscribers(db, world, push_service.base_url, 40)
    await queue(db, kind="alert_level", ref_id="current", user_ids=None, urgency="high", params={"level": "emergency"})
    push_service.hold_after = 15
    worker = asyncio.create_task(run_worker(settings, poll_seconds=0.2))
    await asyncio.wait_for(push_service.held.wait(), 20)
    await asyncio.sleep(0.2)
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker
    assert len(push_service.accepted) == 15
    statuses = dict((await db.execute(select(PushDelivery.status, func.count()).group_by(PushDelivery.status))).all())
    assert statuses == {"delivered": 15, "pending": 25}
    await db.rollback()
    await asyncio.sleep(0.1)
    push_service.hold_after = None
    push_service.release.set()
    await run_worker(settings, once=True)
    names = sorted(r.name for r in push_service.accepted)
    assert names == sorted(p.name for p in phones), "every phone exactly once"
    for phone in phones[:3]:
        assert json.loads(decrypt(push_service.for_(phone.name)[0].body, phone.private, phone.auth))["id"] == "current"


async def test_broadcast_fanned_out_in_pages_resumes_after_a_crash_between_pages_none_twice(
    client: Client,
    world: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    phones = await _many_subscribers(db, world, push_service.base_url, 23)
    # A subscription whose device was revoked sits inside a page: skipped, and the pages after it still come.
    revoked = (await db.scalars(select(Device).where(Device.name == "phone 3"))).one()
    revoked.revoked_at = datetime.now(UTC)
    await db.commit()
    await queue(db, kind="alert_level", ref_id="current", user_ids=None, urgency="high", params={"level": "emergency"})
    engine = make_engine(settings)
    signer = VapidSigner(load_or_create_key(settings), settings.vapid_subject)
    async with PushSender(signer) as sender:
        first = PushWorker(settings, make_sessionmaker(engine), sender, fanout_page=5, fanout_growth=1)
        assert await first.expand_jobs() == 1
        await first.expand_jobs()
    await engine.dispose()
    # The worker dies here, two pages in: those deliveries are written and the job knows where it stopped.
    job = (await db.scalars(select(PushJob))).one()
    written = await db.scalar(select(func.count()).select_from(PushDelivery))
    assert job.expanded_at is None and job.fanned_out_to is not None
    assert 8 <= written <= 10, written  # every one of the two pages' subscriptions but the revoked one
    await db.rollback()
    monkeypatch.setattr(push_worker, "FANOUT_PAGE", 3)  # pages of 3, then 12
    await run_worker(settings, once=True)
    names = sorted(r.name for r in push_service.accepted)
    assert names == sorted(p.name for p in phones if p.name != "p03"), "every live phone exactly once"
    assert await db.scalar(select(func.count()).select_from(PushDelivery)) == 22
    job = (await db.scalars(select(PushJob).execution_options(populate_existing=True))).one()
    assert job.expanded_at is not None and job.done_at is not None


async def test_big_batch_sent_by_helper_processes_reaches_every_phone_and_a_bad_key_fails_alone(
    client: Client,
    world: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    phones = await _many_subscribers(db, world, push_service.base_url, POOL_MIN + 6)
    broken = (await db.scalars(select(PushSubscription).where(PushSubscription.endpoint.endswith("/p05")))).one()
    broken.p256dh = b64(b"\x04" + bytes(64))  # not a point on the curve: this one cannot be encrypted
    await db.commit()
    await queue(db, kind="alert_level", ref_id="current", user_ids=None, urgency="high", params={"level": "emergency"})
    submitted: list[int] = []
    hand_over = SenderPool.hand_over

    async def counted(pool: SenderPool, items: Any, on_answer: Any) -> Any:
        submitted.append(len(items))
        return await hand_over(pool, items, on_answer)

    monkeypatch.setattr(SenderPool, "hand_over", counted)
    await run_worker(msgspec.structs.replace(settings, push_processes=2), once=True)
    received = {r.name: r for r in push_service.accepted}
    assert sorted(received) == sorted(p.name for p in phones if p.name != "p05"), "each phone once, but the broken"
    for phone in phones[:3] + phones[-3:]:
        payload = json.loads(decrypt(received[phone.name].body, phone.private, phone.auth))
        assert payload["title"] == "[de] level emergency"
    assert submitted and sum(submitted) == POOL_MIN + 6, "the batch went to the helpers"
    failed = (await db.scalars(select(PushDelivery).where(PushDelivery.status == "failed"))).one()
    assert failed.subscription_id == broken.id and "cannot encrypt" in (failed.last_error or "")


async def test_coordinator_reads_delivery_report_and_officer_may_not(
    client: Client,
    signed: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
) -> None:
    await subscribe(client, signed, "officer_de", Subscriber("anna"), push_service.base_url)
    await subscribe(client, signed, "officer_it", Subscriber("giulia"), push_service.base_url)
    push_service.script["giulia"] = [(400, {})]
    await queue(db, kind="alert_level", ref_id="current", user_ids=None, urgency="high", params={"level": "heightened"})
    report_query = {"kind": "alert_level", "ref_id": "current"}
    queued = await client.get("/api/push/report", params=report_query, headers=signed.auth("coordinator"))
    assert queued.json()["pushes"] == 1 and queued.json()["targeted"] == 0  # not fanned out yet
    await run_worker(settings, once=True)
    report = (await client.get("/api/push/report", params=report_query, headers=signed.auth("coordinator"))).json()
    assert (report["targeted"], report["delivered"], report["failed"], report["pending"]) == (2, 1, 1, 0)
    forbidden = await client.get("/api/push/report", params=report_query, headers=signed.auth("officer_de"))
    assert forbidden.status_code == 403
    bad = await client.get(
        "/api/push/report", params={"kind": "nope", "ref_id": "x"}, headers=signed.auth("coordinator")
    )
    assert bad.status_code == 400


async def test_reminder_is_pushed_once_before_the_shift_in_the_officers_language(
    client: Client, signed: World, db: AsyncSession, push_service: FakePushService, settings: Settings
) -> None:
    anna = Subscriber("anna")
    await subscribe(client, signed, "officer_de", anna, push_service.base_url)
    engine = make_engine(settings)
    try:
        sessionmaker = make_sessionmaker(engine)
        # shift_today starts within two hours; shift_tomorrow does not.
        assert await schedule_reminders(sessionmaker, 120) == 2  # Anna's and Giulia's assignment
        assert await schedule_reminders(sessionmaker, 120) == 0
    finally:
        await engine.dispose()
    await run_worker(settings, once=True)
    [received] = push_service.for_("anna")
    payload = json.loads(decrypt(received.body, anna.private, anna.auth))
    assert payload["type"] == "reminder" and payload["id"] == str(signed.assignment_de.id)
    assert payload["title"].startswith("Ihr Dienst beginnt um ") and payload["title"].endswith("Uhr (Pariser Zeit)")
    assert payload["body"] == "Spectator entrance liaison – Stade de France. Treffpunkt: Porte X"
    await run_worker(settings, once=True)
    assert len(push_service.for_("anna")) == 1


async def test_app_worker_wakes_on_commit_and_delivers_without_waiting_for_the_poll(
    database_url: str,
    tmp_path: Path,
    push_service: FakePushService,
    alert_renderer: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from liaison.app import create_app
    from tests.conftest import _wipe
    from tests.factories import build_world, signed_in_world

    settings = Settings(
        database_url=database_url,
        login_rate_per_minute=10_000,
        static_dir=tmp_path / "no-pwa",
        data_dir=tmp_path / "data",
        push_allowed_origins=(push_service.base_url,),
        run_worker=True,
        reminder_lead_minutes=0,
    )
    monkeypatch.setattr("liaison.push.worker.POLL_SECONDS", 60.0)  # only a wake-up can be this quick
    await _wipe(database_url)
    app = create_app(settings)
    async with AsyncTestClient(app=app) as client:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as db:
                world = await signed_in_world(client, await build_world(db))
                anna = Subscriber("anna")
                await subscribe(client, world, "officer_de", anna, push_service.base_url)
                await asyncio.sleep(0.5)  # the worker has drained the empty queue and sleeps for a minute
                queued_at = asyncio.get_running_loop().time()
                await queue(
                    db,
                    kind="alert_level",
                    ref_id="current",
                    user_ids=None,
                    urgency="high",
                    params={"level": "emergency"},
                )
                await asyncio.wait_for(push_service.arrived.wait(), 10)
                latency = asyncio.get_running_loop().time() - queued_at
        finally:
            await engine.dispose()
    assert [r.name for r in push_service.accepted] == ["anna"]
    assert latency < 2.0, f"took {latency:.1f} s: the worker waited for its poll instead of being woken"


async def test_a_text_that_fails_to_render_does_not_hold_up_other_pushes(
    client: Client,
    signed: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    alert_renderer: None,
) -> None:
    async def broken(_session: AsyncSession, _job: PushJob, _lang: str) -> PushText:
        raise KeyError("missing translation placeholder")

    monkeypatch.setitem(RENDERERS, "briefing", broken)
    anna = Subscriber("anna")
    await subscribe(client, signed, "officer_de", anna, push_service.base_url)
    await queue(db, kind="briefing", ref_id="b-1", user_ids=None)
    await queue(db, kind="alert_level", ref_id="current", user_ids=None, urgency="high", params={"level": "emergency"})
    await run_worker(settings, once=True)
    assert [json.loads(decrypt(r.body, anna.private, anna.auth))["type"] for r in push_service.accepted] == [
        "alert_level"
    ]
    statuses = dict(
        (
            await db.execute(select(PushJob.kind, PushDelivery.status).join(PushJob, PushJob.id == PushDelivery.job_id))
        ).all()
    )
    assert statuses == {"briefing": "failed", "alert_level": "delivered"}


async def test_a_sending_helper_killed_mid_batch_leaves_no_phone_without_the_alert(
    client: Client,
    world: World,
    db: AsyncSession,
    push_service: FakePushService,
    settings: Settings,
    alert_renderer: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    phones = await _many_subscribers(db, world, push_service.base_url, POOL_MIN + 6)
    await queue(db, kind="alert_level", ref_id="current", user_ids=None, urgency="high", params={"level": "emergency"})
    pool = SenderPool(2)
    await pool.start()
    try:
        push_service.hold_after = 20
        worker = asyncio.create_task(run_worker(settings, once=True, pool=pool))
        await asyncio.wait_for(push_service.held.wait(), 20)
        os.kill(pool.pids[0], signal.SIGKILL)  # a helper dies with pushes in flight and more waiting
        await asyncio.sleep(0.3)
        push_service.release.set()
        await asyncio.wait_for(worker, 30)
    finally:
        pool.close()
    names = [r.name for r in push_service.accepted]
    assert set(names) == {p.name for p in phones}, "the dead helper's pushes were sent by the worker"
    assert len(names) <= len(phones) + 64, "at least once: only what was in flight may come twice"
    statuses = dict((await db.execute(select(PushDelivery.status, func.count()).group_by(PushDelivery.status))).all())
    assert statuses == {"delivered": len(phones)}
    assert any("sending them from the worker" in r.getMessage() for r in caplog.records)


async def test_a_push_service_that_never_answers_is_given_up_on_as_no_answer(
    push_service: FakePushService, settings: Settings
) -> None:
    signer = VapidSigner(load_or_create_key(settings), settings.vapid_subject)
    phone = Subscriber("anna")
    push_service.hold_after = 0
    async with PushSender(signer, timeout=0.3) as sender:
        headers = sender.headers(push_service.base_url, 60, "high", None)
        started = asyncio.get_running_loop().time()
        outcome = await sender.send(
            phone.subscription(push_service.base_url)["endpoint"], push_service.base_url, b"x" * 100, headers
        )
        waited = asyncio.get_running_loop().time() - started
    assert outcome.status is None and "Timeout" in (outcome.error or "")
    assert waited < 2.0
