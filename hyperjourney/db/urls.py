"""Where the database is: the admin URL from settings or the running embedded server, without a driver import.

`hyperjourney db url` needs nothing else, so it starts in a fraction of the time a connection's imports take.
"""

from __future__ import annotations

from hyperjourney.db import embedded
from hyperjourney.settings import Settings

APP_ROLE = "hyperjourney_app"


def admin_url(settings: Settings) -> str:
    """The configured server's URL, or the embedded server's (started when it is not running)."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return embedded.start(settings.home_dir)


def app_url(settings: Settings, admin: str) -> str:
    """The application role's URL: configured, or the admin URL with the login switched to the app role."""
    if settings.app_database_url is not None:
        return settings.app_database_url.get_secret_value()
    password = settings.app_db_password.get_secret_value() if settings.app_db_password else None
    return app_url_for(admin, password)


def app_url_for(admin: str, password: str | None) -> str:
    """The admin URL with the login switched to the application role."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(admin)
    params["user"] = APP_ROLE
    params.pop("password", None)
    if password:
        params["password"] = password
    return make_conninfo("", **params)
