"""The demo data set, as an outside client sees it after `make run`."""

from __future__ import annotations

from liaison.database import make_engine, make_sessionmaker
from liaison.demo.seed import delegation_sizes, seed_if_empty
from liaison.settings import Settings
from tests.factories import enroll, login


def test_delegations_add_up_to_2185():
    sizes = delegation_sizes()
    assert sum(sizes.values()) == 2185
    assert len(sizes) == 46
    assert {"DE", "GB", "IT", "PL", "US", "IL"} <= set(sizes)


async def test_demo_seeds_once_and_serves_the_story(client, app):
    engine = make_engine(Settings(database_url=app.state.settings.database_url))
    async with make_sessionmaker(engine)() as session:
        assert await seed_if_empty(session) is True
    async with make_sessionmaker(engine)() as session:
        assert await seed_if_empty(session) is False
    await engine.dispose()

    token = await login(client, "coordinator@demo.liaison", "liaison-demo")
    staff = {"Authorization": f"Bearer {token}"}
    countries = (await client.get("/api/countries", headers=staff)).json()
    assert countries["total"] == 46
    officers = (await client.get("/api/officers?limit=1", headers=staff)).json()
    assert officers["total"] >= 2185
    venues = (await client.get("/api/venues?limit=100", headers=staff)).json()
    assert "Stade de France" in {v["name"] for v in venues["items"]}

    desk = await login(client, "desk@demo.liaison", "liaison-demo")
    officer_id = (await client.get("/api/officers?country=IL&limit=1", headers=staff)).json()["items"][0]["id"]
    phone = {"Authorization": f"Bearer {await enroll(client, desk, officer_id)}"}
    mine = (await client.get("/api/me/assignments", headers=phone)).json()
    assert len(mine) >= 8  # five days in seven over two weeks
    assert {a["officer_id"] for a in mine} == {officer_id}
    assert (await client.get("/api/officers", headers=phone)).status_code == 403
