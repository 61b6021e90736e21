"""The coordinators' console: the alert level with its confirmation and exercises, a broadcast composed in two
languages read by a German officer's phone, and the acknowledgement count moving live on the console.

The demo coordinator's account is French: the console speaks French once signed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import PHONE, Desk, LiaisonServer, shoot

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def laptop(browser: Browser, server: LiaisonServer) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        base_url=server.url,
        viewport=DESKTOP,
        locale="en-GB",
        timezone_id="America/New_York",  # a laptop on another zone: the console still shows Paris time
        service_workers="allow",
    )
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser: Browser, server: LiaisonServer) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        base_url=server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        service_workers="allow",
    )
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


def staff_token(api: httpx.Client, email: str = "coordinator@demo.liaison") -> dict[str, str]:
    response = api.post("/api/auth/login", json={"email": email, "password": "liaison-demo"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def sign_in(page: Page, email: str = "coordinator@demo.liaison") -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("liaison-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff")


def join_phone(context: BrowserContext, desk: Desk, country: str, index: int) -> Page:
    page = context.new_page()
    page.goto(f"/join?code={desk.code_for(desk.officer(country, index)['id'])}")
    page.get_by_role("button", name=re.compile("^(Join|Beitreten)$")).click()
    # A new phone lands on the welcome briefing first, then goes on to the day.
    page.wait_for_url("**/welcome")
    page.locator("a.go").click()
    page.wait_for_url("**/today")
    return page


def test_alert_change_needs_confirmation_and_an_exercise_stays_apart(
    laptop: BrowserContext, phone: BrowserContext, desk: Desk, api: httpx.Client
):
    coordinator = staff_token(api)
    before = api.get("/api/alert-level", headers=coordinator).json()
    officer = join_phone(phone, desk, "DE", 5)
    expect(officer.locator("section.alert")).to_contain_text("Erhöhte Sicherheit")

    page = laptop.new_page()
    sign_in(page)
    page.goto("/console/alert")
    current = page.get_by_test_id("current-level")
    expect(page.get_by_role("heading", name="Niveau d'alerte", level=1)).to_be_visible()
    expect(current).to_contain_text("Sécurité renforcée – risque attentat")
    expect(page.get_by_test_id("live-status")).to_contain_text("En direct")

    page.locator("label.level-option.level-emergency").click()
    page.locator("#reason").fill("Menace signalée par la DGSI")
    page.get_by_role("tab", name=re.compile("^Deutsch")).click()
    page.locator("#instr").fill("Bleiben Sie bei Ihrer französischen Einheit.")
    page.get_by_role("tab", name=re.compile("^Français")).click()
    page.locator("#instr").fill("Restez avec votre unité française.")
    # The tabs say which languages are written.
    expect(page.get_by_role("tab", name=re.compile("^Deutsch.*rédigé"))).to_be_visible()
    shoot(page, "console-01-alert-form-desktop")

    page.get_by_role("button", name="Vérifier le changement…").click()
    dialog = page.get_by_role("dialog", name="Changer le niveau d'alerte ?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Urgence attentat")
    expect(dialog).to_contain_text("alerte RÉELLE")
    reach = api.get("/api/alert-level/reach", headers=coordinator).json()
    people = re.sub(r"\B(?=(\d{3})+$)", "\u202f", str(reach["people"]))  # French digit groups
    expect(dialog.get_by_test_id("confirm-reach")).to_contain_text(people)
    shoot(page, "console-02-alert-confirm-desktop")

    # Cancelling changes nothing, on the console or on the server.
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    assert api.get("/api/alert-level", headers=coordinator).json()["level"] == before["level"]
    expect(current).to_contain_text("Sécurité renforcée")

    page.get_by_role("button", name="Vérifier le changement…").click()
    dialog.get_by_role("button", name="Confirmer le changement").click()
    expect(current).to_contain_text("Urgence attentat")
    expect(current).to_contain_text("Restez avec votre unité française.")
    expect(page.get_by_test_id("history-real").locator("li").first).to_contain_text("Menace signalée par la DGSI")
    expect(page.get_by_test_id("history-real").locator("li").first).to_contain_text("Isabelle Durand")
    assert api.get("/api/alert-level", headers=coordinator).json()["level"] == "emergency"

    # The officer's phone shows it, in German, once it syncs.
    officer.reload()
    expect(officer.locator("section.alert")).to_contain_text("Notfall – Terroranschlag")
    expect(officer.locator("section.alert")).to_contain_text("Bleiben Sie bei Ihrer französischen Einheit.")

    # An exercise: marked as such everywhere, and kept apart from the real level and its history.
    page.get_by_test_id("drill-switch").check()
    page.locator("label.level-option.level-vigilance").click()
    page.locator("#reason").fill("Exercice d'évacuation annuel")
    page.get_by_role("button", name="Vérifier et lancer l'exercice…").click()
    drill_dialog = page.get_by_role("dialog", name="Lancer cet exercice ?")
    expect(drill_dialog).to_contain_text("EXERCICE – Vigilance")
    expect(drill_dialog).to_contain_text("Ceci est un EXERCICE")
    shoot(page, "console-03-drill-confirm-desktop")
    drill_dialog.get_by_role("button", name="Lancer l'exercice").click()
    expect(page.get_by_test_id("current-drill")).to_contain_text("EXERCICE – Vigilance")
    expect(current).to_contain_text("Urgence attentat")
    expect(page.get_by_test_id("history-drills")).to_contain_text("Exercice d'évacuation annuel")
    expect(page.get_by_test_id("history-real")).not_to_contain_text("Exercice d'évacuation annuel")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "console-04-alert-with-drill-desktop")
    page.get_by_test_id("history-drills").scroll_into_view_if_needed()
    shoot(page, "console-04b-alert-histories-desktop")

    officer.reload()
    expect(officer.get_by_test_id("alert-drill")).to_contain_text("ÜBUNG – Wachsamkeit")
    expect(officer.locator("section.alert")).to_contain_text("Notfall – Terroranschlag")
    shoot(officer, "console-05-phone-alert-and-drill")

    page.get_by_role("button", name="Terminer l'exercice").first.click()
    page.get_by_role("dialog", name="Terminer l'exercice ?").get_by_role("button", name="Terminer l'exercice").click()
    expect(page.get_by_test_id("current-drill")).to_have_count(0)
    assert api.get("/api/alert-level", headers=coordinator).json()["drill"] is None

    page.set_viewport_size(TABLET)
    shoot(page, "console-06-alert-tablet")
    # Leave the level as the demo had it, for the tests that follow.
    restored = api.put(
        "/api/alert-level", json={"level": before["level"], "reason": "Fin du test"}, headers=coordinator
    )
    assert restored.status_code == 200, restored.text


def test_a_notice_in_two_languages_is_read_in_german_and_the_console_count_moves_live(
    laptop: BrowserContext, phone: BrowserContext, desk: Desk, api: httpx.Client
):
    coordinator = staff_token(api)
    expected = api.post("/api/notices/audience", json={"audience": {"countries": ["DE"]}}, headers=coordinator).json()
    assert expected["total"] > 1
    officer = join_phone(phone, desk, "DE", 6)

    page = laptop.new_page()
    sign_in(page)
    page.goto("/console/notices/new")
    expect(page.get_by_role("heading", name="Nouveau message ou briefing")).to_be_visible()
    page.get_by_label("Trouver un pays").fill("Allem")
    page.get_by_role("checkbox", name=re.compile("^Allemagne")).check()
    count = page.get_by_test_id("audience-count")
    expect(count.get_by_test_id("audience-total")).to_have_text(str(expected["total"]))
    expect(count).to_contain_text("Allemagne")

    page.locator("#title").fill("Fermeture de la porte C")
    page.locator("#body").fill("Utilisez la porte D jusqu'à nouvel ordre.")
    page.get_by_role("tab", name=re.compile("^Deutsch")).click()
    page.locator("#title").fill("Tor C geschlossen")
    page.locator("#body").fill("Benutzen Sie bis auf Weiteres Tor D.")
    # The German text came from a translation engine: said so to the coordinator and to the officer.
    page.get_by_label("Traduction automatique (signalée comme telle aux officiers)").check()

    # The preview applies the officers' fallback chain: German for a German reader, French for a Spanish one.
    preview = page.get_by_test_id("preview")
    page.get_by_label("Langue de l'officier").select_option("de")
    expect(preview).to_contain_text("Tor C geschlossen")
    expect(preview).to_contain_text("Empfang bestätigen")
    expect(page.get_by_test_id("served-language")).to_contain_text("Lu en Deutsch")
    expect(page.get_by_text("Cette langue est signalée comme traduction automatique.")).to_be_visible()
    page.get_by_label("Langue de l'officier").select_option("es")
    expect(preview).to_contain_text("Fermeture de la porte C")
    expect(page.get_by_test_id("served-language")).to_contain_text("Pas de texte en Español")
    page.get_by_label("Langue de l'officier").select_option("de")
    preview.scroll_into_view_if_needed()
    shoot(page, "console-07-compose-desktop")
    page.set_viewport_size(TABLET)
    count.scroll_into_view_if_needed()
    shoot(page, "console-08-compose-tablet")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name=f"Envoyer · destinataires : {expected['total']}").click()
    page.wait_for_url(re.compile(r"/console/notices/[0-9a-f-]{36}"))
    acknowledged = page.get_by_test_id("acknowledged")
    expect(acknowledged).to_have_text("0")
    expect(page.get_by_test_id("ack-total")).to_contain_text(f"sur {expected['total']}")
    expect(page.get_by_test_id("live-status")).to_contain_text("En direct")
    page.evaluate("window.__sameDocument = true")
    shoot(page, "console-09-dashboard-before-desktop")

    # The German officer's phone gets it in German and acknowledges it.
    officer.reload()
    officer.get_by_role("navigation").get_by_role("link", name=re.compile("^Mitteilungen")).click()
    card = officer.locator("article.notice", has_text="Tor C geschlossen")
    expect(card).to_have_attribute("lang", "de")
    expect(card).to_contain_text("Benutzen Sie bis auf Weiteres Tor D.")
    expect(card).to_contain_text("Maschinelle Übersetzung")
    card.get_by_role("button", name="Empfang bestätigen").click()
    expect(card).to_contain_text("Empfang bestätigt")
    shoot(officer, "console-10-phone-notice-acknowledged")

    # The console's count moves by exactly one, without a reload.
    expect(acknowledged).to_have_text("1")
    expect(page.get_by_test_id("ack-total")).to_contain_text(f"sur {expected['total']}")
    assert page.evaluate("window.__sameDocument") is True
    pending = page.get_by_role("heading", name=f"Réception pas encore confirmée ({expected['total'] - 1})")
    expect(pending).to_be_visible()
    # The country's bar follows.
    expect(page.locator('tr[data-key="DE"]')).to_contain_text(f"1 sur {expected['total']}")
    shoot(page, "console-11-dashboard-after-desktop")
    page.set_viewport_size(TABLET)
    shoot(page, "console-12-dashboard-tablet")
    page.get_by_role("heading", name=re.compile("^Réception pas encore confirmée")).scroll_into_view_if_needed()
    shoot(page, "console-12b-dashboard-pending-tablet")

    page.set_viewport_size(DESKTOP)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Diffusions").click()
    item = page.locator("li.item", has_text="Fermeture de la porte C")
    expect(item).to_contain_text(f"Réception confirmée : 1 sur {expected['total']}")
    shoot(page, "console-13-broadcasts-desktop")


def test_the_console_reads_right_to_left_in_arabic_and_refuses_other_roles(
    laptop: BrowserContext, browser: Browser, server: LiaisonServer
):
    page = laptop.new_page()
    sign_in(page, "admin@demo.liaison")
    page.goto("/me")
    page.get_by_label("Langue").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto("/console/alert")
    expect(page.get_by_role("heading", name="مستوى الإنذار", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="وحدة التحكم")
    first = nav.get_by_role("listitem").first.bounding_box()
    last = nav.get_by_role("listitem").last.bounding_box()
    assert first and last and first["x"] > last["x"], "the console's tabs start on the right in Arabic"
    # The level's name in the console's language (the server may still know the account as French).
    expect(page.get_by_test_id("current-level")).to_contain_text(re.compile("يقظة|أمن مشدد|طوارئ"))
    expect(page.get_by_test_id("history-real").locator("li").first).to_be_visible()
    shoot(page, "console-14-alert-arabic-desktop")
    page.goto("/console/notices/new")
    expect(page.get_by_role("heading", name="بلاغ أو إحاطة جديدة")).to_be_visible()
    shoot(page, "console-15-compose-arabic-desktop")

    # The desk may not use the console: it is sent home.
    desk_context = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="en-GB")
    try:
        desk_page = desk_context.new_page()
        sign_in(desk_page, "desk@demo.liaison")
        desk_page.goto("/console/alert")
        desk_page.wait_for_url("**/staff")
    finally:
        desk_context.close()


def test_a_briefing_for_one_shift_is_escalated_updated_then_cancelled(laptop: BrowserContext, api: httpx.Client):
    coordinator = staff_token(api)
    now = datetime.now(UTC)
    window = {"from": now.isoformat(), "to": (now + timedelta(hours=36)).isoformat(), "limit": 50}
    shifts = api.get("/api/shifts", params=window, headers=coordinator).json()["items"]
    shift = next(s for s in shifts if s["assigned"])
    day = datetime.fromisoformat(shift["starts_at"]).astimezone(PARIS).date().isoformat()
    expected = api.post("/api/briefings/audience", json={"shift_id": shift["id"]}, headers=coordinator).json()
    assert expected["total"] == shift["assigned"]

    page = laptop.new_page()
    sign_in(page)
    page.goto("/console/notices/new")
    page.get_by_role("radio", name="Briefing").check()
    page.get_by_role("radio", name="Une vacation").check()
    page.get_by_label("Site", exact=True).select_option(shift["venue_id"])
    page.get_by_label("Jour", exact=True).fill(day)
    page.get_by_label("Vacation (heure de Paris)").select_option(shift["id"])
    page.get_by_role("radio", name="Les personnes de cette vacation").check()
    expect(page.get_by_test_id("audience-total")).to_have_text(str(expected["total"]))
    page.locator("#title").fill("Briefing de prise de service")
    page.locator("#body").fill("Point de rassemblement à la porte X, gilet visible.")
    page.get_by_role("button", name=re.compile("^Envoyer")).click()
    page.wait_for_url(re.compile(r"/console/notices/[0-9a-f-]{36}\?kind=briefing"))
    expect(page.get_by_test_id("ack-total")).to_contain_text(f"sur {expected['total']}")
    original = page.url

    # Nobody acknowledged yet: each country's delegation lead is told who, by name.
    page.get_by_role("button", name="Prévenir les chefs de délégation").click()
    told = page.get_by_role("status").filter(has_text="Chefs de délégation prévenus")
    expect(told).to_be_visible()
    expect(told.locator("li").first).to_contain_text("sans confirmation")
    shoot(page, "console-16-briefing-escalated-desktop")

    # An update starts from the original's text, and says what it replaces.
    page.get_by_role("link", name="Mettre à jour").click()
    expect(page.get_by_role("heading", name="Mettre à jour une diffusion")).to_be_visible()
    expect(page.locator("#title")).to_have_value("Briefing de prise de service")
    page.locator("#title").fill("Briefing de prise de service (porte Y)")
    page.get_by_role("button", name=re.compile("^Envoyer")).click()
    page.wait_for_url(lambda url: url != original and "/console/notices/" in url and "/new" not in url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Briefing de prise de service (porte Y)")
    update = page.url
    # The original, opened from the update, says it was replaced; and back.
    page.get_by_role("link", name="Ceci est une mise à jour : ouvrir l'original").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Briefing de prise de service")
    page.get_by_role("link", name="Remplacé par une mise à jour : l'ouvrir").click()
    page.wait_for_url(update)
    expect(page.get_by_role("heading", level=1)).to_have_text("Briefing de prise de service (porte Y)")

    page.get_by_role("button", name="L'annuler").click()
    dialog = page.get_by_role("dialog", name="Annuler cette diffusion ?")
    dialog.get_by_label("Motif (facultatif)").fill("Horaire changé")
    dialog.get_by_role("button", name="L'annuler").click()
    expect(page.get_by_text(re.compile("^Annulé le .*Horaire changé"))).to_be_visible()
    shoot(page, "console-17-briefing-cancelled-desktop")


def test_people_are_found_by_name_and_counted_one_by_one(laptop: BrowserContext, api: httpx.Client):
    coordinator = staff_token(api)
    found = api.get("/api/officers", params={"country": "IT", "limit": 2}, headers=coordinator).json()["items"]
    page = laptop.new_page()
    sign_in(page)
    page.goto("/console/notices/new")
    page.get_by_role("radio", name="Personnes").check()
    search = page.get_by_label("Rechercher par nom, e-mail ou numéro d'accréditation")
    for number, officer in enumerate(found, start=1):
        search.fill(str(officer["accreditation_id"]))
        page.locator("ul.found li", has_text=str(officer["name"])).get_by_role("button", name="Ajouter").click()
        expect(page.get_by_test_id("audience-total")).to_have_text(str(number))
    expect(page.get_by_role("list", name="Personnes choisies").locator("li")).to_have_count(len(found))
    page.get_by_role("button", name=f"Retirer {found[0]['name']}").click()
    expect(page.get_by_test_id("audience-total")).to_have_text("1")
