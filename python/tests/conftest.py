"""Real databases for the package's tests.

A uniquely named database per test on PostgreSQL and MariaDB (dropped
afterwards), a file on SQLite.

A server that does not answer skips its tests, except under CI=true, where
it fails them: a laptop run cannot look green by accident.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import NoReturn

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example"
SERVERS = {
    "postgresql": os.environ.get(
        "MIGRATION_DOCTOR_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
    ),
    "mysql": os.environ.get(
        "MIGRATION_DOCTOR_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
    ),
}


def in_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "0", "false")


def unavailable(message: str) -> NoReturn:
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


class Project:
    """A copy of the example project whose alembic.ini points at ``url``."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder = folder
        self.url = url
        self.ini = folder / "alembic.ini"

    def alembic(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(self.ini), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"alembic {' '.join(args)} failed:\n{done.stderr}")
        return done

    def execute(self, *statements: str) -> None:
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
        engine.dispose()

    def current(self) -> str:
        return self.alembic("current").stdout.strip()


def _server_database(kind: str) -> tuple[str, str, sa.Engine]:
    admin = sa.create_engine(
        SERVERS[kind], isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    name = f"md_py_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
    except Exception as error:  # the server is not there
        admin.dispose()
        unavailable(f"{kind} server at {SERVERS[kind]} is not available: {error}")
    url = sa.make_url(SERVERS[kind]).set(database=name).render_as_string(hide_password=False)
    return name, url, admin


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def project(request: pytest.FixtureRequest, tmp_path: Path):
    folder = tmp_path / "project"
    shutil.copytree(EXAMPLE / "migrations", folder / "migrations")
    kind = request.param
    admin = name = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
    else:
        name, url, admin = _server_database(kind)
    ini = (EXAMPLE / "alembic.ini").read_text()
    ini = ini.replace("sqlalchemy.url = sqlite:///%(here)s/shop.db", f"sqlalchemy.url = {url}")
    (folder / "alembic.ini").write_text(ini)
    yield Project(folder, url)
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
