"""Issue 15: admin pages for users and API keys; API docs from this server only; securitySchemes; OPTIONS."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from ..api.conftest import Seeded, bearer
from ..conftest import ROOT
from .test_pages import csrf_of, sign_in


def test_only_admins_see_and_use_the_admin_page(client: TestClient, seeded: Seeded) -> None:
    token = sign_in(client, "alex")  # an approver
    assert 'href="/admin"' not in client.get("/queue").text
    assert client.get("/admin").status_code == 403
    assert client.post("/admin/users", data={"name": "eve", "role": "admin", "csrf_token": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "ada")
    page = client.get("/admin").text
    assert 'href="/admin"' in page
    for name, role in (("ada", "admin"), ("pat", "planner"), ("alex", "approver"), ("vic", "viewer")):
        row = re.search(rf'<tr id="user-{name}">.*?</tr>', page, re.S)
        assert row is not None
        assert f"<b>{role}</b>" in row.group(0)  # roles shown


def test_an_admin_adds_a_user_changes_the_role_disables_and_manages_keys(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, "ada")
    token = csrf_of(client.get("/admin").text)
    added = client.post("/admin/users", data={"name": "sam", "role": "planner", "password": "a long passphrase 9",
                                              "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    assert client.post("/admin/users/sam/role", data={"role": "approver", "csrf_token": token}).status_code == 200
    assert '<tr id="user-sam"><td>sam</td><td><b>approver</b>' in client.get("/admin").text
    issued = client.post("/admin/users/sam/keys", data={"label": "erp", "csrf_token": token})
    key = re.search(r'<code class="key">(hr_[^<]+)</code>', issued.text)
    assert key is not None
    sam = {"Authorization": f"Bearer {key.group(1)}"}
    assert client.get("/api/recommendations", headers=sam).status_code == 200
    assert key.group(1) not in client.get("/admin").text  # shown once
    key_id = key.group(1).split("_")[1]
    rotated = client.post(f"/admin/keys/{key_id}/rotate", data={"csrf_token": token})
    fresh = re.search(r'<code class="key">(hr_[^<]+)</code>', rotated.text)
    assert fresh is not None
    assert fresh.group(1) != key.group(1)
    assert f"replaces {key_id}, now revoked" in rotated.text
    fresh_id = fresh.group(1).split("_")[1]
    assert client.post(f"/admin/keys/{fresh_id}/revoke", data={"csrf_token": token}).status_code == 200
    with TestClient(client.app) as other:  # a fresh client: no cached key verification
        assert (
            other.get("/api/recommendations", headers={"Authorization": f"Bearer {fresh.group(1)}"}).status_code == 401
        )
    assert client.post("/admin/users/sam/disable", data={"csrf_token": token}).status_code == 200
    assert re.search(r'<tr id="user-sam">.*?disabled', client.get("/admin").text, re.S)


def test_api_docs_use_only_files_this_server_serves(client: TestClient) -> None:
    for page in ("/api/docs", "/api/redoc"):
        html = client.get(page).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources, page
        assert all(s.startswith("/") and not s.startswith("//") for s in sources), (page, sources)
        assert "googleapis" not in html
        for s in sources:
            assert client.get(s).status_code == 200, s
    bundle = client.get("/api/docs-static/swagger-ui-bundle.js")
    assert len(bundle.content) > 500_000  # the real Swagger UI bundle


def test_the_openapi_names_its_security_schemes(client: TestClient, seeded: Seeded) -> None:
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["session"] == schemes["session"] | {"type": "apiKey", "in": "cookie", "name": "hedgerow_session"}
    assert schemes["bearer"]["scheme"] == "bearer"
    assert schemes["apiKeyHeader"]["name"] == "X-API-Key"
    assert {"session": []} in schema["security"]
    assert schema["paths"]["/api/health"]["get"]["security"] == []
    assert "security" not in schema["paths"]["/api/recommendations"]["get"]  # the document's default applies


def test_options_answers_with_the_allowed_methods(client: TestClient, seeded: Seeded) -> None:
    r = client.options(f"/api/recommendations/{seeded.rec_ids[0]}/decision")
    assert r.status_code == 204
    assert r.headers["allow"] == "OPTIONS, POST"
    holds = client.options("/api/holds")
    assert holds.headers["allow"] == "GET, OPTIONS, POST"
    assert client.options("/api/nothing-here").status_code == 404
    assert client.get("/api/holds", headers=bearer(seeded, "vic")).status_code == 200


def test_docs_web_shows_the_screenshots_the_browser_tests_make() -> None:
    text = (ROOT / "docs" / "web.md").read_text()
    images = re.findall(r"\]\((images/[^)]+\.png)\)", text)
    assert len(images) >= 5
    made = (ROOT / "tests" / "browser" / "test_browser_dashboard.py").read_text()
    names = set(re.findall(r'shot\(\w+, "([^"]+)"', made)) | {f"phone-queue-{u}" for u in ("pat", "alex")}
    for image in images:
        assert (ROOT / "docs" / image).is_file(), image
        assert Path(image).stem in names, f"{image} is not made by tests/browser/test_browser_dashboard.py"
