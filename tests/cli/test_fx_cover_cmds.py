"""`hedgerow fx-cover`: the table, --json, --record, --recorded and --decide."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Invoke
from tests.services.test_fx_cover_service import fx_workspace


def test_fx_cover_shows_records_lists_and_decides(tmp_path: Path, hedgerow: Invoke) -> None:
    fx_workspace(tmp_path / "ws").close()
    ws = str(tmp_path / "ws")
    shown = hedgerow("fx-cover", "-w", ws)
    assert shown.exit_code == 0, shown.output
    assert "Cover all of the JPY 150,000 due in weeks 5–8 at the forward 150.00" in shown.output
    assert "Not recorded: add --record" in shown.output
    out = hedgerow("fx-cover", "-w", ws, "--json", "--record", "--user", "pat")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    (bucket,) = data["buckets"]
    assert (bucket["currency"], bucket["amount_local"], bucket["cover_ratio"]) == ("JPY", 150_000.0, 1.0)
    assert [a["choice"] for a in bucket["alternatives"]] == ["none", "full", "recommended"]
    assert {"currency": "JPY", "due_period": 4, "amount": 150_000.0} in data["by_period"]
    (fx_id,) = data["recorded"]
    listed = hedgerow("fx-cover", "-w", ws, "--recorded", "--status", "proposed", "--json")
    assert [v["id"] for v in json.loads(listed.stdout)] == [fx_id]
    refused = hedgerow("fx-cover", "-w", ws, "--decide", fx_id, "--reject", "--user", "pat")
    assert refused.exit_code != 0
    assert "needs a reason" in refused.output
    decided = hedgerow("fx-cover", "-w", ws, "--decide", fx_id, "--reject", "--reason", "budget", "--user", "pat")
    assert decided.exit_code == 0, decided.output
    assert f"rejected {fx_id}" in decided.output
    bad = hedgerow("fx-cover", "-w", ws, "--shock", "JPY=abc")
    assert bad.exit_code != 0
    assert "--shock takes CURRENCY=FACTOR" in bad.output
