"""Server configuration refuses unsafe setups."""

from __future__ import annotations

import pytest

from hedgerow.api.config import ServerConfig, is_loopback
from hedgerow.errors import ConfigError

SECRET = "k" * 40


def test_loopback_gets_an_ephemeral_secret_and_plain_cookies() -> None:
    cfg = ServerConfig().checked()
    assert cfg.session_secret is not None
    assert len(cfg.session_secret) >= 32
    assert not cfg.secure_cookies
    assert ServerConfig().checked().session_secret != cfg.session_secret


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_remote_binding_needs_the_flag_and_a_secret(host: str) -> None:
    with pytest.raises(ConfigError, match="--allow-remote"):
        ServerConfig(host=host).checked()
    with pytest.raises(ConfigError, match="HEDGEROW_SESSION_SECRET"):
        ServerConfig(host=host, allow_remote=True).checked()
    ok = ServerConfig(host=host, allow_remote=True, session_secret=SECRET).checked()
    assert ok.secure_cookies
    assert not ServerConfig(host=host, allow_remote=True, session_secret=SECRET, development=True).secure_cookies


def test_short_secret_and_bad_port_are_refused() -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        ServerConfig(session_secret="short").checked()
    with pytest.raises(ConfigError, match="port"):
        ServerConfig(port=70000).checked()


@pytest.mark.parametrize(
    "field", ["login_attempts", "login_attempts_per_address", "login_window_s", "session_max_age_s"]
)
def test_sign_in_limits_below_one_are_refused(field: str) -> None:
    with pytest.raises(ConfigError, match=f"^{field} must be at least 1, got 0$"):
        ServerConfig(**{field: 0}).checked()  # type: ignore[arg-type]
    limits = ServerConfig(login_attempts=3, login_attempts_per_address=7, login_window_s=60).sign_in_limits
    assert (limits.per_name, limits.per_address, limits.window_s) == (3, 7, 60)


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEDGEROW_SESSION_SECRET", SECRET)
    monkeypatch.setenv("HEDGEROW_ENV", "development")
    cfg = ServerConfig.from_env(port=9000)
    assert (cfg.session_secret, cfg.development, cfg.port) == (SECRET, True, 9000)


@pytest.mark.parametrize(("host", "expected"), [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
                                                ("localhost", True), ("0.0.0.0", False), ("10.0.0.1", False)])  # fmt: skip
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected
