"""`hyperjourney ui`: lay out chainlit's app root under HYPERJOURNEY_HOME, set its environment, serve the app.

Chainlit reads its config and app root at import, so everything here happens before chainlit is imported.
"""

from __future__ import annotations

import importlib.util
import json
import os
from importlib import resources
from pathlib import Path

from hyperjourney.db.secrets import installation_secret
from hyperjourney.settings import Settings

APP_FILE = Path(__file__).with_name("app.py")
TENANT_ENV = "HYPERJOURNEY_UI_TENANT"
WRONG_LOGIN = "Wrong username or password."


def prepare(settings: Settings, tenant: str, host: str, port: int) -> dict[str, str]:
    """Write the app root (config, readme, translations dir) and return the environment chainlit runs with."""
    root = settings.home_dir / "ui"
    (root / ".chainlit").mkdir(parents=True, exist_ok=True)
    origins = sorted({f"http://{host}:{port}", f"http://127.0.0.1:{port}", f"http://localhost:{port}"})
    template = resources.files("hyperjourney.ui").joinpath("chainlit_config.toml").read_text(encoding="utf-8")
    (root / ".chainlit" / "config.toml").write_text(
        template.replace("{allow_origins}", json.dumps(origins)), encoding="utf-8"
    )
    readme = resources.files("hyperjourney.ui").joinpath("chainlit_readme.md").read_text(encoding="utf-8")
    (root / "chainlit.md").write_text(readme, encoding="utf-8")
    _write_public(root / "public")
    _write_translation(root / ".chainlit" / "translations")
    return {
        "CHAINLIT_APP_ROOT": str(root),
        "CHAINLIT_HOST": host,
        "CHAINLIT_PORT": str(port),
        "CHAINLIT_AUTH_SECRET": _auth_secret(settings),
        TENANT_ENV: tenant,
    }


def _write_public(folder: Path) -> None:
    """What the page loads from the app root's public/: the canvas's and copilot's forms (chainlit custom
    elements, in elements/), a plain logo and login image in place of chainlit's own, and toasts.js."""
    ui = resources.files("hyperjourney.ui")
    for source_dir, target, suffixes in (
        ("elements", folder / "elements", (".jsx",)),
        ("public", folder, (".svg", ".js")),
    ):
        target.mkdir(parents=True, exist_ok=True)
        for source in ui.joinpath(source_dir).iterdir():
            if source.name.endswith(suffixes):
                (target / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")


def _write_translation(folder: Path) -> None:
    """Chainlit's English texts with the login in this project's words: a username, not an email address."""
    spec = importlib.util.find_spec("chainlit")  # located, not imported: chainlit reads its app root at import
    assert spec is not None and spec.origin is not None
    folder.mkdir(parents=True, exist_ok=True)
    shipped = Path(spec.origin).parent / "translations" / "en-US.json"
    texts = json.loads(shipped.read_text(encoding="utf-8"))
    login = texts["auth"]["login"]
    login["title"] = "Sign in to hyperjourney"
    login["form"]["email"] = {"label": "Username", "required": "Enter your username", "placeholder": "your username"}
    login["form"]["password"]["required"] = "Enter your password"
    for key in ("default", "signin", "credentialsSignin", "credentialssignin"):
        login["errors"][key] = WRONG_LOGIN
    (folder / "en-US.json").write_text(json.dumps(texts, indent=2, ensure_ascii=False), encoding="utf-8")


def _auth_secret(settings: Settings) -> str:
    """HYPERJOURNEY_UI__AUTH_SECRET, else the installation's secret in Postgres: every UI process (on any
    machine, read-only filesystems included) signs and accepts the same session tokens."""
    if settings.ui.auth_secret is not None:
        return settings.ui.auth_secret.get_secret_value()
    return installation_secret(settings, "ui_auth").hex()


def serve(settings: Settings, tenant: str, host: str, port: int) -> None:
    """Run the chainlit app in this process until interrupted."""
    os.environ.update(prepare(settings, tenant, host, port))
    from chainlit.cli import run_chainlit

    run_chainlit(str(APP_FILE))
