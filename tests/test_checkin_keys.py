"""Accreditation signing keys: made at first use, rotated from the command line, old codes still valid."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from joserfc import jwt
from joserfc.jwk import KeySet

from liaison.checkin.keys import KEYRING_FILE, MAX_TOKEN_LIFETIME, keyring
from liaison.checkin.tokens import TokenRefused, verify
from liaison.cli import main
from tests.checkin_helpers import accreditation, expect

pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated:UserWarning")


def _verify_independently(token: str, jwks: dict) -> dict:
    return jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["EdDSA"]).claims


async def test_the_first_key_is_made_at_first_use_and_kept_private(client, signed, settings):
    path = settings.data_dir / KEYRING_FILE
    assert not path.exists()
    jwks = (await client.get("/api/accreditation/jwks.json")).json()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "d" not in jwks["keys"][0]  # the private part never leaves the server
    again = (await client.get("/api/accreditation/jwks.json")).json()
    assert again == jwks


async def test_rotation_signs_with_the_new_key_and_old_codes_stay_valid(client, signed, db, settings):
    await expect(db, signed.officer_de)
    old = await accreditation(client, signed.tokens["officer_de"])

    result = CliRunner().invoke(main, ["keys", "rotate"], env={"LIAISON_DATA_DIR": str(settings.data_dir)})
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(main, ["keys", "list"], env={"LIAISON_DATA_DIR": str(settings.data_dir)})
    assert "signing" in listed.output and "retired, published until" in listed.output

    jwks = (await client.get("/api/accreditation/jwks.json")).json()
    kids = [k["kid"] for k in jwks["keys"]]
    new = await accreditation(client, signed.tokens["officer_it"])
    assert len(kids) == 2 and new["kid"] == kids[0] and old["kid"] == kids[1] and new["kid"] != old["kid"]
    assert _verify_independently(old["token"], jwks)["accreditation_id"] == "P24-DE-0002"
    assert _verify_independently(new["token"], jwks)["accreditation_id"] == "P24-IT-0001"

    checked = await client.post("/api/checkins", json={"token": old["token"]}, headers=signed.auth("desk"))
    assert checked.status_code == 200 and checked.json()["result"] == "checked_in"
    assert checked.json()["checkin"]["method"] == "token"


async def test_a_retired_key_leaves_the_jwks_once_its_codes_have_expired(client, signed, settings):
    old = await accreditation(client, signed.tokens["officer_de"])
    ring = keyring(settings.data_dir)
    ring.rotate()
    now = datetime.now(UTC)
    later = now + MAX_TOKEN_LIFETIME + timedelta(hours=1)
    assert [k["kid"] for k in ring.jwks(later)["keys"]] == [ring.signing_key().kid]
    # The old code had expired by then anyway; its key is simply no longer known.
    with pytest.raises(TokenRefused) as refused:
        verify(ring, old["token"], issuer=settings.base_url, at=now, now=later)
    assert refused.value.reason == "unknown_key"
    # A second rotation forgets keys past their window, so the file does not grow for ever.
    ring.rotate(later)
    assert old["kid"] not in (settings.data_dir / KEYRING_FILE).read_text()
