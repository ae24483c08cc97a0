"""Sessions end on the server, sign-ins are throttled in the ledger, API keys can be revoked at once (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hedgerow.api import ServerConfig
from hedgerow.services.users import revoke_api_key

from .conftest import NOW, PASSWORD, SECRET, Seeded, bearer, build_seeded, make_app

WRONG = "wrong password!"
REJECT = {"decision": "reject", "reason_category": "budget", "reason": "no cash this quarter"}
#: The default limits (named in ServerConfig; the tests below assert the boundary of each).
PER_NAME = ServerConfig().login_attempts
PER_ADDRESS = ServerConfig().login_attempts_per_address


def _status(client: TestClient, seeded: Seeded, rec_id: str) -> str:
    """The recommendation's status, after checking no decision was recorded on it."""
    r = client.get(f"/api/recommendations/{rec_id}", headers=bearer(seeded, "vic"))
    assert r.status_code == 200
    assert r.json()["decisions"] == []
    status: str = r.json()["recommendation"]["status"]
    return status


def test_a_cookie_copied_before_sign_out_approves_nothing_after(app: FastAPI, seeded: Seeded) -> None:
    rec = seeded.rec_ids[-1]
    with TestClient(app) as browser:
        signed_in = browser.post("/api/session", json={"user": "alex", "password": PASSWORD})
        assert signed_in.status_code == 200
        token = signed_in.json()["csrf_token"]
        stolen = dict(browser.cookies)
        assert browser.request("DELETE", "/api/session", headers={"X-CSRF-Token": token}).status_code == 204
    with TestClient(app, cookies=stolen) as thief:
        assert thief.get("/api/me").status_code == 401
        replay = thief.post(f"/api/recommendations/{rec}/decision", json=REJECT, headers={"X-CSRF-Token": token})
        assert replay.status_code == 401
        assert replay.json()["error"]["kind"] == "NotAuthenticated"
        assert _status(thief, seeded, rec) == "proposed"


def test_a_web_cookie_copied_before_sign_out_is_sent_to_sign_in(app: FastAPI, seeded: Seeded) -> None:
    from ..web.test_pages import sign_in

    rec = seeded.rec_ids[-1]
    with TestClient(app) as browser:
        token = sign_in(browser, "alex")
        stolen = dict(browser.cookies)
        out = browser.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert (out.status_code, out.headers["location"]) == (303, "/login")
    with TestClient(app, cookies=stolen) as thief:
        page = thief.get("/queue", follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2Fqueue")
        form = {"decision": "reject", "reason_category": "budget", "reason": "gone", "csrf_token": token}
        replay = thief.post(f"/queue/{rec}/decision", data=form, follow_redirects=False)
        assert replay.status_code == 303
        assert replay.headers["location"].startswith("/login?next=")
        assert _status(thief, seeded, rec) == "proposed"


def test_every_request_rereads_the_sessions_user(app: FastAPI, seeded: Seeded) -> None:
    from hedgerow.domain.actions import Role
    from hedgerow.services.users import disable_user, set_role

    ws = app.state.hedgerow.ws
    with TestClient(app) as browser:
        assert browser.post("/api/session", json={"user": "pat", "password": PASSWORD}).status_code == 200
        assert browser.get("/api/me").json()["role"] == "planner"
        set_role(ws, "pat", Role.VIEWER, actor="ada", now=NOW)
        assert browser.get("/api/me").json()["role"] == "viewer"
        disable_user(ws, "pat", actor="ada", now=NOW)
        assert browser.get("/api/me").status_code == 401


def test_a_session_ends_when_it_expires(seeded: Seeded) -> None:
    from datetime import timedelta

    from hedgerow.api import create_app

    moments = [NOW]
    app = create_app(seeded.root, ServerConfig(session_secret=SECRET, session_max_age_s=3600), clock=lambda: moments[0])
    with TestClient(app) as browser:
        assert browser.post("/api/session", json={"user": "vic", "password": PASSWORD}).status_code == 200
        moments[0] = NOW + timedelta(seconds=3599)
        assert browser.get("/api/me").status_code == 200
        moments[0] = NOW + timedelta(seconds=3600)
        assert browser.get("/api/me").status_code == 401


def test_the_ledger_keeps_only_a_hash_of_the_session_id(seeded: Seeded) -> None:
    import hashlib
    import json
    from base64 import b64decode
    from datetime import timedelta

    import itsdangerous
    from sqlalchemy import select

    from hedgerow.api import create_app
    from hedgerow.services.sessions import SESSION_TOUCH_S
    from hedgerow.store.decide_models import as_utc
    from hedgerow.store.session_models import WebSession

    moments = [NOW]
    app = create_app(seeded.root, ServerConfig(session_secret=SECRET), clock=lambda: moments[0])
    with TestClient(app) as browser:
        assert browser.post("/api/session", json={"user": "vic", "password": PASSWORD}).status_code == 200
        cookie = itsdangerous.TimestampSigner(SECRET).unsign(browser.cookies["hedgerow_session"])
        session_id = json.loads(b64decode(cookie))["sid"]
        with app.state.hedgerow.ws.session() as s:
            row = s.execute(select(WebSession)).scalar_one()
        assert row.id_sha256 == hashlib.sha256(session_id.encode()).hexdigest()
        assert session_id not in repr(row.__dict__)
        assert (as_utc(row.expires_at), row.revoked_at) == (NOW + timedelta(hours=12), None)
        for step_s, seen in ((SESSION_TOUCH_S - 1, NOW), (SESSION_TOUCH_S, NOW + timedelta(seconds=SESSION_TOUCH_S))):
            moments[0] = NOW + timedelta(seconds=step_s)
            assert browser.get("/api/me").status_code == 200
            with app.state.hedgerow.ws.session() as s:
                assert as_utc(s.execute(select(WebSession.last_seen_at)).scalar_one()) == seen


def test_one_address_trying_many_names_is_throttled(client: TestClient) -> None:
    for i in range(PER_ADDRESS):
        r = client.post("/api/session", json={"user": f"guess{i}", "password": WRONG})
        assert r.status_code == 401, i
    r = client.post("/api/session", json={"user": "vic", "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["error"]["kind"] == "TooManyAttempts"
    assert "from this address" in r.json()["error"]["message"]
    assert int(r.headers["retry-after"]) == ServerConfig().login_window_s
    # another address is not blocked (a second client of the running app: no second lifespan)
    other = TestClient(client.app, client=("203.0.113.9", 5000))
    assert other.post("/api/session", json={"user": "vic", "password": PASSWORD}).status_code == 200


def test_one_name_is_throttled_across_addresses_and_web_workers(seeded: Seeded) -> None:
    # two apps on one workspace: two web worker processes behind one port share the ledger, hence the throttle
    first, second = make_app(seeded.root), make_app(seeded.root)
    with TestClient(first), TestClient(second):  # both running; requests come from many addresses below
        for i in range(PER_NAME):
            c = TestClient(first if i % 2 else second, client=(f"198.51.100.{i}", 5000))
            assert c.post("/api/session", json={"user": "pat", "password": WRONG}).status_code == 401
        fresh = TestClient(second, client=("192.0.2.1", 5000))
        r = fresh.post("/api/session", json={"user": "pat", "password": PASSWORD})
        assert r.status_code == 429
        assert "for 'pat'" in r.json()["error"]["message"]
        assert fresh.post("/api/session", json={"user": "vic", "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize("limit", [1, 3])
def test_sign_ins_made_at_once_do_not_slip_past_the_limit(seeded: Seeded, limit: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from hedgerow.errors import PermissionDenied, TooManyAttempts
    from hedgerow.services import sessions
    from hedgerow.services.workspace import open_workspace
    from hedgerow.store.session_models import SignInFailure

    limits = sessions.SignInLimits(per_name=limit, per_address=100, window_s=300)
    attempts = 8

    def attempt(i: int) -> str:
        try:
            sessions.sign_in(ws, "pat", WRONG, client=f"198.51.100.{i}", now=NOW, limits=limits, max_age_s=60)
        except (PermissionDenied, TooManyAttempts) as exc:
            return type(exc).__name__
        return "signed in"

    with open_workspace(seeded.root, pooled=True) as ws, ThreadPoolExecutor(attempts) as pool:
        outcomes = list(pool.map(attempt, range(attempts)))
        with ws.session() as s:
            rows = s.query(SignInFailure).count()
    # at most the limit reach the password check (under a burst, fewer may: each counts all the others' rows)
    assert outcomes.count("PermissionDenied") <= limit, outcomes
    assert outcomes.count("PermissionDenied") + outcomes.count("TooManyAttempts") == attempts
    assert rows == outcomes.count("PermissionDenied")


def test_the_web_sign_in_page_says_when_to_try_again(client: TestClient) -> None:
    from ..web.test_pages import csrf_of

    token = csrf_of(client.get("/login").text)
    for _ in range(PER_NAME):
        wrong = client.post("/login", data={"user": "pat", "password": WRONG, "csrf_token": token})
        assert wrong.status_code == 401
    r = client.post("/login", data={"user": "pat", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429
    assert r.headers["retry-after"] == str(ServerConfig().login_window_s)
    assert "too many failed sign-ins for &#39;pat&#39;" in r.text
    assert 'name="password"' in r.text  # the form again, to try later


def test_a_successful_sign_in_clears_that_addresss_failures_for_the_name(client: TestClient) -> None:
    for _ in range(PER_NAME - 1):
        assert client.post("/api/session", json={"user": "pat", "password": WRONG}).status_code == 401
    assert client.post("/api/session", json={"user": "pat", "password": PASSWORD}).status_code == 200
    for _ in range(PER_NAME - 1):
        assert client.post("/api/session", json={"user": "pat", "password": WRONG}).status_code == 401
    assert client.post("/api/session", json={"user": "pat", "password": PASSWORD}).status_code == 200


def test_a_revoked_api_key_is_refused_at_once(client: TestClient, seeded: Seeded) -> None:
    pat = bearer(seeded, "pat")
    assert client.get("/api/me", headers=pat).status_code == 200  # now cached by the server
    keys = client.get("/api/users/pat/api-keys", headers=bearer(seeded, "ada"))
    assert keys.status_code == 200
    key_id = keys.json()[0]["key_id"]
    assert seeded.keys["pat"].startswith(f"hr_{key_id}_")
    assert client.get("/api/users/pat/api-keys", headers=bearer(seeded, "vic")).status_code == 403
    assert client.request("DELETE", f"/api/api-keys/{key_id}", headers=bearer(seeded, "vic")).status_code == 404
    r = client.request("DELETE", f"/api/api-keys/{key_id}", headers=bearer(seeded, "ada"))
    assert r.status_code == 200
    assert r.json()["key_id"] == key_id
    assert r.json()["revoked_at"] == NOW.isoformat().replace("+00:00", "Z")
    refused = client.get("/api/me", headers=pat)
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "invalid API key"


def test_revoking_outside_the_server_is_seen_by_the_next_request(client: TestClient, seeded: Seeded) -> None:
    vic = bearer(seeded, "vic")
    assert client.get("/api/me", headers=vic).status_code == 200  # cached
    key_id = seeded.keys["vic"].split("_")[1]
    revoke_api_key(client.app.state.hedgerow.ws, key_id, actor="ada", now=NOW)  # type: ignore[attr-defined]
    assert client.get("/api/me", headers=vic).status_code == 401


def test_a_user_revokes_their_own_key(client: TestClient, seeded: Seeded) -> None:
    vic = bearer(seeded, "vic")
    mine = client.get("/api/users/vic/api-keys", headers=vic).json()
    assert [k["user"] for k in mine] == ["vic"]
    assert client.request("DELETE", f"/api/api-keys/{mine[0]['key_id']}", headers=vic).status_code == 200
    assert client.get("/api/me", headers=vic).status_code == 401


@pytest.mark.postgres
def test_sessions_and_throttle_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    seeded = build_seeded(tmp_path / "ws", ledger_url=pg_url)
    app = make_app(seeded.root, ledger_url=pg_url)
    with TestClient(app) as browser:
        token = browser.post("/api/session", json={"user": "alex", "password": PASSWORD}).json()["csrf_token"]
        stolen = dict(browser.cookies)
        assert browser.request("DELETE", "/api/session", headers={"X-CSRF-Token": token}).status_code == 204
        assert TestClient(app, cookies=stolen).get("/api/me").status_code == 401
        for i in range(PER_ADDRESS):
            assert browser.post("/api/session", json={"user": f"guess{i}", "password": WRONG}).status_code == 401
        assert browser.post("/api/session", json={"user": "alex", "password": PASSWORD}).status_code == 429
        other = TestClient(app, client=("203.0.113.9", 5000))
        for _ in range(PER_NAME):
            assert other.post("/api/session", json={"user": "vic", "password": WRONG}).status_code == 401
        assert other.post("/api/session", json={"user": "vic", "password": PASSWORD}).status_code == 429
        key_id = seeded.keys["pat"].split("_")[1]
        assert browser.get("/api/me", headers=bearer(seeded, "pat")).status_code == 200
        assert browser.request("DELETE", f"/api/api-keys/{key_id}", headers=bearer(seeded, "ada")).status_code == 200
        assert browser.get("/api/me", headers=bearer(seeded, "pat")).status_code == 401
