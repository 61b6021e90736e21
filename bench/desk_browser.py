"""The time a desk needs per arrival, measured in the built PWA: headless Chromium on a tablet viewport
against `liaison serve` with the demo data.

Each arrival: the officer's real QR code (a PNG) goes into the desk's "scan from a photo" input, the PWA
decodes it (jsQR), verifies the EdDSA signature, expiry and revocation list offline, shows the officer,
and the check-in button is pressed at once. Timed per arrival: scan → identity shown ("verified"), and
scan → "checked in" shown. Half the arrivals online (POST /api/checkins), half offline (queued in the
outbox with the scan time). The human part — looking at the person, tapping — is not in these figures.
Noisy on a shared machine: compare figures of one run.

    make bench-desk            # LIAISON_BENCH_DESK_ARRIVALS=20 per mode
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import segno
from playwright.sync_api import Page, expect, sync_playwright
from tests.browser.conftest import BUILD, CHROMIUM, CHROMIUM_ARGS, LiaisonServer

ARRIVALS = int(os.environ.get("LIAISON_BENCH_DESK_ARRIVALS", "20"))


def tokens(api: httpx.Client, count: int) -> list[tuple[str, str]]:
    """(name, token) of officers due today, each fetched by their own (then signed-out) phone."""
    desk = {"Authorization": f"Bearer {login(api, 'desk@demo.liaison')}"}
    due = api.get("/api/officers?status=expected&limit=1000", headers=desk).json()["items"]
    out = []
    for officer in [o for o in due if o["role"] == "officer"][:count]:
        code = api.post(f"/api/officers/{officer['id']}/enrollment", headers=desk).json()["code"]
        phone = {"Authorization": f"Bearer {api.post('/api/auth/enroll', json={'code': code}).json()['access_token']}"}
        out.append((officer["name"], api.get("/api/me/accreditation", headers=phone).json()["token"]))
        api.post("/api/auth/logout", headers=phone)
    return out


def login(api: httpx.Client, email: str) -> str:
    return str(api.post("/api/auth/login", json={"email": email, "password": "liaison-demo"}).json()["access_token"])


def arrival(page: Page, png: Path, name: str) -> tuple[float, float]:
    result = page.get_by_test_id("desk-result")
    started = time.perf_counter()
    page.locator("input[type=file]").set_input_files(str(png))
    expect(result.get_by_role("heading", level=2)).to_have_text(name)
    verified = time.perf_counter()
    result.locator("button.big").first.click()
    expect(result.locator(".verdict.ok")).to_be_visible()
    done = time.perf_counter()
    result.locator("button.big").last.click()  # next arrival
    return verified - started, done - started


def summary(label: str, values: list[float]) -> float:
    ms = sorted(v * 1000 for v in values)
    p90 = ms[max(0, round(0.9 * len(ms)) - 1)]
    median = statistics.median(ms)
    print(f"  {label:<34} median {median:7.0f} ms   p90 {p90:7.0f} ms   (n={len(ms)})")
    return median


def main() -> None:
    if not (BUILD / "index.html").is_file():
        raise SystemExit("frontend/build is missing: run `make frontend` first")
    with tempfile.TemporaryDirectory() as tmp:
        server = LiaisonServer(Path(tmp))
        server.start()
        try:
            with httpx.Client(base_url=server.url, timeout=30) as api:
                people = tokens(api, 2 * ARRIVALS)
            pngs = []
            for i, (name, token) in enumerate(people):
                path = Path(tmp) / f"qr-{i}.png"
                segno.make(token, error="l").save(str(path), scale=6, border=4)
                pngs.append((path, name))
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                ctx = browser.new_context(
                    base_url=server.url,
                    viewport={"width": 1180, "height": 820},
                    locale="en-GB",
                    service_workers="allow",
                )
                ctx.set_default_timeout(20_000)
                page = ctx.new_page()
                page.goto("/login")
                page.locator("#email").fill("desk@demo.liaison")
                page.locator("#password").fill("liaison-demo")
                page.locator("form button[type=submit]").click()
                page.wait_for_url("**/staff")
                page.goto("/desk")
                # Keys, revocations and roster cached: the desk can work offline from here.
                page.locator("[data-testid=desk-status][data-ready=true]").wait_for(timeout=60_000)
                online = [arrival(page, png, name) for png, name in pngs[:ARRIVALS]]
                ctx.set_offline(True)
                offline = [arrival(page, png, name) for png, name in pngs[ARRIVALS:]]
                ctx.set_offline(False)
                stats = page.get_by_test_id("desk-stats").inner_text()
                browser.close()
        finally:
            server.stop()
    print(f"Desk, per arrival, in the browser ({ARRIVALS} online + {ARRIVALS} offline, photo scan, jsQR):")
    on_verify = summary("online: scan → verified", [v for v, _ in online])
    on_done = summary("online: scan → checked in", [d for _, d in online])
    off_verify = summary("offline: scan → verified", [v for v, _ in offline])
    off_done = summary("offline: scan → checked in (queued)", [d for _, d in offline])
    print(f"  the desk's own figure: {stats}")
    print(f"  ratio offline/online, scan → checked in: {off_done / on_done:.2f}")
    print(f"  ratio verify / whole arrival (online): {on_verify / on_done:.2f}; offline: {off_verify / off_done:.2f}")


if __name__ == "__main__":
    main()
