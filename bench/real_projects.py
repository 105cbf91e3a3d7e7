"""Real-project harness: runs real projects' alembic migrations (from their
pinned PyPI releases) with the real alembic, revision by revision, on SQLite,
PostgreSQL and MariaDB, and after each revision R checks migration-doctor:

  a. `schema --revision R` against SQLAlchemy's inspector on the live database
     (identical, or the differences classified by cause); where branches leave
     several version rows, the one revision with the same applied set stands
     for them, or else the rows as one state (`schema --revision a+b`);
  b. `diagnose` with the version table intact: `behind` below the heads,
     `healthy` at them;
  c. `diagnose` with the version table dropped: `untracked_schema` proven at R
     (right), proven at a revision whose state is R's own (equivalent: only
     revisions without any operation lie between, and R is among the tying
     candidates), needing confirmation with R among the candidates, proven at
     another revision (WRONG: the worst outcome), or anything else.

usage:
  python3 bench/real_projects.py [--projects optuna,mlflow] \
      [--databases sqlite,postgresql,mysql] [--max-revisions N] \
      [--binary PATH] [--cache DIR] [--json OUT] [--check] [--list]

Each project gets its own virtualenv under the cache folder (default
target/real-projects/), made once with `python3 -m venv` and pip (pinned
versions; reused when present). The live schema is read in a separate
"tools" virtualenv (pinned SQLAlchemy, the one of requirements-test.txt), so
every project is inspected by the same SQLAlchemy; the migrations run in the
project's own virtualenv, in a worker process that calls alembic's
`command.upgrade(cfg, R)` for each revision (the code path of
`alembic upgrade R`), with a generic env.py in a copy of the script
directory (the copy sits in a shadow of the project's package, so that
migration-doctor still finds the project's own modules above it).

Each diagnosis is run --repeat more times (default 2): an answer that is not
the same every time is counted `unstable`. `sole-bad` counts untracked
databases offered one candidate for a person to confirm that is not their
state. `healthy-bad` counts databases at the heads, version table intact (the
state alembic left), that `diagnose` does not call `healthy` (they are among
"intact bad" too). `warned` counts intact diagnoses that are right (healthy or
behind as expected) but carry a finding of severity `warning`; the JSON keeps
per project and database the warning codes (how many diagnoses show each) and
a sample message or two of each, printed in the details. `check provable
(person)` is what `migration-doctor check` says of the project on that
dialect (revisions the schema alone can prove, of all), beside how many
untracked diagnoses of the run needed a person.

--check exits 1 when any diagnosis is proven at a wrong revision, an answer
changed between runs, or migration-doctor crashed (exit code >= 100, or a
panic). A project that fails
to install or to migrate is reported (last line of its error) and the harness
goes on; every database it creates is dropped.

The harness re-executes itself in the tools virtualenv; in the project
virtualenvs it runs as `--worker` (stdin/stdout JSON lines).
"""
import argparse
import json
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SUPPORT = os.path.join(ROOT, "crates", "cli", "tests", "support")

ALEMBIC = "alembic==1.20.1"
DRIVERS = ["psycopg2-binary==2.9.13", "PyMySQL==1.2.4"]
TOOLS_REQUIREMENTS = [ALEMBIC, "SQLAlchemy==2.1.9"] + DRIVERS

SERVERS = {
    "postgresql": "postgresql+psycopg2://postgres@127.0.0.1:5432",
    "mysql": "mysql+pymysql://root@127.0.0.1:3306",
}
ALL_DATABASES = ("sqlite", "postgresql", "mysql")

MLFLOW_PRE_STEP = (
    "import sqlalchemy as sa\n"
    "from mlflow.store.tracking.dbmodels.initial_models import Base as InitialBase\n"
    "engine = sa.create_engine(url)\n"
    "InitialBase.metadata.create_all(engine)\n"
    "engine.dispose()\n"
)

# The projects. Fields:
#   requirements   pip requirements of the project's virtualenv (alembic and
#                  the drivers are added); pin what is used
#   alembic        the alembic requirement, when the project cannot take 1.20.1
#   drivers        the driver requirements, when the project cannot take ours
#   script         the script directory, relative to site-packages
#   databases      the databases the project's migrations support; others
#                  are skipped with `unsupported`
#   target_metadata  "module:attribute" of the MetaData the project's env.py
#                  passes as target_metadata (alembic names unnamed constraints
#                  and indexes with its naming_convention)
#   configure      extra keyword arguments of context.configure in env.py
#                  (mirroring the project's env.py where it changes the schema
#                  or the version table), JSON values
#   version_table  the project's version table, when it is not alembic_version
#   md_args        extra global arguments for migration-doctor
#   baseline       --baseline for migration-doctor (retried without it, and the
#                  row marked `no baseline`, when the binary rejects the flag)
#   pre_step       Python run in the project's virtualenv (with `url`) before
#                  the first revision, as the project itself does
#   env            environment of the alembic worker ({folder}: the run's temporary
#                  folder, {url}: the database); env_by_dialect: {dialect: env}
#   worker_setup   Python run once in the alembic worker before anything else
#                  (what the project's own start-up does, e.g. load its settings)
#   alembic_drivers  {dialect: "dialect+driver"} for alembic's URL when the
#                  project migrates through another driver than the harness's
#   ini_options    extra [alembic] options of the generated alembic.ini
#   known_failures {dialect: why}: the project's own migrations fail there at
#                  some revision (a bug of the project); reported, not an error
#   default        False: only run when named in --projects (too heavy to install)
#   note           why databases are left out, and other remarks
PROJECTS = {
    "optuna": dict(
        target_metadata="optuna.storages._rdb.models:BaseModel.metadata",
        requirements=["optuna==5.0.0", "SQLAlchemy==2.1.9"],
        script="optuna/storages/_rdb/alembic",
        databases=ALL_DATABASES,
        known_failures={
            "postgresql": "v2.4.0.a re-creates enum type studydirection (optuna issue #3999: "
                          "upgrading from a fresh database fails)",
            "mysql": "v2.4.0.a drops trial_values.step, still in a unique key: MariaDB refuses "
                     "(MySQL shrinks the key; the migration expects that)",
        },
    ),
    "mlflow": dict(
        target_metadata="mlflow.store.db.base_sql_model:Base.metadata",
        requirements=["mlflow-skinny==3.17.2", "SQLAlchemy==2.1.9"],
        script="mlflow/store/db_migrations",
        databases=ALL_DATABASES,
        baseline="mlflow.store.tracking.dbmodels.initial_models:Base.metadata",
        pre_step=MLFLOW_PRE_STEP,
        note="tracking store; initial tables from InitialBase.metadata.create_all, as mlflow's _initialize_tables",
    ),
    "mlflow-auth": dict(
        requirements=["mlflow-skinny==3.17.2", "SQLAlchemy==2.1.9"],
        script="mlflow/server/auth/db/migrations",
        version_table="alembic_version_auth",
        databases=("sqlite", "postgresql"),
        note="mlflow's auth store; MySQL/MariaDB: its first revision names two foreign keys "
             "fk_user_id, which InnoDB refuses (errno 121)",
    ),
    "nova-main": dict(
        target_metadata="nova.db.main.models:BASE.metadata",
        requirements=["nova==34.0.0", "SQLAlchemy==2.1.9"],
        script="nova/db/main/migrations",
        databases=ALL_DATABASES,
    ),
    "nova-api": dict(
        target_metadata="nova.db.api.models:BASE.metadata",
        requirements=["nova==34.0.0", "SQLAlchemy==2.1.9"],
        script="nova/db/api/migrations",
        databases=ALL_DATABASES,
    ),
    "keystone": dict(
        target_metadata="keystone.common.sql.core:ModelBase.metadata",
        requirements=["keystone==30.0.0", "SQLAlchemy==2.1.9"],
        script="keystone/common/sql/migrations",
        databases=ALL_DATABASES,
        # keystone's upgrades.py lists versions/ and each versions/<release>/<branch>
        ini_options={"version_locations": "{script}/versions", "recursive_version_locations": "true"},
        # its first revision reads keystone's configuration (CONF.saml)
        worker_setup=("import keystone.conf\nkeystone.conf.configure()\n"
                      "keystone.conf.CONF(args=[], project='keystone', default_config_files=[])\n"),
        note="expand/contract branches: most states have two heads",
    ),
    "neutron": dict(
        target_metadata="neutron_lib.db.model_base:BASEV2.metadata",
        requirements=["neutron==29.0.0", "SQLAlchemy==2.1.9"],
        script="neutron/db/migration/alembic_migrations",
        databases=ALL_DATABASES,
        # neutron's cli.py lists versions/ and each versions/<release>/<branch>
        ini_options={"version_locations": "{script}/versions", "recursive_version_locations": "true"},
        known_failures={
            "sqlite": "1df244e556f5 adds a unique constraint with op.create_unique_constraint, which "
                      "SQLite cannot do outside batch mode",
            "postgresql": "d553edeb540f runs MySQL's ALTER TABLE tags CONVERT TO CHARACTER SET and only "
                          "catches OperationalError, while PostgreSQL raises a syntax error",
        },
        note="expand/contract branches, labelled with constants of neutron.db.migration.cli; "
             "about ten minutes per database server",
        default=False,
    ),
    "prefect": dict(
        target_metadata="prefect.server.database.orm_models:Base.metadata",
        requirements=["prefect==3.9.1", "SQLAlchemy==2.1.9", "asyncpg==0.32.0"],
        script="prefect/server/database/_migrations",
        databases=("sqlite", "postgresql"),
        ini_options={"version_locations": "{script}/versions/{dialect}"},
        # prefect migrates PostgreSQL through asyncpg (its SQL has bare `%`)
        alembic_drivers={"postgresql": "postgresql+asyncpg"},
        note="prefect keeps one history per dialect (versions/sqlite, versions/postgresql); no MySQL",
    ),
    "zenml": dict(
        target_metadata="sqlmodel:SQLModel.metadata",
        requirements=["zenml[local]==0.98.0", "SQLAlchemy==2.0.58", "sqlmodel==0.0.38"],
        # zenml[local] 0.98.0 requires alembic<=1.15.2 and pymysql~=1.1.0
        alembic="alembic==1.15.2",
        drivers=["psycopg2-binary==2.9.13", "PyMySQL==1.1.3"],
        script="zenml/zen_stores/migrations",
        databases=("sqlite", "mysql"),
        env={"ZENML_CONFIG_PATH": "{folder}/zenml-config", "ZENML_ANALYTICS_OPT_IN": "false"},
        known_failures={
            "sqlite": "728c6369cfaa calls _disable_primary_key_requirement_if_necessary, which raises "
                      "'Unsupported engine: sqlite'",
            "mysql": "a71cca37e42d needs the default workspace row that ZenML's store inserts at start-up "
                     "('Default workspace not found')",
        },
        note="ZenML's SQL store supports SQLite and MySQL only",
    ),
    "langflow": dict(
        target_metadata="langflow.services.database.service:SQLModel.metadata",
        requirements=["langflow-base==1.13.0", "SQLAlchemy==2.1.9"],
        alembic="alembic==1.18.5",  # langflow-base 1.13.0 requires alembic<1.19
        script="langflow/alembic",
        databases=("sqlite", "postgresql"),
        env={"LANGFLOW_CONFIG_DIR": "{folder}/langflow-config", "DO_NOT_TRACK": "true"},
        default=False,
        note="langflow supports SQLite and PostgreSQL only; left out of the default run: "
             "pip had not resolved langflow-base's dependencies after 15 minutes",
    ),
    "airflow": dict(
        target_metadata="airflow.models.base:Base.metadata",
        requirements=["apache-airflow-core==3.3.2", "SQLAlchemy==2.1.9"],
        script="airflow/migrations",
        databases=("sqlite", "postgresql"),
        env={"AIRFLOW_HOME": "{folder}/airflow-home"},
        # on MySQL, airflow's StringID columns take the collation utf8mb3_bin
        # from its settings (its docs ask for it; utf8mb4 keys are too long)
        env_by_dialect={"mysql": {"AIRFLOW__DATABASE__SQL_ENGINE_COLLATION_FOR_IDS": "utf8mb3_bin"}},
        note="airflow supports MySQL 8 (not MariaDB) through mysqlclient: its migrations send "
             "multi-statement SQL (CREATE PROCEDURE ...; CALL ...) that PyMySQL refuses",
    ),
    "placement": dict(
        target_metadata="placement.db.sqlalchemy.models:BASE.metadata",
        requirements=["openstack-placement==16.0.0", "SQLAlchemy==2.1.9"],
        script="placement/db/sqlalchemy/alembic",
        databases=ALL_DATABASES,
        note="OpenStack placement, MySQL first; five revisions",
    ),
    "ironic": dict(
        target_metadata="ironic.db.sqlalchemy.models:Base.metadata",
        requirements=["ironic==39.0.0", "SQLAlchemy==2.1.9"],
        script="ironic/db/sqlalchemy/alembic",
        databases=ALL_DATABASES,
        known_failures={
            "sqlite": "3bea56f25597 adds a unique constraint with op.create_unique_constraint, which "
                      "SQLite cannot do outside batch mode (ironic walks its migrations on MySQL and "
                      "PostgreSQL only; `ironic-dbsync create_schema` makes SQLite databases)",
        },
        note="OpenStack bare metal, MySQL first; 81 revisions, about a minute per database server",
    ),
    "glance": dict(
        target_metadata="glance.db.sqlalchemy.models:BASE.metadata",
        requirements=["glance==33.0.0", "SQLAlchemy==2.1.9"],
        script="glance/db/sqlalchemy/alembic_migrations",
        databases=ALL_DATABASES,
        note="expand/contract branches (labels expand/contract from ocata on; each contract "
             "revision depends_on its expand one); glance-manage's data migrations between them "
             "are not run (no rows)",
    ),
    "aodh": dict(
        target_metadata="aodh.storage.sqlalchemy.models:Base.metadata",
        requirements=["aodh==23.0.0", "SQLAlchemy==2.1.9"],
        script="aodh/storage/sqlalchemy/alembic",
        databases=ALL_DATABASES,
        known_failures={
            "sqlite": "009 makes alarm_history.alarm_id NOT NULL with op.alter_column outside batch "
                      "mode (ALTER TABLE ... ALTER COLUMN ... SET NOT NULL: a syntax error on SQLite)",
            "mysql": "367aadf5485f passes the Column that op.add_column has just attached to table alarm "
                     "to sa.sql.table() as well; SQLAlchemy refuses ('column object timestamp_ts "
                     "already assigned to table alarm')",
        },
        note="OpenStack telemetry alarming; ten revisions",
    ),
    "masakari": dict(
        target_metadata="masakari.db.sqlalchemy.models:BASE.metadata",
        requirements=["masakari==22.0.0", "SQLAlchemy==2.1.9"],
        script="masakari/db/sqlalchemy/migrations",
        databases=ALL_DATABASES,
        note="OpenStack instance high availability; three revisions",
    ),
    "octavia": dict(
        # octavia's env.py passes target_metadata=None
        requirements=["octavia==19.0.0", "SQLAlchemy==2.1.9"],
        script="octavia/db/migration/alembic_migrations",
        databases=("postgresql", "mysql"),
        known_failures={
            "postgresql": "9bf4d21caaea drops the primary key of listener_statistics by MySQL's name for "
                          "it, 'PRIMARY' (constraint \"PRIMARY\" ... does not exist)",
        },
        note="OpenStack load balancer, MySQL only in practice; 95 revisions, about a minute and a half "
             "on MariaDB; SQLite: 4c094013699a drops a foreign key outside batch mode",
    ),
    "cinder": dict(
        target_metadata="cinder.db.models:BASE.metadata",
        requirements=["cinder==29.0.0", "SQLAlchemy==2.1.9"],
        script="cinder/db/migrations",
        databases=ALL_DATABASES,
        note="OpenStack block storage, MySQL first; eight revisions from a squashed initial one",
    ),
    "ckan": dict(
        # ckan's env.py passes ckan.model.meta.metadata, a MetaData() without
        # naming_convention; left out here (importing it needs ckan's Flask
        # stack, not installed: `ckan` alone brings no requirements)
        requirements=["ckan==2.12.0", "SQLAlchemy==2.0.51"],
        script="ckan/migration",
        databases=("postgresql",),
        note="CKAN supports PostgreSQL only; its first revision creates the pre-alembic tables; "
             "109 revisions, about a minute and a half",
    ),
    "phoenix": dict(
        # class Base(DeclarativeBase): metadata = MetaData(naming_convention=...)
        target_metadata="phoenix.db.models:Base.metadata",
        requirements=["arize-phoenix==20.26.1", "SQLAlchemy==2.1.9"],
        script="phoenix/db/migrations",
        databases=("sqlite", "postgresql"),
        note="Arize Phoenix supports SQLite and PostgreSQL (it migrates through aiosqlite and asyncpg; "
             "here through the harness's synchronous drivers); 35 revisions",
    ),
}


# --------------------------------------------------------------------------
# worker: runs in the project's virtualenv


ENV_PY = '''"""Generic env.py written by bench/real_projects.py (online mode only)."""
import json
import os

from alembic import context
from sqlalchemy import engine_from_config, pool

# the project's target_metadata: its naming_convention names the constraints
# and indexes that op.create_table and friends leave unnamed (imported as the
# project's env.py does, so that migration-doctor reads it here as well)
@TARGET_METADATA@

config = context.config
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness_configure.json")) as f:
    options = json.load(f)
# the project's own driver, when it is not the harness's (e.g. asyncpg)
url = options.pop("harness_url", None)


def run(connection):
    context.configure(connection=connection, target_metadata=target_metadata,
                      transaction_per_migration=True, **options)
    with context.begin_transaction():
        context.run_migrations()


if url and ("+asyncpg" in url or "+aiosqlite" in url):
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    async def main():
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(main())
else:
    section = config.get_section(config.config_ini_section, {})
    if url:
        section["sqlalchemy.url"] = url
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        run(connection)
'''


def worker(ini):
    """Answers JSON-line commands on stdin; replies on the original stdout
    (anything the migrations print goes to stderr)."""
    reply_stream = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.basicConfig(level=logging.WARNING)
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(ini)

    def reply(payload):
        reply_stream.write("@@harness@@ " + json.dumps(payload) + "\n")
        reply_stream.flush()

    for line in sys.stdin:
        request = json.loads(line)
        try:
            kind = request["cmd"]
            if kind == "revisions":
                script = ScriptDirectory.from_config(config)
                walked = list(reversed(list(script.walk_revisions())))
                parents = {}
                for r in walked:
                    downs = getattr(r, "_all_down_revisions", None)
                    if downs is None:
                        downs = tuple(r.down_revision if isinstance(r.down_revision, (tuple, list))
                                      else [r.down_revision] if r.down_revision else []) + tuple(
                            r.dependencies if isinstance(r.dependencies, (tuple, list))
                            else [r.dependencies] if r.dependencies else [])
                    parents[r.revision] = list(downs)
                reply({"ok": True, "revisions": [r.revision for r in walked],
                       "heads": list(script.get_heads()), "parents": parents})
            elif kind == "upgrade":
                command.upgrade(config, request["rev"])
                reply({"ok": True})
            elif kind == "stamp":
                command.stamp(config, request["revs"])
                reply({"ok": True})
            elif kind == "exec":
                exec(compile(request["code"], "<harness>", "exec"), {"url": request["url"]})
                reply({"ok": True})
            elif kind == "quit":
                reply({"ok": True})
                return
            else:
                reply({"ok": False, "error": "unknown command %s" % kind})
        except BaseException as error:  # noqa: BLE001 - reported to the harness
            # the traceback's last line (its first line, for messages that
            # carry the SQL below)
            text = "".join(traceback.format_exception_only(type(error), error)).strip()
            reply({"ok": False, "error": (text.splitlines()[0] if text else repr(error))[:500],
                   "traceback": traceback.format_exc()[-6000:]})


class Worker:
    """The project's alembic, in its own virtualenv, driven over a pipe."""

    def __init__(self, python, ini, log_path, extra_env=None, url=""):
        self.log = open(log_path, "ab")
        env = clean_env()
        folder = os.path.dirname(ini)
        for key, value in (extra_env or {}).items():
            env[key] = value.replace("{folder}", folder).replace("{url}", url)
        self.process = subprocess.Popen(
            [python, os.path.abspath(__file__), "--worker", ini],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            text=True, cwd=folder, env=env)
        self.replies = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            if line.startswith("@@harness@@ "):
                self.replies.put(json.loads(line[len("@@harness@@ "):]))
        self.replies.put(None)

    def call(self, timeout, **request):
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        try:
            answer = self.replies.get(timeout=timeout)
        except queue.Empty:
            self.close(kill=True)
            return {"ok": False, "error": "timed out after %ds" % timeout}
        if answer is None:
            self.process.wait()
            self.log.flush()
            with open(self.log.name, errors="replace") as f:
                tail = last_line(f.read()[-4000:])
            return {"ok": False, "error": "the alembic worker died (exit %s): %s" % (
                self.process.returncode, tail)}
        return answer

    def close(self, kill=False):
        if self.process.poll() is None:
            if not kill:
                try:
                    self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                    self.process.stdin.flush()
                    self.process.wait(timeout=30)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --------------------------------------------------------------------------
# virtualenvs


def clean_env():
    env = dict(os.environ)
    for name in ("DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"):
        env.pop(name, None)
    env["PYTHONWARNINGS"] = "ignore"
    return env


def last_line(text):
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    return lines[-1] if lines else ""


def ensure_venv(folder, requirements, timeout):
    """A virtualenv in `folder` with `requirements`; reused when its stamp
    matches. Returns (python, seconds, error)."""
    python = os.path.join(folder, "bin", "python")
    stamp = os.path.join(folder, ".harness-requirements")
    wanted = "\n".join(requirements) + "\n"
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return python, 0.0, None
    started = time.monotonic()
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", folder], check=True, env=clean_env())
    try:
        done = subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + requirements,
            capture_output=True, text=True, timeout=timeout, env=clean_env())
    except subprocess.TimeoutExpired:
        return python, time.monotonic() - started, "pip install timed out after %ds" % timeout
    if done.returncode != 0:
        errors = [l for l in done.stderr.splitlines() if l.startswith("ERROR")]
        return python, time.monotonic() - started, (errors[0] if errors else last_line(done.stderr))[:500]
    freeze = subprocess.run([python, "-m", "pip", "freeze", "--disable-pip-version-check"],
                            capture_output=True, text=True, env=clean_env())
    with open(os.path.join(folder, ".harness-freeze"), "w") as f:
        f.write(freeze.stdout)
    with open(stamp, "w") as f:
        f.write(wanted)
    return python, time.monotonic() - started, None


def key_versions(folder):
    """SQLAlchemy's and alembic's versions in a virtualenv (from pip freeze)."""
    try:
        lines = open(os.path.join(folder, ".harness-freeze")).read().splitlines()
    except OSError:
        return {}
    wanted = ("sqlalchemy", "alembic")
    return {l.split("==")[0]: l.split("==")[1] for l in lines
            if "==" in l and l.split("==")[0].lower() in wanted}


def site_packages(python):
    out = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def relaunch_in_tools_venv(cache):
    """Re-executes this script in the tools virtualenv (made on first use)."""
    if os.environ.get("HARNESS_IN_TOOLS_VENV") == "1":
        return
    folder = os.path.join(cache, "_tools")
    print("tools virtualenv: %s" % folder, file=sys.stderr)
    python, _, error = ensure_venv(folder, TOOLS_REQUIREMENTS, 900)
    if error:
        sys.exit("cannot make the tools virtualenv: %s" % error)
    env = dict(os.environ, HARNESS_IN_TOOLS_VENV="1")
    os.execve(python, [python, os.path.abspath(__file__)] + sys.argv[1:], env)


# --------------------------------------------------------------------------
# databases (tools virtualenv)


def sa():
    import warnings

    warnings.simplefilter("ignore")
    import sqlalchemy

    return sqlalchemy


class Database:
    def __init__(self, dialect, name, folder):
        self.dialect, self.name = dialect, name
        if dialect == "sqlite":
            self.url = "sqlite:///" + os.path.join(folder, name + ".db")
        elif dialect == "postgresql":
            self.url = "%s/%s" % (SERVERS[dialect], name)
        else:
            self.url = "%s/%s?charset=utf8mb4" % (SERVERS[dialect], name)

    def _server(self):
        s = sa()
        return s.create_engine(SERVERS[self.dialect] + "/" + ("postgres" if self.dialect == "postgresql" else ""),
                               isolation_level="AUTOCOMMIT")

    def create(self):
        if self.dialect == "sqlite":
            return
        engine = self._server()
        with engine.connect() as connection:
            if self.dialect == "postgresql":
                connection.execute(sa().text('CREATE DATABASE "%s"' % self.name))
            else:
                connection.execute(sa().text(
                    "CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci" % self.name))
        engine.dispose()

    def drop(self):
        if self.dialect == "sqlite":
            return
        engine = self._server()
        with engine.connect() as connection:
            if self.dialect == "postgresql":
                connection.execute(sa().text('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.name))
            else:
                connection.execute(sa().text("DROP DATABASE IF EXISTS `%s`" % self.name))
        engine.dispose()

    def quote(self, name):
        return ("`%s`" if self.dialect == "mysql" else '"%s"') % name

    def version_rows(self, table):
        s = sa()
        engine = s.create_engine(self.url, poolclass=s.pool.NullPool)
        try:
            with engine.connect() as connection:
                if not s.inspect(connection).has_table(table):
                    return None
                return sorted(r[0] for r in connection.execute(
                    s.text("SELECT version_num FROM %s" % self.quote(table))))
        finally:
            engine.dispose()

    def drop_table(self, table):
        s = sa()
        engine = s.create_engine(self.url, poolclass=s.pool.NullPool)
        try:
            with engine.begin() as connection:
                connection.execute(s.text("DROP TABLE %s" % self.quote(table)))
        finally:
            engine.dispose()

    def inspect(self, version_table):
        if SUPPORT not in sys.path:
            sys.path.insert(0, SUPPORT)
        import live_db  # crates/cli/tests/support/live_db.py: the tests' inspector

        live = live_db.inspect(self.url)
        live["tables"].pop(version_table, None)
        return live


# --------------------------------------------------------------------------
# the script directory, copied with a generic env.py


def shadow_copy(site, script, destination):
    """Copies site/script to destination/script; every folder above it (inside
    the project's top-level package) is a real folder whose other entries are
    symbolic links to the installed ones, so that the project's own modules
    are found above the copy as they are above the original."""
    parts = script.strip("/").split("/")
    source, target = site, destination
    for index, part in enumerate(parts):
        source, target = os.path.join(source, part), os.path.join(target, part)
        if index == len(parts) - 1:
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            break
        os.makedirs(target, exist_ok=True)
        for entry in os.listdir(source):
            if entry != parts[index + 1] and entry != "__pycache__":
                link = os.path.join(target, entry)
                if not os.path.lexists(link):
                    os.symlink(os.path.join(source, entry), link)
    return target


def target_metadata_lines(spec):
    """env.py's lines for target_metadata "module:attribute.path": an import
    of the module's name and an assignment, as projects write them."""
    if not spec:
        return "target_metadata = None"
    module, _, path = spec.partition(":")
    first, _, rest = path.partition(".")
    # a name that env.py uses itself is imported under another one
    local = "harness_" + first if first in ENV_PY_NAMES else first
    return "from %s import %s%s\ntarget_metadata = %s%s" % (
        module, first, " as " + local if local != first else "", local, "." + rest if rest else "")


ENV_PY_NAMES = {"json", "os", "context", "engine_from_config", "pool", "config", "options", "f", "url",
                "target_metadata", "run", "asyncio", "create_async_engine", "main", "section", "connectable",
                "connection"}


def prepare_project(project, site, folder, url, dialect):
    script = shadow_copy(site, project["script"], os.path.join(folder, "tree"))
    with open(os.path.join(script, "env.py"), "w") as f:
        f.write(ENV_PY.replace("@TARGET_METADATA@", target_metadata_lines(project.get("target_metadata"))))
    configure = dict(project.get("configure") or {})
    if project.get("version_table"):
        configure["version_table"] = project["version_table"]
    driver = (project.get("alembic_drivers") or {}).get(dialect)
    if driver:
        configure["harness_url"] = driver + url[url.index("://"):]
    with open(os.path.join(script, "harness_configure.json"), "w") as f:
        json.dump(configure, f)
    ini = os.path.join(folder, "alembic.ini")
    with open(ini, "w") as f:
        f.write("[alembic]\n")
        f.write("script_location = %s\n" % script.replace("%", "%%"))
        for key, value in (project.get("ini_options") or {}).items():
            f.write("%s = %s\n" % (key, value.replace("{script}", script).replace("{dialect}", dialect)))
        f.write("sqlalchemy.url = %s\n" % url.replace("%", "%%"))
    return ini


# --------------------------------------------------------------------------
# migration-doctor


class Doctor:
    def __init__(self, binary, ini, project, cwd):
        self.binary, self.ini, self.cwd = binary, ini, cwd
        self.extra = list(project.get("md_args") or [])
        if project.get("version_table"):
            self.extra += ["--version-table", project["version_table"]]
        self.baseline = project.get("baseline")
        self.baseline_rejected = False
        self.crashes = []
        self.seconds = 0.0

    def run(self, *arguments):
        base = [self.binary, "-c", self.ini] + self.extra
        with_baseline = base + (["--baseline", self.baseline]
                                if self.baseline and not self.baseline_rejected else [])
        started = time.monotonic()
        done = subprocess.run(with_baseline + list(arguments) + ["--format", "json"],
                              capture_output=True, text=True, cwd=self.cwd, env=clean_env(), timeout=900)
        if (self.baseline and not self.baseline_rejected and done.returncode == 2
                and "--baseline" in (done.stderr + done.stdout)):
            self.baseline_rejected = True
            done = subprocess.run(base + list(arguments) + ["--format", "json"],
                                  capture_output=True, text=True, cwd=self.cwd, env=clean_env(),
                                  timeout=900)
        self.seconds += time.monotonic() - started
        crashed = done.returncode >= 100 or done.returncode < 0 or "panicked at" in done.stderr
        if crashed:
            self.crashes.append({"arguments": list(arguments), "exit": done.returncode,
                                 "stderr": done.stderr[-3000:]})
        try:
            payload = json.loads(done.stdout)
        except ValueError:
            payload = None
        return done.returncode, payload, done.stderr, crashed


# --------------------------------------------------------------------------
# comparison of the expected schema with the live one


def _named(items, keys):
    return {json.dumps([item.get(k) for k in keys]) for item in items or []}


def compare(expected, live):
    """Differences between migration-doctor's expected schema and the
    inspector's live one: list of {cause, table, object, expected, live}."""
    out = []

    def add(cause, table, obj, ours, theirs):
        out.append({"cause": cause, "table": table, "object": obj, "expected": ours, "live": theirs})

    ours_tables = {n: t for n, t in (expected.get("tables") or {}).items() if "." not in n}
    live_tables = live["tables"]
    for name in sorted(set(ours_tables) - set(live_tables)):
        add("table only expected", name, None, "present", "absent")
    for name in sorted(set(live_tables) - set(ours_tables)):
        add("table only live", name, None, "absent", "present")
    for name in sorted(set(ours_tables) & set(live_tables)):
        ours, theirs = ours_tables[name], live_tables[name]
        our_columns = {c["name"]: c for c in ours.get("columns") or []}
        their_columns = {c["name"]: c for c in theirs.get("columns") or []}
        for column in sorted(set(our_columns) - set(their_columns)):
            add("column only expected", name, column, our_columns[column].get("type"), None)
        for column in sorted(set(their_columns) - set(our_columns)):
            add("column only live", name, column, None, their_columns[column].get("type"))
        for column in [c for c in our_columns if c in their_columns]:
            a, b = our_columns[column], their_columns[column]
            if a.get("type") != b.get("type"):
                cause = "column type (other)" if str(a.get("type")).startswith("other(") else "column type"
                add(cause, name, column, a.get("type"), b.get("type"))
            if bool(a.get("nullable")) != bool(b.get("nullable")):
                add("nullability", name, column, a.get("nullable"), b.get("nullable"))
        if list(ours.get("primary_key") or []) != list(theirs.get("primary_key") or []):
            add("primary key", name, None, ours.get("primary_key"), theirs.get("primary_key"))
        # Indexes and unique constraints: named ones by name, columns (and
        # uniqueness); nameless ones by columns.
        for kind, keys in (("index", ("name", "columns", "unique")), ("unique", ("name", "columns"))):
            field = "indexes" if kind == "index" else "unique_constraints"
            a_items, b_items = ours.get(field) or [], theirs.get(field) or []
            a_named = _named([i for i in a_items if i.get("name")], keys)
            b_named = _named([i for i in b_items if i.get("name")], keys)
            a_bare = _named([i for i in a_items if not i.get("name")], keys[1:])
            b_bare = _named([i for i in b_items if not i.get("name")], keys[1:])
            for item in sorted(a_named - b_named) + sorted(a_bare - b_bare):
                add("%s only expected" % kind, name, item, item, None)
            for item in sorted(b_named - a_named) + sorted(b_bare - a_bare):
                add("%s only live" % kind, name, item, None, item)
        keys = ("columns", "referred_table", "referred_columns")
        a_fks = _named(ours.get("foreign_keys"), keys)
        b_fks = _named(theirs.get("foreign_keys"), keys)
        for item in sorted(a_fks - b_fks):
            add("foreign key only expected", name, item, item, None)
        for item in sorted(b_fks - a_fks):
            add("foreign key only live", name, item, None, item)
    return out


def closure(revisions, parents):
    """Every revision applied in the state whose version rows are
    `revisions` (ancestors through down_revision and depends_on)."""
    seen, stack = set(), list(revisions)
    while stack:
        revision = stack.pop()
        if revision not in seen:
            seen.add(revision)
            stack.extend(parents.get(revision, ()))
    return frozenset(seen)


def states(values):
    """The states of a diagnosis list: each item a revision, or heads
    joined by `+`, or a list of heads."""
    out = []
    for value in values or []:
        if isinstance(value, list):
            out.append(frozenset(value))
        elif isinstance(value, dict):
            out.append(frozenset(value.get("revisions") or [value.get("revision")]))
        elif value:
            out.append(frozenset(str(value).split("+")))
    return out


def flatten(values):
    out = set()
    for value in values or []:
        if isinstance(value, list):
            out |= flatten(value)
        elif isinstance(value, dict):
            out |= flatten(value.get("revisions") or [value.get("revision")])
        elif value is not None:
            out.add(value)
    return out


def classify_untracked(diagnosis, rows, live_has_tables, parents):
    """proven-right / needs-confirmation-with-R / proven-WRONG / wrong/other.
    States are compared by the revisions they have applied (so rows
    {expand_head, contract_head} equal {contract_head} when the contract head
    depends on the expand head)."""
    if not isinstance(diagnosis, dict) or "state" not in diagnosis:
        return "wrong/other"
    state, evidence = diagnosis.get("state"), diagnosis.get("evidence")
    if not live_has_tables:
        return "proven-right" if state == "fresh" else "wrong/other"
    want = closure(rows, parents)
    matched = flatten(diagnosis.get("matched_revisions"))
    candidates = [closure(c, parents) for c in states(diagnosis.get("candidate_revisions"))]
    if matched:
        candidates.append(closure(matched, parents))
    if evidence == "proven" and matched:
        if closure(matched, parents) == want:
            return "proven-right" if state == "untracked_schema" else "wrong/other"
        return "proven-WRONG"
    if state == "untracked_schema" and evidence == "needs_confirmation" and want in candidates:
        return "needs-confirmation-with-R"
    return "wrong/other"


# --------------------------------------------------------------------------
# one project on one database


def sample(revisions, limit):
    if not limit or len(revisions) <= limit:
        return list(revisions)
    if limit == 1:
        return [revisions[-1]]
    picks = sorted({round(i * (len(revisions) - 1) / (limit - 1)) for i in range(limit)})
    return [revisions[i] for i in picks]


def run_one(name, project, python, site, dialect, args):
    version_table = project.get("version_table") or "alembic_version"
    result = {
        "project": name, "database": dialect, "revisions_total": 0, "revisions_checked": 0,
        "identical": 0, "differing": 0, "only_type_other": 0, "not_compared": 0, "causes": {}, "samples": [],
        "intact": {"right": 0, "wrong": 0, "wrong_samples": []},
        "untracked": {"proven-right": 0, "proven-equivalent": 0, "needs-confirmation-with-R": 0,
                      "proven-WRONG": 0, "wrong/other": 0, "samples": []},
        "unstable": 0, "sole_wrong": 0, "unstable_samples": [], "sole_wrong_samples": [],
        # at the heads, version table intact, not called healthy
        "healthy_bad": 0, "healthy_bad_samples": [],
        # right intact diagnoses that carry a warning finding; the warning
        # codes (diagnoses showing each) and a few of their messages
        "warned": 0, "warning_codes": {}, "warning_samples": {},
        "crashes": [], "error": None, "notes": [], "seconds": 0.0,
        "timing": {"alembic": 0.0, "inspect": 0.0, "doctor": 0.0}, "per_revision": [],
    }
    started = time.monotonic()
    folder = tempfile.mkdtemp(prefix="mdh-%s-%s-" % (name, dialect))
    database = Database(dialect, "mdh_%s_%d_%04d" % (name.replace("-", "_"), os.getpid(),
                                                      random.randrange(10000)), folder)
    worker_process = None
    try:
        database.create()
        ini = prepare_project(project, site, folder, database.url, dialect)
        doctor = Doctor(args.binary, ini, project, folder)
        worker_process = Worker(python, ini, os.path.join(folder, "alembic.log"),
                                dict(project.get("env") or {},
                                     **(project.get("env_by_dialect") or {}).get(dialect, {})),
                                database.url)
        answer = worker_process.call(300, cmd="revisions")
        if not answer["ok"]:
            result["error"] = "alembic cannot read the scripts: " + answer["error"]
            return result
        revisions, heads, parents = answer["revisions"], set(answer["heads"]), answer["parents"]
        # the single revision standing for each applied set (for `schema --revision`)
        single = {}
        for candidate in revisions:
            single.setdefault(closure([candidate], parents), candidate)
        if project.get("worker_setup"):
            answer = worker_process.call(300, cmd="exec", code=project["worker_setup"], url=database.url)
            if not answer["ok"]:
                result["error"] = "worker setup failed: " + answer["error"]
                return result
        chosen = sample(revisions, args.max_revisions)
        result["revisions_total"] = len(revisions)
        if project.get("pre_step"):
            answer = worker_process.call(args.step_timeout, cmd="exec", code=project["pre_step"],
                                         url=database.url)
            if not answer["ok"]:
                result["error"] = "pre-step failed: " + answer["error"]
                return result
        for revision in chosen:
            record = {"revision": revision}
            result["per_revision"].append(record)
            t = time.monotonic()
            answer = worker_process.call(args.step_timeout, cmd="upgrade", rev=revision)
            result["timing"]["alembic"] += time.monotonic() - t
            if not answer["ok"]:
                result["error"] = "alembic upgrade %s failed: %s" % (revision, answer["error"])
                record["alembic_error"] = answer["error"]
                result["error_traceback"] = answer.get("traceback")
                # the migration file that failed (an upgrade may run several)
                files = re.findall(r'[/\\]([^/\\"]+)\.py", line', answer.get("traceback") or "")
                stems = [f for f in files if f != "env" and "versions" in (answer.get("traceback") or "")
                         and any(f.startswith(r) or r in f for r in revisions)]
                if stems:
                    result["failed_in"] = stems[-1]
                break
            rows = database.version_rows(version_table) or []
            record["rows"] = rows
            result["revisions_checked"] += 1
            t = time.monotonic()
            live = database.inspect(version_table)
            result["timing"]["inspect"] += time.monotonic() - t

            # a. the expected schema at R (`schema --revision` takes one
            # revision: a state of several heads is compared when one
            # revision has the same applied set, else not compared)
            expected, differences = None, None
            stands_for = single.get(closure(rows, parents)) if rows else revision
            if stands_for is None and len(rows) > 1 and not args.single_heads:
                # several heads side by side: `schema --revision a+b`
                stands_for = "+".join(rows)
            record["schema_revision"] = stands_for
            if stands_for is None:
                result["not_compared"] += 1
            else:
                code, expected, stderr, crashed = doctor.run(
                    "schema", "--revision", stands_for, "--dialect", dialect)
            if stands_for is None:
                pass
            elif not isinstance(expected, dict) or "tables" not in expected:
                differences = [{"cause": "schema command failed", "table": None, "object": None,
                                "expected": (expected or {}).get("error") if isinstance(expected, dict)
                                else last_line(stderr), "live": None}]
            else:
                differences = compare(expected, live)
                record["unknown_operations"] = len(expected.get("unknown_operations") or [])
            record["differences"] = None if differences is None else len(differences)
            if differences is None:
                pass
            elif differences:
                result["differing"] += 1
                if all(d["cause"] == "column type (other)" for d in differences):
                    result["only_type_other"] += 1
                for cause in sorted({d["cause"] for d in differences}):
                    result["causes"][cause] = result["causes"].get(cause, 0) + 1
                for difference in differences:
                    kept = [s for s in result["samples"] if s["cause"] == difference["cause"]]
                    if len(kept) < 4 and not any(s["table"] == difference["table"]
                                                 and s["object"] == difference["object"] for s in kept):
                        result["samples"].append(dict(difference, revision=revision))
            else:
                result["identical"] += 1

            # b. diagnose with the version table intact
            want = "healthy" if closure(rows, parents) == closure(heads, parents) else "behind"
            code, diagnosis, stderr, crashed = doctor.run("diagnose")
            again = []
            if not same_answer(doctor, diagnosis, args.repeat, again):
                result["unstable"] += 1
                _unstable_sample(result, revision, "intact", diagnosis, again[0])
            state = diagnosis.get("state") if isinstance(diagnosis, dict) else None
            record["intact"] = {"state": state, "evidence": (diagnosis or {}).get("evidence")
                                if isinstance(diagnosis, dict) else None, "expected": want}
            warnings = _warnings(diagnosis)
            record["intact"]["warnings"] = sorted({w["code"] for w in warnings})
            if state == want:
                result["intact"]["right"] += 1
                if warnings:
                    result["warned"] += 1
                    for code in sorted({w["code"] for w in warnings}):
                        result["warning_codes"][code] = result["warning_codes"].get(code, 0) + 1
                    for w in warnings:
                        kept = result["warning_samples"].setdefault(w["code"], [])
                        if len(kept) < 2 and all(k["message"] != w["message"] for k in kept):
                            kept.append({"revision": revision, "message": w["message"]})
            else:
                result["intact"]["wrong"] += 1
                if len(result["intact"]["wrong_samples"]) < 5:
                    result["intact"]["wrong_samples"].append(dict(
                        record["intact"], revision=revision, error=_error_of(diagnosis, stderr),
                        findings=_findings(diagnosis), messages=_messages(diagnosis)))
            if want == "healthy" and state != "healthy":
                result["healthy_bad"] += 1
                if len(result["healthy_bad_samples"]) < 3:
                    result["healthy_bad_samples"].append(dict(
                        record["intact"], revision=revision, rows=rows, error=_error_of(diagnosis, stderr),
                        messages=_messages(diagnosis)))

            # c. diagnose with the version table dropped, then put it back
            database.drop_table(version_table)
            try:
                code, diagnosis, stderr, crashed = doctor.run("diagnose")
                again = []
                if not same_answer(doctor, diagnosis, args.repeat, again):
                    result["unstable"] += 1
                    _unstable_sample(result, revision, "untracked", diagnosis, again[0])
            finally:
                answer = worker_process.call(300, cmd="stamp", revs=rows)
            if not answer["ok"]:
                result["error"] = "alembic stamp %s failed: %s" % (rows, answer["error"])
                break
            verdict = classify_untracked(diagnosis, rows, bool(live["tables"]), parents)
            result["untracked"][verdict] += 1
            # One candidate offered to a person that is not the state.
            offered = states(diagnosis.get("candidate_revisions")) if isinstance(diagnosis, dict) else []
            if (isinstance(diagnosis, dict) and diagnosis.get("evidence") == "needs_confirmation"
                    and len(offered) == 1 and closure(offered[0], parents) != closure(rows, parents)):
                result["sole_wrong"] += 1
                if len(result["sole_wrong_samples"]) < 5:
                    result["sole_wrong_samples"].append({
                        "revision": revision, "rows": rows, "offered": sorted(offered[0]),
                        "state": diagnosis.get("state"), "messages": _messages(diagnosis)})
            record["untracked"] = {
                "verdict": verdict,
                "state": diagnosis.get("state") if isinstance(diagnosis, dict) else None,
                "evidence": diagnosis.get("evidence") if isinstance(diagnosis, dict) else None,
                "matched": sorted(flatten(diagnosis.get("matched_revisions")))
                if isinstance(diagnosis, dict) else None,
                "candidates": sorted("+".join(sorted(c)) for c in states(diagnosis.get("candidate_revisions")))[:20]
                if isinstance(diagnosis, dict) else None,
                "rows": rows,
            }
            if verdict == "proven-WRONG" and isinstance(expected, dict) and "tables" in expected:
                code, other, _, _ = doctor.run("schema", "--revision", record["untracked"]["matched"][0],
                                               "--dialect", dialect) \
                    if len(record["untracked"]["matched"]) == 1 else (None, None, None, None)
                if isinstance(other, dict) and "tables" in other:
                    record["untracked"]["same_expected_schema"] = not compare(other, {
                        "tables": {n: t for n, t in expected["tables"].items() if "." not in n}})
                # Proven at a revision whose state is R's own: only revisions
                # without any operation lie between (the diagnosis lists R
                # among the tying candidates). Stamping either is the same.
                want = closure(rows, parents)
                tying = [closure(c, parents) for c in states(diagnosis.get("candidate_revisions"))]
                # A tie settled without any probe was settled by revisions
                # that have no operation at all (the diagnosis's rule).
                unprobed = isinstance(diagnosis, dict) and not diagnosis.get("probes")
                if want in tying and (record["untracked"].get("same_expected_schema") or unprobed):
                    result["untracked"]["proven-WRONG"] -= 1
                    result["untracked"]["proven-equivalent"] += 1
                    verdict = record["untracked"]["verdict"] = "proven-equivalent"
            if verdict == "proven-WRONG":
                print("!!! PROVEN-WRONG: %s on %s at %s: diagnose proved %s" % (
                    name, dialect, revision, record["untracked"]["matched"]), file=sys.stderr)
            if verdict != "proven-right" and len(result["untracked"]["samples"]) < 6:
                result["untracked"]["samples"].append(dict(
                    record["untracked"], revision=revision, error=_error_of(diagnosis, stderr),
                    findings=_findings(diagnosis), messages=_messages(diagnosis)))
            if args.verbose:
                print("  %s %s %s: diffs=%d intact=%s untracked=%s" % (
                    name, dialect, revision, len(differences), state, verdict), file=sys.stderr)
        # `check` (no database): how many revisions it says the schema
        # alone can prove, beside how many untracked diagnoses of this run
        # needed a person (candidates to confirm, or no answer).
        code, checked, _, _ = doctor.run("check", "--dialect", dialect)
        if isinstance(checked, dict) and "revisions" in checked:
            result["check"] = {
                "revisions": checked["revisions"],
                "provable": checked["provable_from_schema"],
                "codes": sorted({f["code"] for f in checked.get("findings") or []}),
                "person": result["untracked"]["needs-confirmation-with-R"]
                + result["untracked"]["wrong/other"],
            }
        if doctor.baseline_rejected:
            result["notes"].append("no baseline")
        result["crashes"] = doctor.crashes
        result["timing"]["doctor"] = doctor.seconds
    except Exception as error:  # noqa: BLE001 - reported, the harness goes on
        result["error"] = "harness: %s: %s" % (type(error).__name__, last_line(str(error)))
        result["traceback"] = traceback.format_exc()[-4000:]
    finally:
        if worker_process:
            worker_process.close()
        try:
            database.drop()
        except Exception as error:  # noqa: BLE001
            result["notes"].append("could not drop %s: %s" % (database.name, last_line(str(error))))
        if args.keep:
            result["notes"].append("kept " + folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)
        result["seconds"] = time.monotonic() - started
    return result


def same_answer(doctor, first, repeat, seen=None):
    """Whether `repeat` more runs of `diagnose` give `first` again (the
    first answer that differs is appended to `seen`)."""
    for _ in range(repeat):
        _, again, _, _ = doctor.run("diagnose")
        if json.dumps(again, sort_keys=True) != json.dumps(first, sort_keys=True):
            if seen is not None:
                seen.append(again)
            return False
    return True


def _unstable_sample(result, revision, check, first, then):
    """Where two runs of `diagnose` answered differently: the keys whose
    values changed, with both values (cut short)."""
    if len(result["unstable_samples"]) >= 5:
        return
    a = first if isinstance(first, dict) else {"answer": first}
    b = then if isinstance(then, dict) else {"answer": then}
    changed = sorted(k for k in set(a) | set(b) if json.dumps(a.get(k), sort_keys=True)
                     != json.dumps(b.get(k), sort_keys=True))
    result["unstable_samples"].append({
        "revision": revision, "check": check, "changed": changed,
        "first": {k: json.dumps(a.get(k), sort_keys=True)[:600] for k in changed},
        "then": {k: json.dumps(b.get(k), sort_keys=True)[:600] for k in changed}})


def _error_of(payload, stderr):
    if isinstance(payload, dict) and "error" in payload:
        return (payload["error"] or {}).get("message")
    if payload is None:
        return last_line(stderr)
    return None


def _findings(payload):
    if not isinstance(payload, dict):
        return None
    return [f.get("code") for f in payload.get("findings") or []][:8]


def _warnings(payload):
    """The diagnosis's findings of severity `warning`: [{code, message}]."""
    if not isinstance(payload, dict):
        return []
    return [{"code": f.get("code"), "message": (f.get("message") or "")[:1000]}
            for f in payload.get("findings") or [] if isinstance(f, dict) and f.get("severity") == "warning"]


def _messages(payload):
    """Every finding of the diagnosis as `severity code: message` (cut short)."""
    if not isinstance(payload, dict):
        return None
    return ["%s %s: %s" % (f.get("severity"), f.get("code"), (f.get("message") or "")[:600])
            for f in payload.get("findings") or [] if isinstance(f, dict)][:8]


# --------------------------------------------------------------------------
# report


def cause_summary(causes):
    short = {
        "table only expected": "tbl-exp", "table only live": "tbl-live",
        "column only expected": "col-exp", "column only live": "col-live",
        "column type": "type", "column type (other)": "type-other", "nullability": "null",
        "primary key": "pk", "index only expected": "idx-exp", "index only live": "idx-live",
        "unique only expected": "uq-exp", "unique only live": "uq-live",
        "foreign key only expected": "fk-exp", "foreign key only live": "fk-live",
        "schema command failed": "schema-err",
    }
    return " ".join("%s:%d" % (short.get(c, c), n) for c, n in sorted(causes.items(), key=lambda kv: -kv[1]))


def print_table(results):
    header = ("project", "db", "revs", "ident", "diff(o)", "diff causes (revisions)", "intact ok/bad",
              "healthy-bad", "warned", "untracked right/equiv/conf/WRONG/other", "sole-bad", "unstable",
              "crash", "check provable (person)", "time", "note")
    rows = []
    for r in results:
        if r.get("skipped"):
            rows.append((r["project"], r["database"], "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-",
                         "-", "-", "skipped: " + r["skipped"]))
            continue
        u = r["untracked"]
        error = r["error"]
        if error and r.get("known_failure") and error.startswith("alembic upgrade"):
            error = None
            r_notes = ["stops in %s: known project bug: %s" % (
                r.get("failed_in") or r["per_revision"][-1]["revision"], r["known_failure"])]
        else:
            r_notes = []
        note = "; ".join(([("ERROR " + error)[:160]] if error else []) + r_notes + r["notes"] + (
            ["%d multi-head states not compared" % r["not_compared"]] if r["not_compared"] else []))
        rows.append((
            r["project"], r["database"], "%d/%d" % (r["revisions_checked"], r["revisions_total"]),
            str(r["identical"]), "%d(%d)" % (r["differing"], r["only_type_other"]),
            cause_summary(r["causes"]) or "-",
            "%d/%d" % (r["intact"]["right"], r["intact"]["wrong"]),
            str(r.get("healthy_bad", 0)), str(r.get("warned", 0)),
            "%d/%d/%d/%d/%d" % (u["proven-right"], u["proven-equivalent"], u["needs-confirmation-with-R"],
                                u["proven-WRONG"], u["wrong/other"]),
            str(r["sole_wrong"]), str(r["unstable"]),
            str(len(r["crashes"])),
            "%d/%d (%d)" % (r["check"]["provable"], r["check"]["revisions"], r["check"]["person"])
            if r.get("check") else "-",
            "%.0fs" % r["seconds"], note))
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header) - 1)]
    for row in [header] + rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])


def print_timing(results, installs):
    print("\ntime per project (install; then per database: alembic / inspector / migration-doctor / total)")
    for name, install in installs.items():
        runs = [r for r in results if r["project"] == name and not r.get("skipped")]
        parts = ["%s %.0f/%.0f/%.0f/%.0fs" % (r["database"], r["timing"]["alembic"], r["timing"]["inspect"],
                                                r["timing"]["doctor"], r["seconds"]) for r in runs]
        print("  %-12s install %s; %s" % (
            name, "%.0fs" % install["seconds"] if install["seconds"] else "cached",
            "; ".join(parts) or "-"))


def print_details(results):
    for r in results:
        if r.get("skipped") or not (r["samples"] or r["intact"]["wrong_samples"] or r["untracked"]["samples"]
                                    or r["crashes"] or r.get("warning_codes") or r.get("unstable_samples")
                                    or r.get("sole_wrong_samples")):
            continue
        print("\n== %s on %s (alembic %.0fs, inspector %.0fs, migration-doctor %.0fs)" % (
            r["project"], r["database"], r["timing"]["alembic"], r["timing"]["inspect"],
            r["timing"]["doctor"]))
        for s in r["samples"]:
            print("  diff  %-26s %s%s  expected=%s live=%s  (at %s)" % (
                s["cause"], s["table"], "." + str(s["object"]) if s["object"] else "",
                json.dumps(s["expected"]), json.dumps(s["live"]), s["revision"][:12]))
        for s in r["intact"]["wrong_samples"]:
            print("  intact at %s: %s (%s), want %s; %s %s" % (
                s["revision"][:12], s["state"], s["evidence"], s["expected"], s.get("error") or "",
                s.get("findings") or ""))
            for m in s.get("messages") or []:
                if not m.startswith("info "):
                    print("      %s" % m[:300])
        for s in r["untracked"]["samples"]:
            print("  untracked at %s: %s%s: %s (%s) matched=%s candidates=%s %s %s" % (
                s["revision"][:12], s["verdict"],
                " (same expected schema as R)" if s.get("same_expected_schema") else "",
                s["state"], s["evidence"], s["matched"],
                s["candidates"][:6] if s["candidates"] else s["candidates"], s.get("error") or "",
                s.get("findings") or ""))
        for s in r.get("healthy_bad_samples") or []:
            print("  HEALTHY-BAD at %s (rows %s): %s (%s); %s" % (
                s["revision"][:12], "+".join(x[:12] for x in s["rows"]), s["state"], s["evidence"],
                s.get("error") or ""))
            for m in s.get("messages") or []:
                print("      %s" % m[:300])
        for s in r["untracked"]["samples"]:
            if s["verdict"] == "proven-WRONG":
                for m in s.get("messages") or []:
                    print("      WRONG at %s: %s" % (s["revision"][:12], m[:300]))
        for s in r.get("sole_wrong_samples") or []:
            print("  SOLE-BAD at %s (rows %s): offered %s: %s" % (
                s["revision"][:12], "+".join(x[:12] for x in s["rows"]), "+".join(s["offered"]), s["state"]))
            for m in s.get("messages") or []:
                print("      %s" % m[:300])
        for s in r.get("unstable_samples") or []:
            print("  UNSTABLE at %s (%s): changed %s" % (s["revision"][:12], s["check"], ", ".join(s["changed"])))
            for k in s["changed"][:3]:
                print("      %s: %s  then  %s" % (k, s["first"][k][:200], s["then"][k][:200]))
        codes = r.get("warning_codes") or {}
        if codes:
            print("  warnings on %d right intact diagnoses (diagnoses per code): %s" % (
                r["warned"], ", ".join("%s %d" % kv for kv in sorted(codes.items(), key=lambda kv: -kv[1]))))
            for code, _ in sorted(codes.items(), key=lambda kv: -kv[1])[:5]:
                for w in r["warning_samples"].get(code, [])[:2]:
                    print("      %s (at %s): %s" % (code, w["revision"][:12], w["message"][:300]))
        for c in r["crashes"][:3]:
            print("  CRASH %s exit %s: %s" % (" ".join(c["arguments"]), c["exit"], last_line(c["stderr"])))


# --------------------------------------------------------------------------


def default_binary():
    release = os.path.join(ROOT, "target", "release", "migration-doctor")
    return release if os.path.exists(release) else os.path.join(ROOT, "target", "debug", "migration-doctor")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=default_binary())
    parser.add_argument("--cache", default=os.path.join(ROOT, "target", "real-projects"))
    parser.add_argument("--projects", default=",".join(n for n, p in PROJECTS.items() if p.get("default", True)),
                        help="comma-separated (default: all but those marked default=False)")
    parser.add_argument("--databases", default=",".join(ALL_DATABASES))
    parser.add_argument("--max-revisions", type=int, default=0,
                        help="check at most N revisions per project and database, evenly spaced")
    parser.add_argument("--json", dest="json_out", help="write the raw results here")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 on a proven-wrong diagnosis or a crash of migration-doctor")
    parser.add_argument("--install-timeout", type=int, default=900)
    parser.add_argument("--step-timeout", type=int, default=600, help="seconds for one alembic upgrade")
    parser.add_argument("--single-heads", action="store_true",
                        help="compare the expected schema only where one revision stands for the state "
                             "(for binaries without `schema --revision a+b`)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="run each diagnosis this many more times; an answer that changes is counted unstable")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--list", action="store_true", help="list the projects and exit")
    parser.add_argument("--install-only", action="store_true", help="make the virtualenvs and stop")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if args.list:
        for name, project in PROJECTS.items():
            print("%-12s %-32s %-32s %s" % (name, " ".join(project["requirements"]), project["script"],
                                            ",".join(project["databases"])))
        return
    args.cache = os.path.abspath(args.cache)
    args.binary = os.path.abspath(args.binary)
    if not os.path.exists(args.binary):
        sys.exit("no migration-doctor binary at %s (build it, or pass --binary)" % args.binary)
    names = [n for n in args.projects.split(",") if n]
    unknown = [n for n in names if n not in PROJECTS]
    databases = [d for d in args.databases.split(",") if d]
    if unknown or any(d not in ALL_DATABASES for d in databases):
        sys.exit("unknown project or database: %s (projects: %s; databases: %s)" % (
            ",".join(unknown + [d for d in databases if d not in ALL_DATABASES]), ",".join(PROJECTS),
            ",".join(ALL_DATABASES)))
    os.makedirs(args.cache, exist_ok=True)
    relaunch_in_tools_venv(args.cache)

    results = []
    installs = {}
    for name in names:
        project = PROJECTS[name]
        requirements = (list(project["requirements"]) + [project.get("alembic") or ALEMBIC]
                        + (project.get("drivers") or DRIVERS))
        # one virtualenv per distribution (projects of one distribution share
        # it); pip runs again in it when the requirements change
        folder = os.path.join(args.cache, project["requirements"][0].replace("==", "-"))
        print("[%s] virtualenv %s" % (name, folder), file=sys.stderr)
        python, seconds, error = ensure_venv(folder, requirements, args.install_timeout)
        installs[name] = {"seconds": seconds, "error": error, "venv": folder}
        if not error:
            if not os.path.exists(os.path.join(folder, ".harness-freeze")):
                freeze = subprocess.run([python, "-m", "pip", "freeze", "--disable-pip-version-check"],
                                        capture_output=True, text=True, env=clean_env())
                with open(os.path.join(folder, ".harness-freeze"), "w") as f:
                    f.write(freeze.stdout)
            installs[name]["versions"] = key_versions(folder)
        if error:
            print("[%s] install failed: %s" % (name, error), file=sys.stderr)
            for dialect in databases:
                results.append({"project": name, "database": dialect, "skipped": (
                    "install failed: " + error if dialect in project["databases"]
                    else "unsupported by the project")})
            continue
        if args.install_only:
            print("[%s] installed (%.0fs)" % (name, seconds), file=sys.stderr)
            continue
        site = site_packages(python)
        if not os.path.isdir(os.path.join(site, project["script"])):
            for dialect in databases:
                results.append({"project": name, "database": dialect,
                                "skipped": "no %s in the installed package" % project["script"]})
            continue
        for dialect in databases:
            if dialect not in project["databases"]:
                results.append({"project": name, "database": dialect,
                                "skipped": "unsupported by the project" + (
                                    " (%s)" % project["note"] if project.get("note") else "")})
                continue
            print("[%s] %s ..." % (name, dialect), file=sys.stderr)
            result = run_one(name, project, python, site, dialect, args)
            result["install_seconds"] = seconds
            result["known_failure"] = (project.get("known_failures") or {}).get(dialect)
            results.append(result)
            print("[%s] %s: %d/%d revisions, %d identical, %.0fs%s" % (
                name, dialect, result["revisions_checked"], result["revisions_total"], result["identical"],
                result["seconds"], ("; ERROR " + result["error"]) if result["error"] else ""),
                file=sys.stderr)

    print()
    print("revs: checked/total; ident: revisions whose expected schema equals the live one; diff(o): "
          "differing (of which only in\n'other(...)' types); causes: revisions showing each cause "
          "(exp = only in the expected schema, live = only in the live one);\nintact: diagnose with "
          "the version table (behind/healthy expected); healthy-bad: at the heads, not called healthy;\nwarned: right "
          "intact diagnoses with a warning finding; untracked: diagnose without it.")
    print_table(results)
    print_details(results)
    print_timing(results, installs)
    wrong = sum(r["untracked"]["proven-WRONG"] for r in results if not r.get("skipped"))
    crashes = sum(len(r["crashes"]) for r in results if not r.get("skipped"))
    unstable = sum(r["unstable"] for r in results if not r.get("skipped"))
    sole_wrong = sum(r["sole_wrong"] for r in results if not r.get("skipped"))
    healthy_bad = sum(r.get("healthy_bad", 0) for r in results if not r.get("skipped"))
    warned = sum(r.get("warned", 0) for r in results if not r.get("skipped"))
    print("\nproven-wrong: %d, answers that changed between runs: %d, sole candidates that are not the "
          "revision: %d, heads not called healthy: %d, right intact diagnoses with a warning: %d, "
          "crashes of migration-doctor: %d" % (wrong, unstable, sole_wrong, healthy_bad, warned, crashes))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"binary": args.binary, "installs": installs, "results": results}, f, indent=1)
    # Under --check nothing may go unmeasured by accident: a project that
    # did not install, or a database that checked no revision for another
    # reason than a known project bug, fails the run as well.
    unmeasured = [
        "%s on %s: %s" % (r["project"], r["database"], r.get("skipped") or r.get("error") or "no revision checked")
        for r in results
        if (r.get("skipped") and not r["skipped"].startswith("unsupported by the project"))
        or (not r.get("skipped") and r.get("revisions_checked", 0) == 0 and not r.get("known_failure"))
    ]
    for line in unmeasured:
        print("unmeasured: " + line)
    if args.check and (wrong or unstable or crashes or unmeasured):
        sys.exit(1)


if __name__ == "__main__":
    main()
