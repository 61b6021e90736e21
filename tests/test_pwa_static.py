"""The built PWA as the server hands it out: types a browser accepts, the app shell for deep links."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from liaison.settings import Settings


def build_pwa(settings: Settings) -> None:
    root = settings.static_dir
    (root / "_app" / "immutable" / "entry").mkdir(parents=True)
    (root / "icons").mkdir()
    (root / "index.html").write_text("<!doctype html><title>Liaison</title>")
    (root / "service-worker.js").write_text("self.addEventListener('fetch', () => {});")
    (root / "manifest.webmanifest").write_text('{"name": "Liaison"}')
    (root / "_app" / "immutable" / "entry" / "start.abc123.js").write_text("export {};")
    (root / "icons" / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n")


async def test_deep_links_open_the_app_shell(client: AsyncTestClient, settings: Settings):
    build_pwa(settings)
    for path in ("/", "/join?code=ABCD-EFGH", "/schedule/5b6c", "/today"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"
        assert "attachment" not in response.headers.get("content-disposition", "")
        assert "<title>Liaison</title>" in response.text


async def test_service_worker_manifest_and_assets_have_their_types(client: AsyncTestClient, settings: Settings):
    build_pwa(settings)
    worker = await client.get("/service-worker.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
    assert worker.headers["cache-control"] == "no-cache"  # a new version must be found at once
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    chunk = await client.get("/_app/immutable/entry/start.abc123.js")
    assert chunk.headers["content-type"].startswith("text/javascript")
    assert "immutable" in chunk.headers["cache-control"]
    icon = await client.get("/icons/icon-192.png")
    assert icon.headers["content-type"] == "image/png"


async def test_missing_files_and_api_paths_are_not_the_app_shell(client: AsyncTestClient, settings: Settings):
    build_pwa(settings)
    assert (await client.get("/_app/immutable/entry/gone.js")).status_code == 404
    missing_api = await client.get("/api/no-such-thing")
    assert missing_api.status_code == 404
    assert missing_api.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/../pyproject.toml")).status_code == 404
