"""The alert level: labels and instructions in each reader's language, history, drills kept apart, pushes."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from liaison.alerts import service as alerts
from liaison.alerts.models import AlertChange
from liaison.alerts.schemas import AlertLevelIn
from liaison.auth.principal import Principal
from liaison.i18n.locales import UI_LOCALES
from liaison.push.messages import RENDERERS
from liaison.sync.registry import PULL_SOURCES
from tests.notice_helpers import count, push_jobs

HEIGHTENED = {
    "level": "heightened",
    "reason": "Threat assessment of the DGSI, 14:00",
    "instructions": {
        "fr": "Restez avec votre unité française et portez votre accréditation de façon visible.",
        "de": "Bleiben Sie bei Ihrer französischen Einheit und tragen Sie Ihre Akkreditierung sichtbar.",
        "en": "Stay with your French unit and wear your accreditation visibly.",
    },
}


async def put(client, signed, body, who="coordinator"):
    return await client.put("/api/alert-level", json=body, headers=signed.auth(who))


async def test_everyone_reads_the_level_in_their_own_language(client, signed):
    before = (await client.get("/api/alert-level", headers=signed.auth("officer_it"))).json()
    assert (before["level"], before["label"], before["changed_at"]) == ("vigilance", "Vigilanza", None)
    assert before["instructions"].startswith("Vigilanza normale") and before["lang"] == "it"

    response = await put(client, signed, HEIGHTENED)
    assert response.status_code == 200, response.text
    french = response.json()
    assert (french["level"], french["label"]) == ("heightened", "Sécurité renforcée – risque attentat")
    assert french["instructions"].startswith("Restez avec votre unité") and french["drill"] is None

    german = (await client.get("/api/alert-level", headers=signed.auth("officer_de"))).json()
    assert german["label"] == "Erhöhte Sicherheit – Anschlagsgefahr"
    assert (german["lang"], german["instructions"]) == ("de", HEIGHTENED["instructions"]["de"])
    # No Italian instructions were written: English, the first fallback; the label is still Italian.
    italian = (await client.get("/api/alert-level", headers=signed.auth("officer_it"))).json()
    assert (italian["label"], italian["lang"]) == ("Sicurezza rafforzata – rischio attentato", "en")
    assert german["changed_at"] == french["changed_at"] is not None


async def test_instructions_fall_back_through_accept_language_then_english_then_french(client, signed):
    body = {**HEIGHTENED, "instructions": {"fr": "Consigne", "de": "Anweisung"}}
    await put(client, signed, body)
    accepts_german = {**signed.auth("officer_it"), "Accept-Language": "de-AT, en;q=0.5"}
    assert (await client.get("/api/alert-level", headers=accepts_german)).json()["instructions"] == "Anweisung"
    plain = (await client.get("/api/alert-level", headers=signed.auth("officer_it"))).json()
    assert (plain["lang"], plain["instructions"]) == ("fr", "Consigne")


async def test_a_drill_is_shown_apart_and_never_moves_the_real_level(client, signed, db):
    await put(client, signed, HEIGHTENED)
    drill = {
        "level": "emergency",
        "reason": "Exercise Seine 3",
        "drill": True,
        "instructions": {"en": "Go to the muster point."},
    }
    response = await put(client, signed, drill)
    assert response.status_code == 200, response.text

    seen = (await client.get("/api/alert-level", headers=signed.auth("officer_de"))).json()
    assert (seen["level"], seen["label"]) == ("heightened", "Erhöhte Sicherheit – Anschlagsgefahr")
    assert seen["drill"]["level"] == "emergency" and seen["drill"]["exercise"] is True
    assert seen["drill"]["label"] == "ÜBUNG – Notfall – Terroranschlag"

    real = (await client.get("/api/alert-level/history", headers=signed.auth("coordinator"))).json()
    assert [(c["level"], c["drill"]) for c in real["items"]] == [("heightened", False)]
    assert real["items"][0]["changed_by"]["name"] == "Isabelle Durand"
    assert real["items"][0]["reason"] == HEIGHTENED["reason"]
    drills = (await client.get("/api/alert-level/history?drill=true", headers=signed.auth("coordinator"))).json()
    assert [(c["level"], c["drill"], c["label"]) for c in drills["items"]] == [
        ("emergency", True, "EXERCICE – Urgence attentat")
    ]

    ended = await client.delete("/api/alert-level/drill", headers=signed.auth("coordinator"))
    assert ended.status_code == 200 and ended.json()["drill"] is None
    assert ended.json()["level"] == "heightened"
    assert (await client.delete("/api/alert-level/drill", headers=signed.auth("coordinator"))).status_code == 404
    events = [j.params["event"] for j in await push_jobs(db, "alert_level")]
    assert events == ["change", "drill_start", "drill_end"]


async def test_drill_pushes_say_exercise_in_every_language(client, signed, db):
    await put(client, signed, {"level": "emergency", "reason": "Drill", "drill": True})
    await put(client, signed, {"level": "emergency", "reason": "Real"})
    drill_job, real_job = await push_jobs(db, "alert_level")
    words = {"en": "EXERCISE", "fr": "EXERCICE", "de": "ÜBUNG", "es": "EJERCICIO", "it": "ESERCITAZIONE"}
    words |= {"pl": "ĆWICZENIA", "nl": "OEFENING", "pt": "EXERCÍCIO", "ar": "تمرين"}
    assert set(words) == set(UI_LOCALES)
    for lang, word in words.items():
        drill_text = await RENDERERS["alert_level"](db, drill_job, lang)
        real_text = await RENDERERS["alert_level"](db, real_job, lang)
        assert word in drill_text.title and word not in real_text.title, lang
        assert drill_text.body != real_text.body
    assert (await RENDERERS["alert_level"](db, real_job, "fr")).title == "Niveau d'alerte : Urgence attentat"


async def test_a_change_writes_its_push_in_the_same_transaction(client, signed, db):
    await put(client, signed, HEIGHTENED)
    (job,) = await push_jobs(db, "alert_level")
    assert (job.urgency, job.topic, job.user_ids) == ("high", "alert-level", None)
    assert job.params == {"event": "change", "level": "heightened", "drill": False}
    text = await RENDERERS["alert_level"](db, job, "de")
    assert text.title == "Alarmstufe: Erhöhte Sicherheit – Anschlagsgefahr"
    assert text.body == HEIGHTENED["instructions"]["de"]


async def test_a_rolled_back_change_leaves_no_push_and_no_level(signed, db, monkeypatch):
    def broken_console(*_args: object) -> None:
        raise RuntimeError("console unavailable")

    monkeypatch.setattr(alerts, "emit", broken_console)
    coordinator = Principal(
        user_id=signed.coordinator.id, device_id=uuid.uuid4(), role="coordinator", country=None, locale="fr", name="I"
    )
    with pytest.raises(RuntimeError):
        await alerts.change(db, coordinator, AlertLevelIn(level="emergency", reason="x"))
    await db.rollback()
    assert await push_jobs(db) == []
    assert await count(db, AlertChange) == 0


async def test_bad_alert_changes_get_problem_details(client, signed):
    unknown = await put(client, signed, {"level": "red", "reason": "x"})
    assert unknown.status_code == 400
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert unknown.json()["errors"][0]["field"] == "level"
    no_reason = await put(client, signed, {"level": "emergency", "reason": ""})
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "reason"
    bad_lang = await put(client, signed, {"level": "emergency", "reason": "x", "instructions": {"zz-!!": "t"}})
    assert bad_lang.status_code == 422 and bad_lang.json()["errors"][0]["field"] == "instructions.zz-!!"
    empty_text = await put(client, signed, {"level": "emergency", "reason": "x", "instructions": {"de": "  "}})
    assert empty_text.status_code == 422
    current = (await client.get("/api/alert-level", headers=signed.auth("coordinator"))).json()
    assert current["level"] == "vigilance"


async def test_only_coordinators_change_the_level_or_read_its_history(client, signed):
    for who in ("officer_de", "lead_de", "desk"):
        assert (await put(client, signed, HEIGHTENED, who)).status_code == 403
        assert (await client.get("/api/alert-level/history", headers=signed.auth(who))).status_code == 403
    assert (await client.delete("/api/alert-level/drill", headers=signed.auth("officer_de"))).status_code == 403


async def test_phones_sync_the_level_as_entity_current(client, signed, db):
    anna = Principal(
        user_id=signed.officer_de.id, device_id=uuid.uuid4(), role="officer", country="DE", locale="de", name="Anna"
    )
    (first,) = await PULL_SOURCES["alert_level"](db, anna, 0, 10**9)
    assert (first.entity, first.id, first.data["level"]) == ("alert_level", "current", "vigilance")
    await put(client, signed, HEIGHTENED)
    (changed,) = await PULL_SOURCES["alert_level"](db, anna, 0, 10**9)
    assert changed.data == (await client.get("/api/alert-level", headers=signed.auth("officer_de"))).json()
    assert await PULL_SOURCES["alert_level"](db, anna, changed.version, 10**9) == []


async def test_alert_changes_are_audited(client, signed, db):
    await put(client, signed, HEIGHTENED)
    await put(client, signed, {"level": "emergency", "reason": "Drill", "drill": True})
    log = (await client.get("/api/audit?action=alert_level", headers=signed.auth("coordinator"))).json()
    assert [e["action"] for e in log["items"]] == ["alert_level.drill_start", "alert_level.change"]
    (change,) = (await db.execute(select(AlertChange).where(AlertChange.drill.is_(False)))).scalars()
    assert log["items"][1]["target_id"] == str(change.id)
    assert log["items"][1]["details"]["languages"] == ["de", "en", "fr"]
