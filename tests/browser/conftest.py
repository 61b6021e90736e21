"""The built PWA against a real `liaison serve` (demo data, temp SQLite) in headless Chromium.

The PWA must be built first (`make frontend`; `make test` does it). The server runs as a subprocess for the
whole session; tests that need the network gone stop it and start it again on the same port and database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "frontend" / "build"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("LIAISON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 780}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiaisonServer:
    """`liaison serve` in a subprocess; stop() and start() keep its port and its database."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "server.log"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "backend"),
            "LIAISON_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'liaison.db'}",
            "LIAISON_DATA_DIR": str(workdir / "data"),
            "LIAISON_DEMO": "1",
            "LIAISON_HOST": "127.0.0.1",
            "LIAISON_PORT": str(self.port),
            "LIAISON_STATIC_DIR": str(BUILD),
            "LIAISON_LOGIN_RATE_PER_MINUTE": "100",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> None:
        command = [str(Path(sys.executable).parent / "liaison"), "serve"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"liaison serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"liaison serve did not answer within {timeout}s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiaisonServer]:
    if not (BUILD / "index.html").is_file():
        pytest.fail("frontend/build is missing: run `make frontend` (or `cd frontend && npm run build`) first")
    srv = LiaisonServer(tmp_path_factory.mktemp("liaison-browser"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def api(server: LiaisonServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def desk_token(api: httpx.Client) -> str:
    response = api.post("/api/auth/login", json={"email": "desk@demo.liaison", "password": "liaison-demo"})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


class Desk:
    """What the accreditation desk does for a new arrival: find the officer, make an enrollment code."""

    def __init__(self, api: httpx.Client, token: str) -> None:
        self.api = api
        self.headers = {"Authorization": f"Bearer {token}"}

    def officer(self, country: str, index: int = 0) -> dict[str, object]:
        found = self.api.get(f"/api/officers?country={country}&limit=1&offset={index}", headers=self.headers)
        assert found.status_code == 200, found.text
        return dict(found.json()["items"][0])

    def code_for(self, officer_id: object) -> str:
        made = self.api.post(f"/api/officers/{officer_id}/enrollment", headers=self.headers)
        assert made.status_code == 201, made.text
        return str(made.json()["code"])

    def phone_token(self, officer_id: object) -> str:
        redeemed = self.api.post("/api/auth/enroll", json={"code": self.code_for(officer_id), "device_name": "API"})
        assert redeemed.status_code == 200, redeemed.text
        return str(redeemed.json()["access_token"])


@pytest.fixture(scope="session")
def desk(api: httpx.Client, desk_token: str) -> Desk:
    return Desk(api, desk_token)


# Per module, not per session: Playwright's sync API runs an event loop in this thread while it is open,
# and the asyncio API tests collected after these could not start theirs.
@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM} (set LIAISON_CHROMIUM)")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, server: LiaisonServer) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        base_url=server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        timezone_id="America/New_York",  # a phone still on home time: the app must show Paris time anyway
        service_workers="allow",
    )
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def shoot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """What the phone's screen shows (full_page for long lists; fixed bars then land mid-page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # A minute, not the context's 15 s: the first screenshot of a fresh Chromium rasterizes its fonts (CJK and
    # Arabic included) on a loaded 2-core machine, and once took longer than 15 s after "fonts loaded".
    page.screenshot(path=str(path), full_page=full_page, timeout=60_000)
    return path
