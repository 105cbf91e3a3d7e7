"""Database chores for the live tests, done with SQLAlchemy.

usage:
  live_db.py ping URL                   exit 0 when the server answers
  live_db.py create SERVER_URL NAME     create database NAME (PostgreSQL, MySQL)
  live_db.py drop SERVER_URL NAME       drop it (and everything in it)
  live_db.py inspect URL [SCHEMA]       the schema as SQLAlchemy's inspector
                                        reports it, in migration-doctor's JSON
                                        shape, with type families
  live_db.py inspect-details URL       the same, with each column's server
                                        default and each foreign key's
                                        ON DELETE / ON UPDATE
  live_db.py fleet URL CONFIG NAME:STATE...
                                        tenants of CONFIG (fixtures/fleet) in
                                        a state each (healthy, behind,
                                        untracked, corrupted): PostgreSQL
                                        schemas of URL's database, or MySQL
                                        databases of URL's server
  live_db.py sql URL STATEMENT...       run statements in one transaction
  live_db.py revisions CONFIG           revision ids from base to head, as
                                        alembic orders them (one per line)
  live_db.py create-all URL DIR MODULE:ATTR
                                        metadata.create_all() of a project's
                                        models (DIR goes on sys.path)
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")

import sqlalchemy as sa
from sqlalchemy import types as T


def family(t):
    from sqlalchemy.dialects import postgresql as PG

    name = type(t).__name__.upper()
    if isinstance(t, T.Enum):
        return "enum(%s)" % ",".join(t.enums) if t.enums else "enum"
    if isinstance(t, (T.ARRAY, PG.ARRAY)):
        return "array(%s)" % family(t.item_type)
    if name == "TINYINT":
        return "boolean" if getattr(t, "display_width", None) == 1 else "smallint"
    if isinstance(t, T.Boolean):
        return "boolean"
    if isinstance(t, T.BigInteger):
        return "bigint"
    if isinstance(t, T.SmallInteger):
        return "smallint"
    if isinstance(t, T.Integer):
        return "integer"
    if isinstance(t, T.Float) or name in ("REAL", "DOUBLE", "DOUBLE_PRECISION"):
        return "float"
    if isinstance(t, T.Numeric):
        if t.precision is not None and t.scale is not None:
            return "numeric(%d,%d)" % (t.precision, t.scale)
        if t.precision is not None:
            return "numeric(%d)" % t.precision
        return "numeric"
    if isinstance(t, T.Uuid):
        return "uuid"
    if isinstance(t, T.Text) or name in ("TINYTEXT", "MEDIUMTEXT", "LONGTEXT"):
        return "text"
    if isinstance(t, T.String):
        return "string(%d)" % t.length if t.length else "string"
    if isinstance(t, T.DateTime):
        return "datetime(tz)" if t.timezone else "datetime"
    if isinstance(t, T.Date):
        return "date"
    if isinstance(t, T.Time):
        return "time(tz)" if getattr(t, "timezone", False) else "time"
    if isinstance(t, T.Interval) or name == "INTERVAL":
        return "interval"
    if isinstance(t, T.JSON):
        return "json"
    if isinstance(t, T._Binary) or isinstance(t, T.LargeBinary):
        return "binary"
    return "other(%s)" % name.lower()


def inspect(url, schema=None):
    engine = sa.create_engine(url)
    inspector = sa.inspect(engine)
    tables = {}
    for table in inspector.get_table_names(schema=schema):
        if table == "alembic_version":
            continue
        pk = inspector.get_pk_constraint(table, schema=schema)
        # MariaDB stores JSON as LONGTEXT guarded by CHECK (json_valid(col)).
        # (SQLAlchemy reports those columns as LONGTEXT; its inspector does
        # not list column-level checks, so ask the catalog.)
        json_columns = set()
        if engine.dialect.name == "mysql" and engine.dialect.is_mariadb:
            with engine.connect() as connection:
                clauses = connection.execute(sa.text(
                    "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
                    "WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = :t"), {"t": table})
                for (text,) in clauses:
                    if text.startswith("json_valid(`") and text.endswith("`)"):
                        json_columns.add(text[len("json_valid(`"):-2])
        indexes = [
            {"name": i["name"], "columns": i["column_names"], "unique": bool(i["unique"])}
            for i in inspector.get_indexes(table, schema=schema)
            if engine.dialect.name == "mysql" or "duplicates_constraint" not in i
        ]
        tables[table] = {
            "columns": [
                {"name": c["name"],
                 "type": "json" if c["name"] in json_columns else family(c["type"]),
                 "nullable": bool(c["nullable"])}
                for c in inspector.get_columns(table, schema=schema)
            ],
            "primary_key": pk.get("constrained_columns") or [],
            "indexes": sorted(indexes, key=lambda i: i["name"] or ""),
            "unique_constraints": sorted(
                ({"name": u["name"], "columns": u["column_names"]}
                 for u in inspector.get_unique_constraints(table, schema=schema)),
                key=lambda u: (u["name"] is None, u["name"] or "", u["columns"]),
            ),
            "foreign_keys": sorted(
                ({"name": f["name"], "columns": f["constrained_columns"],
                  "referred_schema": f["referred_schema"], "referred_table": f["referred_table"],
                  "referred_columns": f["referred_columns"]}
                 for f in inspector.get_foreign_keys(table, schema=schema)),
                key=lambda f: (f["name"] is None, f["name"] or "", f["columns"]),
            ),
        }
    views = sorted(inspector.get_view_names(schema=schema))
    engine.dispose()
    return {"tables": tables, "views": views}


def inspect_details(url):
    """`inspect` plus what DDL sets and the comparison leaves out."""
    found = inspect(url)
    engine = sa.create_engine(url)
    inspector = sa.inspect(engine)
    for table, shape in found["tables"].items():
        defaults = {c["name"]: c.get("default") for c in inspector.get_columns(table)}
        for column in shape["columns"]:
            column["default"] = defaults.get(column["name"])
        options = {
            (f["name"], tuple(f["constrained_columns"])): f.get("options") or {}
            for f in inspector.get_foreign_keys(table)
        }
        for key in shape["foreign_keys"]:
            key["options"] = options.get((key["name"], tuple(key["columns"])), {})
    engine.dispose()
    return found


def fleet(url, config_path, specs):
    """Tenants in mixed states, each migrated by the real alembic (in this
    process, so that fifty tenants take seconds, not minutes)."""
    from alembic import command
    from alembic.config import Config

    base = sa.engine.make_url(url)
    postgres = base.get_backend_name() == "postgresql"
    server = server_engine(url)
    for spec in specs:
        name, state = spec.split(":")
        with server.connect() as connection:
            if postgres:
                connection.execute(sa.text('CREATE SCHEMA "%s"' % name))
            else:
                connection.execute(sa.text("CREATE DATABASE `%s`" % name))
        tenant_url = base if postgres else base.set(database=name)
        config = Config(config_path)
        config.attributes["url"] = tenant_url.render_as_string(hide_password=False)
        config.attributes["tenant"] = name if postgres else None
        command.upgrade(config, "f2f2f2f2f2f2" if state == "behind" else "head")
        engine = sa.create_engine(tenant_url)
        table = ('"%s".alembic_version' % name) if postgres else "alembic_version"
        with engine.begin() as connection:
            if state == "untracked":
                connection.execute(sa.text("DROP TABLE %s" % table))
            elif state == "corrupted":
                connection.execute(sa.text("DELETE FROM %s" % table))
        engine.dispose()
    server.dispose()


def server_engine(url):
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def main():
    command, url = sys.argv[1], sys.argv[2]
    if command == "ping":
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    elif command in ("create", "drop"):
        name = sys.argv[3]
        engine = server_engine(url)
        quote = '"' if engine.dialect.name == "postgresql" else "`"
        with engine.connect() as connection:
            if command == "create":
                connection.execute(sa.text("CREATE DATABASE %s%s%s" % (quote, name, quote)))
            elif engine.dialect.name == "postgresql":
                connection.execute(sa.text('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name))
            else:
                connection.execute(sa.text("DROP DATABASE IF EXISTS `%s`" % name))
    elif command == "create-all":
        import importlib

        sys.path.insert(0, sys.argv[3])
        module, attribute = sys.argv[4].split(":")
        value = importlib.import_module(module)
        for part in attribute.split("."):
            value = getattr(value, part)
        metadata = getattr(value, "metadata", value)
        engine = sa.create_engine(url)
        metadata.create_all(engine)
        engine.dispose()
    elif command == "inspect":
        schema = sys.argv[3] if len(sys.argv) > 3 else None
        print(json.dumps(inspect(url, schema), indent=2, ensure_ascii=False))
    elif command == "inspect-details":
        print(json.dumps(inspect_details(url), indent=2, ensure_ascii=False))
    elif command == "fleet":
        fleet(url, sys.argv[3], sys.argv[4:])
    elif command == "revisions":
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(Config(url))
        for revision in reversed(list(script.walk_revisions())):
            print(revision.revision)
    elif command == "sql":
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            for statement in sys.argv[3:]:
                connection.execute(sa.text(statement))
    elif command == "query":
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            rows = connection.execute(sa.text(sys.argv[3])).fetchall()
        print(json.dumps([[str(value) if value is not None else None for value in row] for row in rows]))
    else:
        sys.exit("unknown command " + command)


if __name__ == "__main__":
    main()
