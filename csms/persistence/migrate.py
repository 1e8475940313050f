"""Apply Alembic migrations programmatically (`csms db upgrade`, and `csms serve` at start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from csms.persistence.engine import ensure_sqlite_dir


def migrations_dir() -> Path:
    """`migrations/` next to the package (source checkout, editable install, or the image)."""
    for candidate in (Path(__file__).resolve().parents[2] / "migrations",
                      Path.cwd() / "migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise FileNotFoundError("cannot find the migrations/ folder")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logging"] = False
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Blocking; call it from a thread when an event loop is running."""
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)
