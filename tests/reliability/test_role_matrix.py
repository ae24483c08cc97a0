"""The role matrix: which roles may call each operation of the API and each page, written out by hand.

Every (method, path) of the OpenAPI document has a row in :data:`API_MATRIX` naming the roles that may call it,
taken from the documented intent (docs/api.md "Endpoints", docs/web.md "Pages", the permission table of
:mod:`hedgerow.decide.roles`), never computed from the code under test. The pages, which the OpenAPI document
leaves out, have their own :data:`WEB_MATRIX` over the app's routes. A route without a row, or a row without a
route, fails :func:`test_the_api_matrix_is_the_openapi_document` / :func:`test_the_web_matrix_is_the_app_s_pages`.

Then every role calls every operation, on one app with one client, with real ids where refusing them matters (a
recommendation, a plan's consignment, a hold, a queued job, another user's API key) and placeholders elsewhere:

* a role outside the row gets 403 ``PermissionDenied`` (the API) or the 403 page saying its role may not (the
  pages), and the ledger is unchanged, every row of every table;
* a role inside never gets 401 or 403 (nor a 5xx, nor the sign-in page): 404, 409 or 422 for a placeholder is
  fine, since it shows the role check was passed.

API calls authenticate with each user's API key, page calls with each user's session cookie and CSRF token.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from http import HTTPMethod, HTTPStatus
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from hedgerow.api import ServerConfig, create_app
from hedgerow.api.app import SESSION_COOKIE
from hedgerow.api.deps import AppState
from hedgerow.api.options import flat_routes
from hedgerow.domain.actions import Role
from hedgerow.services.consignments import plan_consignments
from hedgerow.services.holds import create_hold
from hedgerow.services.users import add_user, create_api_key
from hedgerow.services.workspace import Workspace, open_workspace
from hedgerow.store.models import Base
from tests.api import conftest as api_conftest
from tests.api.conftest import NOW, PASSWORD, SECRET, USERS, Seeded

#: The seeded workspace of the API tests, built once per test process.
seeded_template = api_conftest.seeded_template

GET, POST, DELETE = HTTPMethod.GET, HTTPMethod.POST, HTTPMethod.DELETE

#: One operation: a method and a path template as the app declares it.
Op = tuple[HTTPMethod, str]

ALL = frozenset(Role)
PLANNER_UP = frozenset({Role.PLANNER, Role.APPROVER, Role.ADMIN})
ADMIN_ONLY = frozenset({Role.ADMIN})

#: The seeded user of each role (tests/api/conftest.py).
USER_OF: dict[Role, str] = {role: name for name, role in USERS.items()}

#: Stands for the calling user's name in a request body (as ``{rec_id}`` for the ids of :class:`World`).
CALLER = "{caller}"

#: Users the calls act on, apart from the four callers: their keys are someone else's to every caller but an
#: admin; the web's admin forms change the second one (role, password, disabled) so that the API's target stays.
API_TARGET_USER = "olga"
WEB_TARGET_USER = "wes"

#: Who may call each API operation, from docs/api.md "Endpoints". Paths with ids are called on real objects
#: (see :func:`world`); the two API-key routes on another user's keys (one's own: every role, tested apart).
API_MATRIX: dict[Op, frozenset[Role]] = {
    (GET, "/api/health"): ALL,  # no sign-in needed
    (POST, "/api/session"): ALL,  # no sign-in needed (a password, here the caller's own)
    (DELETE, "/api/session"): ALL,
    (GET, "/api/me"): ALL,
    (POST, "/api/me/api-keys"): ALL,
    (GET, "/api/users"): ADMIN_ONLY,
    (GET, "/api/users/{name}/api-keys"): ADMIN_ONLY,  # another user's: manage_users
    (DELETE, "/api/api-keys/{key_id}"): ADMIN_ONLY,  # another user's: manage_users (404 to the others)
    (GET, "/api/recommendations"): ALL,
    (GET, "/api/queue/summary"): ALL,
    (GET, "/api/recommendations/{rec_id}"): ALL,
    (GET, "/api/recommendations/{rec_id}/explanation"): ALL,
    (GET, "/api/recommendations/{rec_id}/trace"): ALL,
    (POST, "/api/recommendations/{rec_id}/decision"): PLANNER_UP,  # decide (a small one: no size check)
    (GET, "/api/plans"): ALL,
    (GET, "/api/plans/{plan_id}"): ALL,
    (GET, "/api/plans/{plan_id}/consignments"): ALL,
    (GET, "/api/capital"): ALL,
    (POST, "/api/consignments/{con_id}/decision"): PLANNER_UP,  # decide
    (GET, "/api/holds"): ALL,
    (POST, "/api/holds"): PLANNER_UP,  # manage_holds
    (POST, "/api/holds/{hold_id}/extend"): PLANNER_UP,
    (POST, "/api/holds/{hold_id}/release"): PLANNER_UP,
    (GET, "/api/status"): ALL,
    (GET, "/api/imports"): ALL,
    (POST, "/api/imports"): PLANNER_UP,  # record_plan
    (POST, "/api/validate"): ALL,  # read: nothing is imported
    (GET, "/api/trust"): ALL,
    (POST, "/api/reconciliations"): PLANNER_UP,  # reconcile
    (GET, "/api/reconciliations/latest"): ALL,
    (GET, "/api/jobs/kinds"): ALL,
    (GET, "/api/jobs"): ALL,
    (POST, "/api/jobs"): PLANNER_UP,  # read + the kind's permission: exposure is record_plan
    (GET, "/api/jobs/{job_id}"): ALL,
    (POST, "/api/jobs/{job_id}/cancel"): PLANNER_UP,  # the kind's permission (an exposure job)
    (GET, "/api/jobs/{job_id}/report"): ALL,
    (GET, "/api/exposure"): ALL,
    (GET, "/api/audit/events"): ALL,
    (GET, "/api/audit/verify"): ALL,
    (GET, "/api/exports"): ALL,
    (POST, "/api/exports"): PLANNER_UP,  # export
    (GET, "/api/exports/{export_id}/file"): ALL,
    (GET, "/api/scoreboard"): ALL,
    (GET, "/api/fx-cover"): ALL,
    (POST, "/api/fx-cover/{cover_id}/decision"): PLANNER_UP,  # decide (a placeholder id: 404 past the role check)
}

#: Who may call each page and form, from docs/web.md "Pages" (every page needs a session; the sign-in form and
#: the API's documentation do not).
WEB_MATRIX: dict[Op, frozenset[Role]] = {
    (GET, "/openapi.json"): ALL,
    (GET, "/api/docs"): ALL,
    (GET, "/api/redoc"): ALL,
    (GET, "/login"): ALL,
    (POST, "/login"): ALL,
    (POST, "/logout"): ALL,
    (GET, "/"): ALL,
    (GET, "/overview/exposure"): ALL,
    (GET, "/holds"): ALL,
    (POST, "/holds"): PLANNER_UP,
    (POST, "/holds/{hold_id}/release"): PLANNER_UP,
    (POST, "/holds/{hold_id}/extend"): PLANNER_UP,
    (GET, "/data"): ALL,
    (POST, "/data/upload"): PLANNER_UP,
    (POST, "/data/reconcile"): PLANNER_UP,
    (GET, "/jobs/{job_id}"): ALL,
    (POST, "/jobs/{job_id}/cancel"): PLANNER_UP,
    (GET, "/audit"): ALL,
    (GET, "/scoreboard"): ALL,
    (GET, "/reports"): ALL,
    (POST, "/reports/exposure"): PLANNER_UP,
    (POST, "/reports/export"): PLANNER_UP,
    (GET, "/queue"): ALL,
    (GET, "/capital"): ALL,
    (POST, "/queue/plan"): PLANNER_UP,
    (POST, "/queue/bulk"): PLANNER_UP,
    (GET, "/queue/{rec_id}/form"): PLANNER_UP,
    (POST, "/queue/{rec_id}/decision"): PLANNER_UP,
    (GET, "/recommendations/{rec_id}"): ALL,
    (POST, "/queue/consignments/{con_id}/decision"): PLANNER_UP,
    (POST, "/reports/backtest"): PLANNER_UP,
    (POST, "/reports/stress"): PLANNER_UP,
    (GET, "/reports/jobs/{job_id}"): ALL,
    (GET, "/admin"): ADMIN_ONLY,
    (POST, "/admin/users"): ADMIN_ONLY,
    (POST, "/admin/users/{name}/role"): ADMIN_ONLY,
    (POST, "/admin/users/{name}/disable"): ADMIN_ONLY,
    (POST, "/admin/users/{name}/password"): ADMIN_ONLY,
    (POST, "/admin/users/{name}/keys"): ADMIN_ONLY,
    (POST, "/admin/keys/{key_id}/revoke"): ADMIN_ONLY,
    (POST, "/admin/keys/{key_id}/rotate"): ADMIN_ONLY,
}


class Refusal(Enum):
    """How the API refuses a role outside a row: status and error kind."""

    PERMISSION_DENIED = (HTTPStatus.FORBIDDEN, "PermissionDenied")
    NOT_FOUND = (HTTPStatus.NOT_FOUND, "NotFound")  # someone else's API key: no key ids leak (docs/api.md)

    @property
    def status(self) -> HTTPStatus:
        """The HTTP status of the refusal."""
        return self.value[0]

    @property
    def kind(self) -> str:
        """The ``error.kind`` of the refusal's body."""
        return self.value[1]


#: Rows refused otherwise than with 403 PermissionDenied.
API_REFUSALS: dict[Op, Refusal] = {(DELETE, "/api/api-keys/{key_id}"): Refusal.NOT_FOUND}


@dataclass(frozen=True)
class Call:
    """What a call sends besides its path: a JSON body, form fields or files. Their string values are templates
    like the paths: ``{caller}`` is the caller's name, ``{rec_id}`` and so on the ids the calls use."""

    json: Mapping[str, Any] | None = None
    data: Mapping[str, str | list[str]] | None = None
    files: Sequence[tuple[str, tuple[str, bytes, str]]] | None = None

    def kwargs(self, ids: Mapping[str, str]) -> dict[str, Any]:
        """The keyword arguments of the client's request, ``ids`` filled in (``caller`` among them)."""
        out: dict[str, Any] = {}
        if self.json is not None:
            out["json"] = {k: v.format_map(ids) if isinstance(v, str) else v for k, v in self.json.items()}
        if self.data is not None:
            out["data"] = {k: v.format_map(ids) if isinstance(v, str) else v for k, v in self.data.items()}
        if self.files is not None:
            out["files"] = list(self.files)
        return out


HOLD = {"item_id": "CHG-65", "location_id": "TYO", "qty": 5, "reason": "role matrix", "expires_on": "2026-12-10"}
REJECT = {"decision": "reject", "reason_category": "budget", "reason": "role matrix"}
#: Closing a consignment whose lines are all proposed skips every line: the role check passes, the queue stays.
CLOSE = {"decision": "close", "reason": "role matrix"}
NOT_A_TABLE = [("files", ("not_a_table.txt", b"nothing here", "text/plain"))]

#: The bodies of API calls (the others send none).
API_CALLS: dict[Op, Call] = {
    (POST, "/api/session"): Call(json={"user": CALLER, "password": PASSWORD}),
    (POST, "/api/me/api-keys"): Call(json={"label": "role matrix"}),
    (POST, "/api/recommendations/{rec_id}/decision"): Call(json=REJECT),
    (POST, "/api/consignments/{con_id}/decision"): Call(json=CLOSE),
    (POST, "/api/holds"): Call(json=HOLD),
    (POST, "/api/holds/{hold_id}/extend"): Call(json={"until": "2027-01-31"}),
    (POST, "/api/imports"): Call(files=NOT_A_TABLE),
    (POST, "/api/validate"): Call(files=[("file", ("demand.csv", b"item_id\nX\n", "text/csv"))]),
    (POST, "/api/jobs"): Call(json={"kind": "exposure", "params": {"weeks": 0}}),  # the role first, then 422
    (POST, "/api/exports"): Call(json={"format": "csv"}),
    (POST, "/api/fx-cover/{cover_id}/decision"): Call(json={"decision": "reject", "reason": "role matrix"}),
}

#: The form fields of page calls (the others send none).
WEB_CALLS: dict[Op, Call] = {
    (POST, "/login"): Call(data={"user": CALLER, "password": PASSWORD, "next": "/"}),
    (POST, "/holds"): Call(data={k: str(v) for k, v in HOLD.items()}),
    (POST, "/holds/{hold_id}/extend"): Call(data={"until": "2027-01-31"}),
    (POST, "/data/upload"): Call(files=NOT_A_TABLE),
    (POST, "/reports/exposure"): Call(data={"weeks": "4"}),
    (POST, "/reports/export"): Call(data={"format": "csv"}),
    (POST, "/queue/bulk"): Call(data={"rec": "{bulk_rec_id}", "reason": "role matrix"}),
    (POST, "/queue/{rec_id}/decision"): Call(data=REJECT),
    (POST, "/queue/consignments/{con_id}/decision"): Call(data=CLOSE),
    (POST, "/reports/backtest"): Call(data={"periods": "4"}),
    (POST, "/reports/stress"): Call(data={"name": "port_closure", "periods": "4"}),
    (POST, "/admin/users"): Call(data={"name": "newcomer", "role": "viewer", "password": PASSWORD}),
    (POST, "/admin/users/{name}/role"): Call(data={"role": "planner"}),
    (POST, "/admin/users/{name}/password"): Call(data={"password": PASSWORD + " again"}),
    (POST, "/admin/users/{name}/keys"): Call(data={"label": "role matrix"}),
}

#: Where a page sends a browser without a (valid) session.
SIGN_IN_FIRST = "/login?next="


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: its session cookie and CSRF token."""

    cookie: str
    csrf: str


@dataclass
class World:
    """The one app and client of this module, the ids the calls use, and how each role authenticates."""

    app: FastAPI
    client: TestClient
    keys: dict[str, str]
    api_ids: dict[str, str]
    web_ids: dict[str, str]
    sessions: dict[Role, WebSession] = field(default_factory=dict)

    @property
    def ws(self) -> Workspace:
        """The served workspace."""
        state: AppState = self.app.state.hedgerow
        return state.ws


def ledger_rows(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, in a stable order: equal before and after a call that changed nothing."""
    with ws.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


def sign_in(client: TestClient, user: str) -> WebSession:
    """A new session of ``user`` (a password sign-in, as the pages do)."""
    client.cookies.clear()
    r = client.post("/api/session", json={"user": user, "password": PASSWORD})
    assert r.status_code == HTTPStatus.OK, r.text
    cookie = r.cookies.get(SESSION_COOKIE)
    assert cookie
    client.cookies.clear()
    return WebSession(cookie, r.json()["csrf_token"])


def openapi_operations(app: FastAPI) -> set[Op]:
    """Every operation of the app's OpenAPI document."""
    return {(HTTPMethod(m.upper()), p) for p, ops in app.openapi()["paths"].items() for m in ops}


def page_operations(app: FastAPI) -> set[Op]:
    """Every operation the app serves outside its OpenAPI document (HEAD goes with GET)."""
    return {
        (HTTPMethod(m), r.path)
        for r in flat_routes(app.router.routes)
        if not (isinstance(r, APIRoute) and r.include_in_schema)
        for m in r.methods or ()
        if m != HTTPMethod.HEAD
    }


@pytest.fixture(scope="module")
def world(seeded_template: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A copy of the seeded workspace with two more users (each with an API key), two holds and two queued exposure
    jobs (no job worker: they stay queued), served by one app to one client."""
    root = tmp_path_factory.mktemp("roles") / "ws"
    shutil.copytree(seeded_template.root, root)
    # the last two recommendations are small enough for a planner to decide: one for the API, one for the pages
    api_rec, web_rec = seeded_template.rec_ids[-1], seeded_template.rec_ids[-2]
    ids: dict[str, dict[str, str]] = {}
    with open_workspace(root) as ws:
        con_id = plan_consignments(ws, seeded_template.plan_id)[0].id
        for side, target, rec_id in (("api", API_TARGET_USER, api_rec), ("web", WEB_TARGET_USER, web_rec)):
            add_user(ws, target, Role.VIEWER, password=PASSWORD, actor="ada", now=NOW)
            key_id, _ = create_api_key(ws, target, label="target", actor="ada", now=NOW)
            hold = create_hold(ws, item_id="CHG-65", location_id="TYO", qty=5.0, owner="pat", reason="role matrix",
                               expires_on=date(2026, 12, 10), user="pat", now=NOW)  # fmt: skip
            ids[side] = {"rec_id": rec_id, "plan_id": seeded_template.plan_id, "con_id": con_id,
                         "hold_id": hold.hold_id, "name": target, "key_id": key_id, "export_id": "E-NONE",
                         "bulk_rec_id": api_rec, "cover_id": "FX-NONE"}  # fmt: skip
    app = create_app(root, ServerConfig(session_secret=SECRET), clock=lambda: NOW, inline_workers=0)
    with TestClient(app) as client:
        state: AppState = app.state.hedgerow
        for side in ids:
            ids[side]["job_id"] = state.jobs.submit("exposure", {"weeks": 4}, user="pat").id
        world = World(app, client, dict(seeded_template.keys), ids["api"], ids["web"])
        world.sessions = {role: sign_in(client, name) for role, name in USER_OF.items()}
        yield world


def _op_id(op: Op) -> str:
    return f"{op[0].value} {op[1]}"


def test_the_api_matrix_is_the_openapi_document(world: World) -> None:
    """A new operation without a row fails, and so does a row of an operation that is gone."""
    operations = openapi_operations(world.app)
    assert set(API_MATRIX) == operations
    assert set(API_CALLS) <= operations
    assert set(API_REFUSALS) <= operations


def test_the_web_matrix_is_the_app_s_pages(world: World) -> None:
    """Every route the OpenAPI document leaves out (pages, forms, the API's docs) has a row; no row is stale."""
    pages = page_operations(world.app)
    assert set(WEB_MATRIX) == pages
    assert set(WEB_CALLS) <= pages
    assert not pages & openapi_operations(world.app)


def _api_call(world: World, op: Op, role: Role) -> Response:
    method, path = op
    user = USER_OF[role]
    world.client.cookies.clear()
    headers = {"Authorization": f"Bearer {world.keys[user]}"}
    ids = world.api_ids | {"caller": user}
    kwargs = API_CALLS.get(op, Call()).kwargs(ids)
    r: Response = world.client.request(method.value, path.format_map(ids), headers=headers, **kwargs)
    world.client.cookies.clear()
    return r


@pytest.mark.slow  # 328 calls with the next test, about 20 s; the matrices' rows are checked without the mark
@pytest.mark.parametrize("op", sorted(API_MATRIX), ids=_op_id)
def test_each_role_gets_what_the_api_matrix_allows(world: World, op: Op) -> None:
    """Refused roles get the row's refusal and change nothing; allowed roles pass the role check."""
    refusal = API_REFUSALS.get(op, Refusal.PERMISSION_DENIED)
    for role in Role:
        before = ledger_rows(world.ws)
        r = _api_call(world, op, role)
        if role in API_MATRIX[op]:
            assert r.status_code not in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN), (role, r.status_code, r.text)
            assert r.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (role, r.text)
        else:
            assert r.status_code == refusal.status, (role, r.status_code, r.text)
            assert r.json()["error"]["kind"] == refusal.kind, (role, r.text)
            assert ledger_rows(world.ws) == before, role


def _web_call(world: World, op: Op, role: Role) -> Response:
    method, path = op
    user = USER_OF[role]
    session = sign_in(world.client, user) if op == (POST, "/logout") else world.sessions[role]
    world.client.cookies.clear()
    headers = {"Cookie": f"{SESSION_COOKIE}={session.cookie}", "X-CSRF-Token": session.csrf}
    ids = world.web_ids | {"caller": user}
    kwargs = WEB_CALLS.get(op, Call()).kwargs(ids)
    r: Response = world.client.request(
        method.value, path.format_map(ids), headers=headers, follow_redirects=False, **kwargs
    )
    world.client.cookies.clear()
    return r


@pytest.mark.slow
@pytest.mark.parametrize("op", sorted(WEB_MATRIX), ids=_op_id)
def test_each_role_gets_what_the_web_matrix_allows(world: World, op: Op) -> None:
    """Refused roles get the 403 page naming their role and change nothing; allowed roles pass the role check and
    are not sent to the sign-in form (signing out does send them to it, without ``next``)."""
    for role in Role:
        before = ledger_rows(world.ws)
        r = _web_call(world, op, role)
        if role in WEB_MATRIX[op]:
            assert r.status_code not in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN), (role, r.status_code, r.text)
            assert r.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (role, r.text)
            assert not r.headers.get("location", "").startswith(SIGN_IN_FIRST), (role, r.headers)
        else:
            assert r.status_code == HTTPStatus.FORBIDDEN, (role, r.status_code, r.text[:500])
            assert f"has role {role.value}, which may not" in r.text, (role, r.text[:2000])
            assert ledger_rows(world.ws) == before, role


def test_every_role_lists_and_revokes_its_own_api_keys(world: World) -> None:
    """The API-key rows are about another user's keys; one's own, every role may list and revoke."""
    for role, user in USER_OF.items():
        key_id, _ = create_api_key(world.ws, user, label="own", actor=user, now=NOW)
        auth = {"Authorization": f"Bearer {world.keys[user]}"}
        listed = world.client.get(f"/api/users/{user}/api-keys", headers=auth)
        assert listed.status_code == HTTPStatus.OK, (role, listed.text)
        assert key_id in {k["key_id"] for k in listed.json()}
        revoked = world.client.delete(f"/api/api-keys/{key_id}", headers=auth)
        assert revoked.status_code == HTTPStatus.OK, (role, revoked.text)
        assert revoked.json()["revoked_at"] is not None
