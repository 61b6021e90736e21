"""The accreditation desk on a tablet: a real officer's QR read from a photo, verified on the tablet, checked in
once; offline check-ins queued with their scan time and counted once; forged codes refused; the officer's own
QR screen on a phone, also offline."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import segno
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import PHONE, SCREENSHOTS, Desk, LiaisonServer, shoot

pytestmark = pytest.mark.browser
# The officer app's IndexedDB holds the signed accreditation (meta 'accreditation').
STORED_ACCREDITATION = """() => new Promise((resolve) => {
  const open = indexedDB.open('liaison');
  open.onerror = () => resolve(false);
  open.onsuccess = () => {
    const get = open.result.transaction('meta').objectStore('meta').get('accreditation');
    get.onsuccess = () => resolve(!!get.result?.value?.token);
    get.onerror = () => resolve(false);
  };
})"""
TABLET = {"width": 1180, "height": 820}


# -- helpers --------------------------------------------------------------------------------------------------
class Arrivals:
    """Officers of the demo who are due and not yet checked in, handed out one per test."""

    def __init__(self, api: httpx.Client, desk: Desk) -> None:
        found = api.get("/api/officers?status=expected&limit=1000", headers=desk.headers)
        assert found.status_code == 200, found.text
        today = datetime.now(UTC).date()
        self.queue = [
            o
            for o in found.json()["items"]
            if o["role"] == "officer"
            and o["arrival"]
            and abs((datetime.fromisoformat(o["arrival"]).date() - today).days) <= 1
        ]
        assert len(self.queue) > 10, "the demo has too few officers to arrive"
        self.used = 0

    def next(self) -> dict[str, object]:
        officer = self.queue[self.used]
        self.used += 1
        return officer


@pytest.fixture(scope="module")
def arrivals(api: httpx.Client, desk: Desk) -> Arrivals:
    return Arrivals(api, desk)


def accreditation(api: httpx.Client, desk: Desk, officer: dict[str, object]) -> dict[str, object]:
    phone = {"Authorization": f"Bearer {desk.phone_token(officer['id'])}"}
    got = api.get("/api/me/accreditation", headers=phone)
    assert got.status_code == 200, got.text
    # That phone signs out again: the officer arrives with no enrolled phone, as a new arrival does.
    assert api.post("/api/auth/logout", headers=phone).status_code in (200, 204)
    return dict(got.json())


def qr_png(text: str, name: str) -> Path:
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS.parent / f"{name}.png"
    segno.make(text, error="l", micro=False).save(str(path), scale=6, border=4)
    return path


def tablet(browser: Browser, server: LiaisonServer) -> BrowserContext:
    ctx = browser.new_context(
        base_url=server.url,
        viewport=TABLET,
        device_scale_factor=1,
        has_touch=True,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        service_workers="allow",
    )
    ctx.set_default_timeout(15_000)
    return ctx


def sign_in_desk(page: Page, email: str = "desk@demo.liaison") -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("liaison-demo")
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/staff")
    page.goto("/desk")
    # Keys, revocations and the roster cached on the tablet: from here it works offline.
    expect(page.get_by_test_id("desk-status")).to_contain_text("Prêt hors ligne", timeout=30_000)


def scan_photo(page: Page, png: Path) -> None:
    page.locator("input[type=file]").set_input_files(str(png))


def counted(api: httpx.Client, desk: Desk, officer_id: object) -> list[dict[str, object]]:
    scans = api.get(f"/api/checkins?officer_id={officer_id}&limit=50", headers=desk.headers)
    assert scans.status_code == 200, scans.text
    return [s for s in scans.json()["items"] if s["result"] == "checked_in"]


def result(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("desk-result")


# -- tests ----------------------------------------------------------------------------------------------------
def test_desk_reads_a_qr_photo_checks_in_once_and_shows_the_enrollment_code(
    browser: Browser, server: LiaisonServer, api: httpx.Client, desk: Desk, arrivals: Arrivals
):
    officer = arrivals.next()
    card = accreditation(api, desk, officer)
    png = qr_png(str(card["token"]), "qr-officer-1")
    ctx = tablet(browser, server)
    try:
        page = ctx.new_page()
        sign_in_desk(page)
        shoot(page, "desk-01-ready")

        started = time.perf_counter()
        scan_photo(page, png)
        expect(result(page).get_by_role("heading", level=2)).to_have_text(str(officer["name"]))
        verified = time.perf_counter()
        expect(result(page)).to_contain_text("Signature vérifiée sur cet appareil")
        expect(result(page)).to_contain_text(str(officer["accreditation_id"]))
        expect(result(page)).to_contain_text("Arrivée prévue")
        shoot(page, "desk-02-verified")
        result(page).get_by_role("button", name="Enregistrer l'arrivée").click()
        expect(result(page)).to_contain_text("Arrivée enregistrée.")
        done = time.perf_counter()
        print(
            f"\ndesk timing: photo scan → verified {verified - started:.2f} s;"
            f" → checked in (with the tap) {done - started:.2f} s"
        )

        # The officer's phone has no enrolled device yet: the desk shows its single-use code as a QR.
        enrollment = result(page).get_by_role("img", name="QR code d'enrôlement")
        expect(enrollment).to_be_visible()
        expect(result(page)).to_contain_text("valable jusqu'à")
        shoot(page, "desk-03-checked-in-enrollment")
        assert len(counted(api, desk, officer["id"])) == 1
        expect(page.get_by_test_id("desk-stats")).to_contain_text("Arrivées enregistrées à ce guichet : 1")

        # The same QR again: known on this tablet, reported, and nothing more is sent or counted.
        result(page).get_by_role("button", name="Arrivée suivante").click()
        scan_photo(page, png)
        expect(result(page).locator(".verdict")).to_contain_text("Déjà enregistré à")
        expect(result(page).get_by_role("button", name="Enregistrer l'arrivée")).to_have_count(0)
        shoot(page, "desk-04-already")
        assert len(counted(api, desk, officer["id"])) == 1
    finally:
        ctx.close()


def test_second_desk_online_is_told_by_the_server_and_nothing_is_counted_twice(
    browser: Browser, server: LiaisonServer, api: httpx.Client, desk: Desk, arrivals: Arrivals
):
    officer = arrivals.next()
    png = qr_png(str(accreditation(api, desk, officer)["token"]), "qr-officer-2")
    ctx = tablet(browser, server)
    try:
        page = ctx.new_page()
        sign_in_desk(page)  # roster cached: this tablet believes the officer is still expected
        done = api.post("/api/checkins", json={"accreditation_id": officer["accreditation_id"]}, headers=desk.headers)
        assert done.json()["result"] == "checked_in"
        scan_photo(page, png)
        result(page).get_by_role("button", name="Enregistrer l'arrivée").click()
        expect(result(page).locator(".verdict")).to_contain_text("Déjà enregistré à")
        assert len(counted(api, desk, officer["id"])) == 1
    finally:
        ctx.close()


def test_offline_desk_queues_with_the_scan_time_syncs_and_counts_once(
    browser: Browser, server: LiaisonServer, api: httpx.Client, desk: Desk, arrivals: Arrivals
):
    officer = arrivals.next()
    png = qr_png(str(accreditation(api, desk, officer)["token"]), "qr-officer-3")
    ctx = tablet(browser, server)
    try:
        page = ctx.new_page()
        sign_in_desk(page)
        ctx.set_offline(True)
        scanned = datetime.now(UTC)
        scan_photo(page, png)
        expect(result(page)).to_contain_text("Signature vérifiée sur cet appareil")
        result(page).get_by_role("button", name="Enregistrer l'arrivée").click()
        expect(result(page)).to_contain_text("Elle sera synchronisée au retour du réseau")
        expect(result(page)).to_contain_text("L'enrôlement du téléphone nécessite le réseau")
        expect(page.get_by_test_id("desk-queue")).to_contain_text("en attente de synchronisation : 1")
        expect(page.locator(".recent li").first).to_contain_text("En attente de synchronisation")
        shoot(page, "desk-05-offline-queued")
        assert counted(api, desk, officer["id"]) == []
        # The tablet restarted without network: the desk, its cache and its queue come back from the device.
        page.reload()
        expect(page.locator("[data-testid=desk-status][data-ready=true]")).to_be_visible()
        expect(page.get_by_test_id("desk-queue")).to_contain_text(": 1")

        # Scanned again while still offline: this tablet knows, and queues nothing more.
        scan_photo(page, png)
        expect(result(page).locator(".verdict")).to_contain_text("Déjà enregistré")
        expect(page.get_by_test_id("desk-queue")).to_contain_text(": 1")

        time.sleep(1.5)  # the server receives it visibly later than the scan
        ctx.set_offline(False)
        expect(page.get_by_test_id("desk-queue")).to_contain_text("Rien en attente de synchronisation", timeout=20_000)
        expect(page.locator(".recent li").first).to_contain_text("Synchronisé")
        shoot(page, "desk-06-synced")
        scans = counted(api, desk, officer["id"])
        assert len(scans) == 1
        assert scans[0]["source"] == "offline"
        occurred = datetime.fromisoformat(str(scans[0]["occurred_at"]))
        received = datetime.fromisoformat(str(scans[0]["received_at"]))
        # The scan time travelled with the queued check-in; the server received it later.
        assert abs(occurred - scanned) < timedelta(seconds=3), (occurred, scanned)
        assert received - occurred > timedelta(seconds=1)
    finally:
        ctx.close()


def test_two_offline_desks_conflict_lands_in_the_coordinators_review_list(
    browser: Browser, server: LiaisonServer, api: httpx.Client, desk: Desk, arrivals: Arrivals
):
    officer = arrivals.next()
    png = qr_png(str(accreditation(api, desk, officer)["token"]), "qr-officer-4")
    first, second = tablet(browser, server), tablet(browser, server)
    try:
        a, b = first.new_page(), second.new_page()
        sign_in_desk(a)
        sign_in_desk(b)
        first.set_offline(True)
        second.set_offline(True)
        for page in (a, b):
            scan_photo(page, png)
            result(page).get_by_role("button", name="Enregistrer l'arrivée").click()
            expect(result(page)).to_contain_text("Elle sera synchronisée")
        first.set_offline(False)
        expect(a.get_by_test_id("desk-queue")).to_contain_text("Rien en attente", timeout=20_000)
        second.set_offline(False)
        expect(b.get_by_test_id("desk-queue")).to_contain_text("Rien en attente", timeout=20_000)
        assert len(counted(api, desk, officer["id"])) == 1

        review = tablet(browser, server)
        coordinator = review.new_page()
        sign_in_desk(coordinator, "coordinator@demo.liaison")
        coordinator.get_by_role("link", name="Conflits à examiner").click()
        item = coordinator.locator("li.card", has_text=str(officer["name"]))
        expect(item).to_contain_text("guichet hors ligne, synchronisé plus tard")
        shoot(coordinator, "desk-07-conflicts")
        item.get_by_role("button", name="Marquer comme examiné").click()
        expect(coordinator.locator("li.card", has_text=str(officer["name"]))).to_have_count(0)
        review.close()
    finally:
        first.close()
        second.close()


def test_forged_and_foreign_codes_are_refused_offline(
    browser: Browser, server: LiaisonServer, api: httpx.Client, desk: Desk, arrivals: Arrivals
):
    officer = arrivals.next()
    token = str(accreditation(api, desk, officer)["token"])
    header, claims, signature = token.split(".")
    # A changed signature, and a genuine signature over claims someone edited (another name).
    forged_signature = f"{header}.{claims}.{('A' if signature[0] != 'A' else 'B') + signature[1:]}"
    import base64
    import json

    body = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    body["name"] = "Someone Else"
    edited = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    forged_claims = f"{header}.{edited}.{signature}"
    ctx = tablet(browser, server)
    try:
        page = ctx.new_page()
        sign_in_desk(page)
        ctx.set_offline(True)
        for name, text in (("forged-signature", forged_signature), ("forged-claims", forged_claims)):
            scan_photo(page, qr_png(text, f"qr-{name}"))
            expect(result(page).locator(".verdict")).to_contain_text("La signature n'est pas valide")
            expect(result(page).get_by_role("button", name="Enregistrer l'arrivée")).to_have_count(0)
            if name == "forged-signature":
                shoot(page, "desk-08-forged")
            result(page).get_by_role("button", name="Scanner le suivant").click()
        scan_photo(page, qr_png("https://example.org/not-an-accreditation", "qr-foreign"))
        expect(result(page).locator(".verdict")).to_contain_text("Ce n'est pas un code d'accréditation Liaison")
        ctx.set_offline(False)
    finally:
        ctx.close()
    assert counted(api, desk, officer["id"]) == []


def test_typed_accreditation_id_checks_in_from_the_cached_roster_offline(
    browser: Browser, server: LiaisonServer, api: httpx.Client, desk: Desk, arrivals: Arrivals
):
    officer = arrivals.next()
    ctx = tablet(browser, server)
    try:
        page = ctx.new_page()
        sign_in_desk(page)
        ctx.set_offline(True)
        page.get_by_label("Ou saisissez le numéro d'accréditation").fill(str(officer["accreditation_id"]).lower())
        page.get_by_role("button", name="Rechercher").click()
        expect(result(page).get_by_role("heading", level=2)).to_have_text(str(officer["name"]))
        expect(result(page)).to_contain_text("Saisi à la main : comparez avec les pièces d'identité")
        result(page).get_by_role("button", name="Enregistrer l'arrivée").click()
        expect(page.get_by_test_id("desk-queue")).to_contain_text(": 1")
        ctx.set_offline(False)
        expect(page.get_by_test_id("desk-queue")).to_contain_text("Rien en attente", timeout=20_000)
    finally:
        ctx.close()
    scans = counted(api, desk, officer["id"])
    assert len(scans) == 1 and scans[0]["method"] == "accreditation_id"


def test_officer_joins_sees_the_welcome_in_german_and_shows_the_qr_offline(
    page: Page, server: LiaisonServer, api: httpx.Client, desk: Desk, browser: Browser, arrivals: Arrivals
):
    officer = next(o for o in arrivals.queue[arrivals.used :] if o["country"] == "DE")
    arrivals.queue.remove(officer)
    page.goto(f"/join?code={desk.code_for(officer['id'])}")
    page.get_by_role("button", name="Join", exact=True).click()
    page.wait_for_url("**/welcome")
    # The account's language, and the welcome briefing in it.
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Willkommen bei Paris 2024")).to_be_visible()
    shoot(page, "officer-01-welcome-de")

    # Kept on the phone at once: the officer may first open the QR in a basement with no signal.
    page.wait_for_function(STORED_ACCREDITATION)
    page.wait_for_function(
        "async () => !!(await navigator.serviceWorker.ready).active && !!navigator.serviceWorker.controller"
    )

    server.stop()
    try:
        page.locator("a.go").click()
        page.get_by_role("navigation").get_by_role("link", name="Ich").click()
        page.get_by_role("link", name="Meine Akkreditierung").click()
        qr = page.get_by_role("img", name="QR-Code der Akkreditierung")
        expect(qr).to_be_visible()
        expect(page.locator("section.pass")).to_contain_text(str(officer["accreditation_id"]))
        box = qr.bounding_box()
        # Large (nearly the phone's width) and whole on the screen: nothing to scroll, nothing covering it.
        assert box and box["width"] >= PHONE["width"] - 40
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
        page.reload()  # and after a restart, still with no network
        expect(page.get_by_role("img", name="QR-Code der Akkreditierung")).to_be_visible()
        expect(page.locator("section.pass h2")).to_have_text(str(officer["name"]))
        shoot(page, "officer-02-qr-offline")
        # What the phone shows is what the desk reads: its screenshot goes through the desk's scanner.
        screen = SCREENSHOTS.parent / "qr-from-phone.png"
        page.get_by_role("img", name="QR-Code der Akkreditierung").screenshot(path=str(screen), timeout=60_000)
    finally:
        server.start()

    ctx = tablet(browser, server)
    try:
        desk_page = ctx.new_page()
        sign_in_desk(desk_page)
        scan_photo(desk_page, screen)
        expect(result(desk_page).get_by_role("heading", level=2)).to_have_text(str(officer["name"]))
        result(desk_page).get_by_role("button", name="Enregistrer l'arrivée").click()
        expect(result(desk_page)).to_contain_text("Arrivée enregistrée.")
        # This phone is enrolled already: no new code unless asked for.
        expect(result(desk_page)).to_contain_text("a déjà un téléphone enrôlé")
    finally:
        ctx.close()


def y4m_of(png: Path, path: Path, width: int = 640, height: int = 480, frames: int = 10) -> Path:
    """A still video (YUV4MPEG2, 4:2:0) of the QR on white, for Chromium's fake camera."""
    from PIL import Image

    frame = Image.new("L", (width, height), 255)
    qr = Image.open(png).convert("L")
    side = min(width, height) - 40
    qr = qr.resize((side, side), Image.Resampling.NEAREST)
    frame.paste(qr, ((width - side) // 2, (height - side) // 2))
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


def test_desk_camera_reads_the_qr_from_a_video_feed(
    playwright_instance, server: LiaisonServer, api: httpx.Client, desk: Desk, arrivals: Arrivals
):
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    officer = arrivals.next()
    png = qr_png(str(accreditation(api, desk, officer)["token"]), "qr-officer-camera")
    video = y4m_of(png, SCREENSHOTS.parent / "qr-officer-camera.y4m")
    camera_browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        ctx = tablet(camera_browser, server)
        ctx.grant_permissions(["camera"], origin=server.url)
        page = ctx.new_page()
        sign_in_desk(page)
        started = time.perf_counter()
        page.get_by_role("button", name="Allumer la caméra").click()
        expect(result(page).get_by_role("heading", level=2)).to_have_text(str(officer["name"]), timeout=20_000)
        print(f"\ndesk timing: camera on → QR read from the video and verified {time.perf_counter() - started:.2f} s")
        expect(result(page)).to_contain_text("Signature vérifiée sur cet appareil")
        shoot(page, "desk-09-camera")
        result(page).get_by_role("button", name="Enregistrer l'arrivée").click()
        expect(result(page)).to_contain_text("Arrivée enregistrée.")
        # Next arrival: the camera scans again and, still seeing the same QR, reports it already in.
        result(page).get_by_role("button", name="Arrivée suivante").click()
        expect(result(page).locator(".verdict")).to_contain_text("Déjà enregistré", timeout=20_000)
        ctx.close()
    finally:
        camera_browser.close()
    assert len(counted(api, desk, officer["id"])) == 1
