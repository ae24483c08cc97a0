"""Authentication and authorisation: sessions, API keys, CSRF, throttling, the role check on every route."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from .conftest import PASSWORD, Seeded, bearer

#: Routes anyone may call.
PUBLIC = {("GET", "/api/health"), ("POST", "/api/session")}


def route_objects() -> list[APIRoute]:
    """Every route of the API's routers (their paths carry the /api prefix)."""
    from hedgerow.api.routes import data, holds, jobs, ledger, queue, session

    return [r for m in (session, queue, holds, data, jobs, ledger) for r in m.router.routes if isinstance(r, APIRoute)]


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    out = []
    for route in route_objects():
        out.extend((m, route.path) for m in sorted(route.methods))
    assert set(out) <= {(m, p) for m, p in openapi_operations(app)}
    return out


def openapi_operations(app: FastAPI) -> list[tuple[str, str]]:
    return [(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops]


def test_every_api_route_refuses_anonymous_callers(app: FastAPI, client: TestClient) -> None:
    routes = api_routes(app)
    assert len(routes) >= 30
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "X1", path)
        r = client.request(method, url)
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        assert r.json()["error"]["kind"] == "NotAuthenticated"


def test_every_api_route_declares_a_role_check() -> None:
    for route in route_objects():
        if any((m, route.path) in PUBLIC for m in route.methods):
            continue
        names = {d.call.__name__ for d in route.dependant.dependencies if d.call is not None}
        assert any(n.startswith("requires_") or n == "current_user" for n in names), (route.path, names)


def test_api_key_by_bearer_and_header(client: TestClient, seeded: Seeded) -> None:
    r = client.get("/api/me", headers=bearer(seeded, "vic"))
    assert r.status_code == 200
    assert r.json() | {"permissions": []} == {"user": "vic", "role": "viewer", "permissions": [], "auth": "api_key",
                                              "csrf_token": None}  # fmt: skip
    assert client.get("/api/me", headers={"X-API-Key": seeded.keys["alex"]}).json()["role"] == "approver"


@pytest.mark.parametrize("key", ["hr_nope", "hr_0123456789ab_wrong", "Bearer", "x" * 300])
def test_a_wrong_api_key_is_401_with_one_message(client: TestClient, key: str) -> None:
    r = client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401
    assert r.json()["error"]["message"] in ("invalid API key",) or "sign in first" in r.json()["error"]["message"]


def test_a_tampered_key_of_a_real_id_is_refused(client: TestClient, seeded: Seeded) -> None:
    key = seeded.keys["ada"]
    assert client.get("/api/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert client.get("/api/me", headers={"Authorization": f"Bearer {key[:-2]}zz"}).status_code == 401


def test_session_login_cookie_flags_and_csrf(client: TestClient, seeded: Seeded) -> None:
    r = client.post("/api/session", json={"user": "pat", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    token = r.json()["csrf_token"]
    assert client.get("/api/me").json()["user"] == "pat"
    rec = seeded.rec_ids[-1]
    body = {"decision": "reject", "reason_category": "budget", "reason": "no cash this quarter"}
    refused = client.post(f"/api/recommendations/{rec}/decision", json=body)
    assert refused.status_code == 403
    assert refused.json()["error"]["kind"] == "CsrfFailed"
    ok = client.post(f"/api/recommendations/{rec}/decision", json=body, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200
    assert ok.json()["status"] == "rejected"
    assert client.request("DELETE", "/api/session", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/me").status_code == 401


def test_wrong_password_is_401_and_throttled_after_five(client: TestClient) -> None:
    for _ in range(5):
        r = client.post("/api/session", json={"user": "pat", "password": "wrong password!"})
        assert r.status_code == 401
        assert r.json()["error"]["message"] == "unknown user or wrong password"
    r = client.post("/api/session", json={"user": "pat", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    # another user from the same address is not blocked
    assert client.post("/api/session", json={"user": "vic", "password": PASSWORD}).status_code == 200


def test_no_secret_leaves_the_server(client: TestClient, seeded: Seeded) -> None:
    users = client.get("/api/users", headers=bearer(seeded, "ada"))
    assert users.status_code == 200
    text = users.text
    assert "argon2" not in text
    assert "password_hash" not in text
    assert "key_hash" not in text
    assert {u["name"] for u in users.json()} == {"ada", "pat", "alex", "vic"}
    assert client.get("/api/users", headers=bearer(seeded, "alex")).status_code == 403
    new = client.post("/api/me/api-keys", json={"label": "laptop"}, headers=bearer(seeded, "vic"))
    assert new.status_code == 201
    key = new.json()["key"]
    assert key.startswith("hr_")
    assert client.get("/api/me", headers={"X-API-Key": key}).json()["user"] == "vic"
    events = client.get("/api/audit/events?kind=user", headers=bearer(seeded, "vic")).text
    assert key not in events
    assert PASSWORD not in events


def test_a_disabled_user_loses_access_at_once(client: TestClient, seeded: Seeded) -> None:
    from hedgerow.services.users import disable_user

    from .conftest import NOW

    assert client.get("/api/me", headers=bearer(seeded, "vic")).status_code == 200
    disable_user(client.app.state.hedgerow.ws, "vic", actor="ada", now=NOW)  # type: ignore[attr-defined]
    assert client.get("/api/me", headers=bearer(seeded, "vic")).status_code == 401
