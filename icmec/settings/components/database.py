"""The database: PostgreSQL only, from `DATABASE_URL`. There is no SQLite code path.

`dev` and `test` point it at the embedded PostgreSQL when `DATABASE_URL` is not set, through
`database_from_url`, so that every environment builds its database settings the same way.
"""

from urllib.parse import unquote

from icmec.settings.components.environment import env


def database_from_url(url: str, *, conn_max_age: int) -> dict:
    """Django's settings of the database at `url` (a Unix socket directory may stand in the
    host part, percent-encoded), keeping connections for `conn_max_age` seconds."""
    database = env.db_url_config(url)
    return {
        **database,
        "HOST": unquote(database.get("HOST") or ""),
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {
    "default": database_from_url(
        env.str("DATABASE_URL", default="postgres:///icmec"),
        conn_max_age=env.int("CONN_MAX_AGE", default=60),
    )
}
