"""Notices and briefings: who gets them, in which language, and who acknowledged them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec

from liaison.notices.models import Notice, NoticeRecipient
from liaison.push.messages import RENDERERS
from tests.notice_helpers import CONTENT, count, notice, push_jobs


async def send(client, signed, body, path="/api/notices"):
    response = await client.post(path, json=body, headers=signed.auth("coordinator"))
    assert response.status_code == 201, response.text
    return response.json()


async def test_german_officer_reads_a_de_notice_in_german_and_italian_officer_never_sees_it(client, signed):
    sent = await send(client, signed, notice({"countries": ["DE"]}, requires_ack=True))
    assert sent["audience_count"] == 3  # the lead and two officers of DE

    german = (await client.get("/api/notices", headers=signed.auth("officer_de"))).json()
    (item,) = german["items"]
    assert (item["id"], item["lang"], item["title"]) == (sent["id"], "de", "Tor C geschlossen")
    assert item["source"] == "human" and item["acknowledged_at"] is None

    italian = (await client.get("/api/notices", headers=signed.auth("officer_it"))).json()
    assert italian == {"items": [], "limit": 50, "offset": 0, "total": 0}
    hidden = await client.get(f"/api/notices/{sent['id']}", headers=signed.auth("officer_it"))
    assert hidden.status_code == 404
    ack = await client.post(f"/api/notices/{sent['id']}/ack", headers=signed.auth("officer_it"))
    assert ack.status_code == 404


async def test_content_falls_back_from_locale_to_accept_language_to_english_to_french(client, signed):
    only_fr_it = {"fr": {"title": "Consigne", "body": "Texte"}, "it": {"title": "Istruzione", "body": "Testo"}}
    sent = await send(client, signed, notice({"all": True}, content=only_fr_it))
    # German locale, no German text, Italian accepted by the browser: Italian.
    de_accepts_it = {**signed.auth("officer_de"), "Accept-Language": "it;q=0.8, fr;q=0.5"}
    served = (await client.get(f"/api/notices/{sent['id']}", headers=de_accepts_it)).json()
    assert (served["lang"], served["title"]) == ("it", "Istruzione")
    # German locale, nothing accepted: no English text, so French.
    served = (await client.get(f"/api/notices/{sent['id']}", headers=signed.auth("officer_de"))).json()
    assert (served["lang"], served["title"]) == ("fr", "Consigne")

    with_en = await send(client, signed, notice({"all": True}, content={**only_fr_it, "en": {"title": "Order"}}))
    served = (await client.get(f"/api/notices/{with_en['id']}", headers=signed.auth("officer_de"))).json()
    assert (served["lang"], served["title"]) == ("en", "Order")


async def test_machine_translations_are_marked_as_such(client, signed):
    content = {
        "en": {"title": "Water", "body": "Drink"},
        "de": {"title": "Wasser", "body": "Trinken", "source": "machine"},
    }
    sent = await send(client, signed, notice({"countries": ["DE"]}, content=content))
    served = (await client.get(f"/api/notices/{sent['id']}", headers=signed.auth("officer_de"))).json()
    assert (served["lang"], served["source"]) == ("de", "machine")
    assert sent["content"]["en"]["source"] == "human"


async def test_acknowledging_twice_counts_once(client, signed):
    sent = await send(client, signed, notice({"countries": ["DE"]}, requires_ack=True))
    first = await client.post(f"/api/notices/{sent['id']}/ack", headers=signed.auth("officer_de"))
    second = await client.post(f"/api/notices/{sent['id']}/ack", headers=signed.auth("officer_de"))
    assert first.status_code == second.status_code == 200
    assert first.json()["acknowledged_at"] == second.json()["acknowledged_at"] is not None

    report = (
        await client.get(f"/api/notices/{sent['id']}/acknowledgements", headers=signed.auth("coordinator"))
    ).json()
    assert (report["audience"], report["acknowledged"], report["pending_total"]) == (3, 1, 2)
    assert report["by_country"]["DE"] == {"audience": 3, "acknowledged": 1, "pending": 2, "name": None}
    assert sorted(p["name"] for p in report["pending"]) == ["Jonas Becker", "Lukas Weber"]
    (listed,) = (await client.get("/api/notices", headers=signed.auth("coordinator"))).json()["items"]
    assert (listed["audience_count"], listed["acknowledged_count"]) == (3, 1)


async def test_a_venue_audience_reaches_who_works_there_in_the_window(client, signed):
    sent = await send(client, signed, notice({"venues": [str(signed.venue.id)]}))
    assert sent["audience_count"] == 2  # Anna (DE) and Giulia (IT) work at the stadium today
    for who in ("officer_de", "officer_it"):
        assert (await client.get("/api/notices", headers=signed.auth(who))).json()["total"] == 1
    lead = (await client.get("/api/notices", headers=signed.auth("lead_de"))).json()
    assert lead["total"] == 0

    report = (
        await client.get(f"/api/notices/{sent['id']}/acknowledgements", headers=signed.auth("coordinator"))
    ).json()
    assert report["by_venue"][str(signed.venue.id)]["audience"] == 2
    assert report["by_venue"][str(signed.venue.id)]["name"] == "Stade de France"

    later = {"from": "2099-01-01T00:00:00+00:00", "to": "2099-01-02T00:00:00+00:00"}
    nobody = await client.post(
        "/api/notices",
        json=notice({"venues": [str(signed.venue.id)], "window": later}),
        headers=signed.auth("coordinator"),
    )
    assert nobody.status_code == 422
    assert nobody.json()["reason"] == "empty_audience"


async def test_bad_notices_get_problem_details(client, signed):
    cases = [
        (notice({"countries": ["ZZ"]}), "audience.countries"),
        (notice({"all": True}, content={}), "content"),
        (notice({"all": True}, content={"de": {"title": "   ", "body": "x"}}), "content.de.title"),
        (notice({}), "audience"),
        (notice({"officers": [str(uuid.uuid4())]}), "audience.officers"),
        (notice({"all": True}, content={"xx-nonsense-tag": {"title": "t"}}), "content.xx-nonsense-tag"),
        (notice({"all": True}, ack_deadline="2020-01-01T00:00:00+00:00", requires_ack=True), "ack_deadline"),
    ]
    for body, field in cases:
        response = await client.post("/api/notices", json=body, headers=signed.auth("coordinator"))
        assert response.status_code == 422, (field, response.text)
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in {e["field"] for e in problem["errors"]}, problem
    bad_priority = await client.post(
        "/api/notices", json=notice({"all": True}, priority="panic"), headers=signed.auth("coordinator")
    )
    assert bad_priority.status_code == 400
    assert bad_priority.json()["errors"][0]["field"] == "priority"


async def test_officers_and_leads_cannot_broadcast_or_read_the_full_report(client, signed):
    sent = await send(client, signed, notice({"all": True}, requires_ack=True))
    for who in ("officer_de", "lead_de"):
        assert (
            await client.post("/api/notices", json=notice({"all": True}), headers=signed.auth(who))
        ).status_code == 403
        escalate = await client.post(f"/api/notices/{sent['id']}/escalate", headers=signed.auth(who))
        assert escalate.status_code == 403
    report = await client.get(f"/api/notices/{sent['id']}/acknowledgements", headers=signed.auth("officer_de"))
    assert report.status_code == 403
    assert report.json()["status"] == 403


async def test_delegation_lead_sees_only_its_countrys_acknowledgements(client, signed):
    sent = await send(client, signed, notice({"all": True}, requires_ack=True))
    await client.post(f"/api/notices/{sent['id']}/ack", headers=signed.auth("officer_it"))
    report = (await client.get(f"/api/notices/{sent['id']}/acknowledgements", headers=signed.auth("lead_de"))).json()
    assert set(report["by_country"]) == {"DE"}
    assert (report["audience"], report["acknowledged"], report["country"]) == (3, 0, "DE")
    assert {p["country"] for p in report["pending"]} == {"DE"}
    full = (await client.get(f"/api/notices/{sent['id']}/acknowledgements", headers=signed.auth("coordinator"))).json()
    assert (full["audience"], full["acknowledged"]) == (4, 1)


async def test_escalation_names_the_pending_to_their_own_lead_in_the_leads_language(client, signed, db):
    sent = await send(client, signed, notice({"all": True}, requires_ack=True))
    await client.post(f"/api/notices/{sent['id']}/ack", headers=signed.auth("officer_de"))
    response = await client.post(f"/api/notices/{sent['id']}/escalate", headers=signed.auth("coordinator"))
    assert response.status_code == 200, response.text
    result = response.json()
    (told,) = result["notified"]
    assert (told["country"], told["lead_id"], told["pending"]) == ("DE", str(signed.lead_de.id), 2)
    assert result["without_lead"] == ["IT"]  # Italy has no lead in this world: reported, not lost

    inbox = (await client.get("/api/notices", headers=signed.auth("lead_de"))).json()["items"]
    message = next(n for n in inbox if n["escalation_of"] == sent["id"])
    assert message["lang"] == "de"
    assert message["title"] == "Bestätigung ausstehend: Tor C geschlossen"
    assert "Jonas Becker" in message["body"] and "Lukas Weber" in message["body"]
    assert "Anna Schmidt" not in message["body"] and "Giulia Rossi" not in message["body"]
    jobs = [j for j in await push_jobs(db, "notice") if j.ref_id == message["id"]]
    assert [j.user_ids for j in jobs] == [[str(signed.lead_de.id)]]

    info = await send(client, signed, notice({"all": True}))
    nothing = await client.post(f"/api/notices/{info['id']}/escalate", headers=signed.auth("coordinator"))
    assert nothing.status_code == 409 and nothing.json()["reason"] == "no_ack"


async def test_overdue_notices_escalate_once_from_the_periodic_check(client, signed, db):
    from liaison.notices.escalation import escalate_overdue

    deadline = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    sent = await send(client, signed, notice({"countries": ["DE"]}, requires_ack=True, ack_deadline=deadline))
    assert await escalate_overdue(db) == []  # not due yet
    later = datetime.now(UTC) + timedelta(hours=1)
    (result,) = await escalate_overdue(db, later)
    assert str(result.notice_id) == sent["id"] and result.notified[0].pending == 3
    assert await escalate_overdue(db, later) == []  # once only
    inbox = (await client.get("/api/notices", headers=signed.auth("lead_de"))).json()["items"]
    overdue = next(n for n in inbox if n["escalation_of"] == sent["id"])
    assert overdue["title"].startswith("Bestätigung überfällig")


async def test_sending_writes_the_push_in_the_same_transaction(client, signed, db):
    sent = await send(client, signed, notice({"countries": ["DE"]}, priority="urgent"))
    (job,) = await push_jobs(db, "notice")
    assert job.ref_id == sent["id"] and job.urgency == "high"
    assert sorted(job.user_ids) == sorted(
        str(u) for u in (signed.lead_de.id, signed.officer_de.id, signed.officer_de2.id)
    )
    text = await RENDERERS["notice"](db, job, "de")
    assert text.title == "DRINGEND: Tor C geschlossen"
    assert text.url == f"/notices?id={sent['id']}"

    # A notice that fails after the rows were written (nobody in the audience) leaves no push behind.
    later = {"from": "2099-01-01T00:00:00+00:00", "to": "2099-01-02T00:00:00+00:00"}
    failed = await client.post(
        "/api/notices",
        json=notice({"venues": [str(signed.venue.id)], "window": later}),
        headers=signed.auth("coordinator"),
    )
    assert failed.status_code == 422
    assert len(await push_jobs(db)) == 1
    assert await count(db, Notice) == 1


async def test_an_update_replaces_the_original_and_a_cancellation_is_announced(client, signed, db):
    original = await send(client, signed, notice({"countries": ["DE"]}, requires_ack=True))
    await client.post(f"/api/notices/{original['id']}/ack", headers=signed.auth("officer_de"))
    new_content = {**CONTENT, "de": {"title": "Tor C wieder offen", "body": "Tor C ist wieder offen."}}
    update = await send(
        client,
        signed,
        notice({"officers": [str(signed.officer_de.id)]}, content=new_content, supersedes=original["id"]),
    )
    assert update["supersedes"] == original["id"]
    mine = (await client.get("/api/notices", headers=signed.auth("officer_de"))).json()["items"]
    assert [n["id"] for n in mine] == [update["id"]]
    assert mine[0]["acknowledged_at"] is None  # new content: to be read again
    again = await client.post(
        "/api/notices", json=notice({"all": True}, supersedes=original["id"]), headers=signed.auth("coordinator")
    )
    assert again.status_code == 409 and again.json()["reason"] == "not_active"

    cancelled = await client.post(
        f"/api/notices/{update['id']}/cancel", json={"reason": "Sent by mistake"}, headers=signed.auth("coordinator")
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    seen = (await client.get(f"/api/notices/{update['id']}", headers=signed.auth("officer_de"))).json()
    assert seen["cancelled_at"] is not None and seen["cancel_reason"] == "Sent by mistake"
    job = (await push_jobs(db, "notice"))[-1]
    assert job.params == {"event": "cancelled"}
    text = await RENDERERS["notice"](db, job, "de")
    assert text.title == "Widerrufen: Tor C wieder offen" and text.body == "Sent by mistake"


async def test_sync_brings_notices_acks_and_tombstones_to_the_phone(client, signed, db):
    from liaison.auth.principal import Principal
    from liaison.sync.registry import MUTATIONS, PULL_SOURCES

    original = await send(client, signed, notice({"countries": ["DE"]}, requires_ack=True))
    anna = Principal(
        user_id=signed.officer_de.id, device_id=uuid.uuid4(), role="officer", country="DE", locale="de", name="Anna"
    )
    giulia = Principal(
        user_id=signed.officer_it.id, device_id=uuid.uuid4(), role="officer", country="IT", locale="it", name="Giulia"
    )
    (change,) = await PULL_SOURCES["notice"](db, anna, 0, 10**9)
    data = msgspec.json.decode(change.data)  # encoded once for every reader of the language, then sent as is
    assert (change.op, change.id, data["lang"]) == ("upsert", original["id"], "de")
    assert data == (await client.get(f"/api/notices/{original['id']}", headers=signed.auth("officer_de"))).json()
    assert await PULL_SOURCES["notice"](db, giulia, 0, 10**9) == []

    seen = change.version
    result = await MUTATIONS["notice.ack"](db, anna, {"id": original["id"]}, datetime.now(UTC))
    await db.commit()
    assert result["acknowledged_at"] is not None
    (acked,) = await PULL_SOURCES["notice"](db, anna, seen, 10**9)
    assert acked.op == "upsert" and msgspec.json.decode(acked.data)["acknowledged_at"] is not None
    seen = acked.version

    # The update goes to Lukas only: Anna loses the original as a delete.
    await send(client, signed, notice({"officers": [str(signed.officer_de2.id)]}, supersedes=original["id"]))
    db.expire_all()
    (gone,) = await PULL_SOURCES["notice"](db, anna, seen, 10**9)
    assert (gone.op, gone.id, gone.data) == ("delete", original["id"], None)
    assert await count(db, NoticeRecipient) == 4


async def test_briefings_attached_to_a_shift_show_as_todays_briefing(client, signed):
    welcome = await send(
        client,
        signed,
        {
            "audience": {"all": True},
            "date": datetime.now(UTC).astimezone().date().isoformat(),
            "content": {"en": {"title": "Welcome to Paris", "body": "Your desk is open 24/7."}},
        },
        path="/api/briefings",
    )
    shift = await send(
        client,
        signed,
        {
            "shift_id": str(signed.shift_today.id),
            "requires_ack": True,
            "content": {
                "en": {"title": "Stadium entrance briefing", "body": "Meet at Porte X."},
                "de": {"title": "Einweisung Stadioneingang", "body": "Treffpunkt Porte X."},
            },
        },
        path="/api/briefings",
    )
    assert shift["audience_count"] == 2 and shift["venue_id"] == str(signed.venue.id)
    day = (
        datetime.fromisoformat(signed.shift_today.starts_at.isoformat())
        .astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
        .date()
    )
    today = (await client.get(f"/api/briefings/today?day={day.isoformat()}", headers=signed.auth("officer_de"))).json()
    titles = {b["title"] for b in today["items"]}
    assert "Einweisung Stadioneingang" in titles
    assert (await client.get("/api/notices", headers=signed.auth("officer_de"))).json()["total"] == 0
    lead = (await client.get(f"/api/briefings/today?day={day.isoformat()}", headers=signed.auth("lead_de"))).json()
    assert shift["id"] not in {b["id"] for b in lead["items"]}
    ack = await client.post(f"/api/briefings/{shift['id']}/ack", headers=signed.auth("officer_de"))
    assert ack.status_code == 200
    assert welcome["kind"] == "briefing"


async def test_every_broadcast_is_in_the_audit_log(client, signed):
    sent = await send(client, signed, notice({"countries": ["DE"]}))
    log = (await client.get("/api/audit?action=notice", headers=signed.auth("coordinator"))).json()
    (entry,) = log["items"]
    assert (entry["action"], entry["target_id"], entry["actor_name"]) == ("notice.send", sent["id"], "Isabelle Durand")
    assert entry["details"]["recipients"] == 3
    assert (await client.get("/api/audit", headers=signed.auth("officer_de"))).status_code == 403
    assert (await client.get("/api/audit", headers=signed.auth("lead_de"))).status_code == 403


async def test_revoking_a_device_is_audited(client, signed):
    devices = (
        await client.get(f"/api/officers/{signed.officer_de.id}/devices", headers=signed.auth("coordinator"))
    ).json()
    response = await client.delete(f"/api/devices/{devices[0]['id']}", headers=signed.auth("coordinator"))
    assert response.status_code == 204
    log = (await client.get("/api/audit?action=device.revoke", headers=signed.auth("coordinator"))).json()
    assert [(e["target_type"], e["target_id"]) for e in log["items"]] == [("device", devices[0]["id"])]
    unknown = await client.delete(f"/api/devices/{uuid.uuid4()}", headers=signed.auth("coordinator"))
    assert unknown.status_code == 404
    assert (await client.get("/api/audit", headers=signed.auth("coordinator"))).json()["total"] == 1


async def test_demo_serves_the_german_notice_in_german_and_counts_an_ack_once(client, app):
    from liaison.database import make_engine, make_sessionmaker
    from liaison.demo.seed import seed_if_empty
    from tests.factories import enroll, login

    engine = make_engine(app.state.settings)
    async with make_sessionmaker(engine)() as session:
        assert await seed_if_empty(session) is True
    await engine.dispose()
    staff = {"Authorization": f"Bearer {await login(client, 'coordinator@demo.liaison', 'liaison-demo')}"}
    desk = await login(client, "desk@demo.liaison", "liaison-demo")

    async def phone(country: str) -> dict[str, str]:
        # Officers arriving today have not acknowledged anything yet.
        query = f"/api/officers?country={country}&status=expected&limit=5"
        officers = (await client.get(query, headers=staff)).json()["items"]
        officer = next(o for o in officers if o["role"] == "officer")
        return {"Authorization": f"Bearer {await enroll(client, desk, officer['id'])}"}

    german, italian = await phone("DE"), await phone("IT")
    alert = (await client.get("/api/alert-level", headers=german)).json()
    assert (alert["level"], alert["label"], alert["lang"]) == (
        "heightened",
        "Erhöhte Sicherheit – Anschlagsgefahr",
        "de",
    )

    notices = (await client.get("/api/notices", headers=german)).json()["items"]
    meeting = next(n for n in notices if n["title"] == "Delegationsbesprechung heute um 18:00 Uhr")
    assert meeting["lang"] == "de"
    urgent = next(n for n in notices if n["priority"] == "urgent")
    assert urgent["lang"] == "de" and urgent["requires_ack"] is True
    italian_ids = {n["id"] for n in (await client.get("/api/notices", headers=italian)).json()["items"]}
    assert meeting["id"] not in italian_ids and urgent["id"] in italian_ids

    before = (await client.get(f"/api/notices/{urgent['id']}/acknowledgements", headers=staff)).json()
    for _ in range(2):
        assert (await client.post(f"/api/notices/{urgent['id']}/ack", headers=german)).status_code == 200
    after = (await client.get(f"/api/notices/{urgent['id']}/acknowledgements", headers=staff)).json()
    assert before["audience"] == after["audience"] >= 2185
    assert after["acknowledged"] - before["acknowledged"] == 1
    assert after["by_country"]["DE"]["acknowledged"] - before["by_country"]["DE"]["acknowledged"] == 1
    welcome = (await client.get("/api/briefings", headers=german)).json()["items"]
    assert "Willkommen bei Paris 2024" in {b["title"] for b in welcome}
    today = (await client.get("/api/briefings/today", headers=german)).json()
    assert all(b["kind"] == "briefing" for b in today["items"])
