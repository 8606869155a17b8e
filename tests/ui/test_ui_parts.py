"""The UI's parts that need no browser: logins and roles, the offline page, the app root it writes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import SecretStr

from hyperjourney.db.database import Database
from hyperjourney.review.roles import can
from hyperjourney.settings import Settings, UiSettings, UiUser
from hyperjourney.ui.auth import check_password
from hyperjourney.ui.offline_html import strip_external
from hyperjourney.ui.server import TENANT_ENV, prepare


def _settings(home: Path | None = None) -> Settings:
    users = {
        "rita": UiUser(password=SecretStr("r3view!"), role="reviewer"),
        "vic": UiUser(password=SecretStr("look-only"), role="viewer"),
        "nopass": UiUser(password=SecretStr(""), role="reviewer"),
    }
    extra = {"home": home} if home else {}
    return Settings(ui=UiSettings(users=users), **extra)  # type: ignore[arg-type]


def test_logins_and_roles() -> None:
    s = _settings()
    rita = check_password(s, "rita", "r3view!")
    assert rita is not None and rita.role == "reviewer" and can(rita.role, "decide") and can(rita.role, "write")
    vic = check_password(s, "vic", "look-only")
    assert vic is not None and can(vic.role, "read")
    assert not can(vic.role, "decide") and not can(vic.role, "write"), "a viewer only looks, in the UI as in the API"
    assert not can(None, "read") and not can("admin", "read")
    assert check_password(s, "rita", "wrong") is None
    assert check_password(s, "mallory", "r3view!") is None
    assert check_password(s, "nopass", "") is None


def test_users_come_from_the_environment_and_are_masked(monkeypatch: object) -> None:
    import pytest

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    mp.setenv("HYPERJOURNEY_UI__USERS", '{"ana": {"password": "pw-secret", "role": "reviewer"}}')
    s = Settings()
    assert check_password(s, "ana", "pw-secret") is not None
    assert "pw-secret" not in str(s.masked())


def test_page_is_stripped_of_remote_assets() -> None:
    page = (
        '<head><link rel="preconnect" href="https://fonts.googleapis.com" />\n'
        '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin />\n'
        '<link\n  href="https://fonts.googleapis.com/css2?family=Inter&display=swap"\n  rel="stylesheet"\n/>\n'
        '<link rel="stylesheet" href="//cdn.jsdelivr.net/npm/katex/dist/katex.min.css" />\n'
        '<meta property="og:image" content="https://example.com/banner.png">\n'
        '<link rel="icon" href="/favicon" />\n'
        '<script type="module" crossorigin src="/assets/index.js"></script></head>'
    )
    out = strip_external(page)
    assert "http" not in out and "//cdn" not in out
    assert 'href="/favicon"' in out and 'src="/assets/index.js"' in out


def test_prepare_writes_an_app_root_chainlit_accepts(tmp_path: Path, db: Database) -> None:
    settings = _settings(tmp_path).model_copy(update={"database_url": SecretStr(db.admin_url)})
    env = prepare(settings, "acme", "127.0.0.1", 8123)
    root = Path(env["CHAINLIT_APP_ROOT"])
    config = tomllib.loads((root / ".chainlit" / "config.toml").read_text())
    assert "http://127.0.0.1:8123" in config["project"]["allow_origins"]
    assert config["features"]["spontaneous_file_upload"]["enabled"] is False
    assert config["meta"]["generated_by"] == "2.12.0"
    assert env[TENANT_ENV] == "acme" and env["CHAINLIT_PORT"] == "8123"
    assert len(env["CHAINLIT_AUTH_SECRET"]) == 64
    elsewhere = settings.model_copy(update={"home": tmp_path / "another-machine"})  # one secret, every instance
    assert prepare(elsewhere, "acme", "127.0.0.1", 8123)["CHAINLIT_AUTH_SECRET"] == env["CHAINLIT_AUTH_SECRET"]
    assert not list(tmp_path.rglob(".auth_secret"))


def test_the_launch_confirmation_names_the_decision() -> None:
    from hyperjourney.ui.render import launch_markdown, md

    launched = {"launch": {"launched": True, "journey_id": "canvas-1"}, "next": "Watch the lift."}
    assert "Decision" not in launch_markdown(launched)
    shown = launch_markdown({**launched, "decision": "approved", "reviewer": "ui:rita"})
    assert shown.startswith("### ✅ Launched") and "**Decision** approved by `ui:rita`" in shown
    assert shown.index("Decision") < shown.index(md("canvas-1")) < shown.index(md("Watch the lift."))
    assert "Approved and recorded" in launch_markdown({"launch": {"launched": False, "detail": "recorded"}})
