//! The command line, as docs/contract.md and the README describe it. Global options are accepted
//! before or after the command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "migration-doctor",
    version,
    about = "Diagnoses and repairs the migration-tracking state of alembic-managed databases.",
    long_about = None,
    propagate_version = true,
    after_help = concat!(
        "Examples:\n",
        "  migration-doctor -c alembic.ini diagnose\n",
        "  migration-doctor recover --dry-run\n",
        "  migration-doctor ensure --then \"alembic upgrade heads\"\n\n",
        "Exit codes: 0 fine; 1 problems found or recovery refused; 2 usage or configuration error; ",
        "3 database unreachable or permission denied; 4 invalid scripts; 5 the migration lock was not ",
        "obtained in time; `ensure --then CMD` exits with CMD's own status when CMD fails."
    )
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Same as the `diagnose` command (a flag for scripts that call it so)
    #[arg(long, hide = true)]
    pub diagnose: bool,

    /// Same as the `status` command (a flag for scripts that call it so)
    #[arg(long, hide = true)]
    pub status: bool,

    /// Same as the `recover` command (a flag for scripts that call it so)
    #[arg(long, hide = true)]
    pub recover: bool,

    /// Same as the `interactive` command (a flag for scripts that call it so)
    #[arg(long, hide = true)]
    pub interactive: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalOptions {
    /// The alembic configuration: an ini file, or a pyproject.toml
    /// [default: ./alembic.ini, then ./pyproject.toml]
    #[arg(short = 'c', long = "config", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The ini section to read instead of [alembic]
    #[arg(short = 'n', long = "name", global = true, value_name = "SECTION")]
    pub name: Option<String>,

    /// The alembic script directory, overriding script_location
    #[arg(long, global = true, value_name = "DIR")]
    pub script_location: Option<PathBuf>,

    /// The project's SQLAlchemy models that make the schema before its
    /// base revision (the tables `create_all()` makes first), as
    /// `package.module:Base.metadata` [default: `baseline` of the ini's
    /// [migration_doctor] section]
    #[arg(long, global = true, value_name = "MODULE:BASE")]
    pub baseline: Option<String>,

    /// The database, as a SQLAlchemy URL [default: DATABASE_URL, then
    /// sqlalchemy.url from the configuration]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// The database schema to read [default: the connection's: search_path
    /// on PostgreSQL, the URL's database on MySQL, main on SQLite]
    #[arg(long, global = true, value_name = "NAME")]
    pub schema: Option<String>,

    /// The version table's name
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        default_value = "alembic_version"
    )]
    pub version_table: String,

    /// The version table's schema [default: the connection's default schema]
    #[arg(long, global = true, value_name = "NAME")]
    pub version_table_schema: Option<String>,

    /// Tables no migration manages, as glob patterns (`audit_*,tmp_?`);
    /// added to `ignore_tables` of the ini's [migration_doctor] section
    #[arg(long, global = true, value_delimiter = ',', value_name = "GLOB,...")]
    pub ignore_tables: Vec<String>,

    /// Columns, indexes or constraints left out of the comparison, as
    /// TABLE.OBJECT glob patterns (`users.ix_dba_*`); added to `ignore` of
    /// the ini's [migration_doctor] section
    #[arg(
        long,
        global = true,
        value_delimiter = ',',
        value_name = "TABLE.OBJECT,..."
    )]
    pub ignore: Vec<String>,

    /// Which candidate to pick when several revision states match and
    /// nothing proves which (recover and interactive only; ensure never
    /// picks). Without it a person names the revision with --to-revision
    #[arg(long, global = true, value_enum)]
    pub on_tie: Option<OnTie>,

    /// The folder of the operations cache that `migration-doctor cache`
    /// writes and every command reads [default: .migration-doctor-cache
    /// beside the configuration file]
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "MIGRATION_DOCTOR_CACHE_DIR"
    )]
    pub cache_dir: Option<PathBuf>,

    /// Read no operations cache: interpret every revision file
    #[arg(long, global = true, conflicts_with = "cache_dir")]
    pub no_cache: bool,

    /// Output format (dot and mermaid only for `graph`)
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Same as --format json
    #[arg(long, global = true)]
    pub json: bool,

    /// Print more detail
    #[arg(long, global = true)]
    pub detailed: bool,

    /// Never colour the output (NO_COLOR is honoured too)
    #[arg(long, global = true)]
    pub no_color: bool,

    /// More messages on standard error
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only errors on standard error
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

impl GlobalOptions {
    /// The format of one report: `jsonl` is one JSON document too.
    pub fn format(&self) -> Format {
        match self.fleet_format() {
            Format::Jsonl => Format::Json,
            format => format,
        }
    }

    /// The format of a fleet's reports (`jsonl`: one line per target).
    pub fn fleet_format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnTie {
    Latest,
    Earliest,
    Refuse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// One JSON object per line: per target over a fleet, then a summary
    Jsonl,
    Dot,
    Mermaid,
    /// GitHub Actions annotations (`check` only)
    Github,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The revision graph: text (like `alembic history`), json, dot or mermaid
    #[command(after_help = concat!(
        "Examples:\n",
        "  migration-doctor graph\n",
        "  migration-doctor graph --format dot | dot -Tsvg > history.svg\n\n",
        "Exit codes: 0 fine; 2 usage or configuration error; 4 invalid scripts."
    ))]
    Graph(GraphArgs),
    /// A schema: the live one (--live) or the expected one at a revision
    #[command(after_help = concat!(
        "Examples:\n",
        "  migration-doctor schema --revision 1b2c3d4e5f60 --dialect postgresql\n",
        "  migration-doctor schema --live --json\n\n",
        "Exit codes: 0 fine; 2 usage or configuration error; 3 database unreachable; 4 invalid scripts."
    ))]
    Schema(SchemaArgs),
    /// Without a database: models against migrations, revisions whose state
    /// only a person could confirm, and a graph that would fail a deploy
    #[command(after_help = concat!(
        "Examples:\n",
        "  migration-doctor check\n",
        "  migration-doctor check --dialect postgresql --models myapp.models:Base.metadata\n",
        "  migration-doctor check --format github\n\n",
        "Configuration ([migration_doctor] section of alembic.ini): models = module:attribute; ",
        "check_notes = CODE,... (reported, never failing); check_errors = CODE,... (failing). ",
        "Codes: invalid_scripts, several_heads, models_differ, models_unreadable, cannot_follow, ",
        "uncheckable_data_step, not_transactional, invisible_change.\n\n",
        "Exit codes: 0 nothing failing found; 1 findings; 2 usage or configuration error."
    ))]
    Check(CheckArgs),
    /// The state, the strategy and the evidence; changes nothing
    #[command(after_help = concat!(
        "Examples:\n",
        "  migration-doctor diagnose --database-url postgresql://app@db/shop\n",
        "  migration-doctor diagnose --json --detailed\n\n",
        "Exit codes: 0 healthy, fresh or behind; 1 problems found; 2 usage; 3 database unreachable; 4 invalid scripts."
    ))]
    Diagnose(FleetArgs),
    /// The full report: database, version rows, graph, pending revisions,
    /// schema comparison and verdict
    #[command(after_help = concat!(
        "Examples:\n",
        "  migration-doctor status --detailed\n\n",
        "Exit codes: 0 healthy, fresh or behind; 1 problems found; 2 usage; 3 database unreachable; 4 invalid scripts."
    ))]
    Status(FleetArgs),
    /// Apply the strategy: writes only the version table, under a lock
    #[command(after_help = concat!(
        "Examples:\n",
        "  migration-doctor recover --dry-run\n",
        "  migration-doctor recover --yes --audit-log recovery.jsonl\n",
        "  migration-doctor recover --to-revision 1b2c3d4e5f60\n\n",
        "Exit codes: 0 done or nothing to do; 1 refused; 2 usage (an unknown --to-revision too); ",
        "3 database unreachable or permission denied; 4 invalid scripts; 5 the lock was not obtained in time."
    ))]
    Recover(RecoverArgs),
    /// Start-up step: lock, analyse, recover when safe, optionally run a
    /// command (such as `alembic upgrade heads`) under the lock
    #[command(after_help = concat!(
        "Examples:\n",
        "  migration-doctor ensure --then \"alembic upgrade heads\"\n",
        "  DATABASE_URL=postgresql://app@db/shop migration-doctor -c /app/alembic.ini ensure\n\n",
        "Exit codes: 0 the tracking state is sound (and CMD succeeded); 1 refused or not sound; ",
        "2 usage; 3 database unreachable; 4 invalid scripts; 5 the lock was not obtained in time; ",
        "CMD's own status when CMD fails."
    ))]
    Ensure(EnsureArgs),
    /// Step by step: diagnosis, plan, confirmation, result
    #[command(after_help = concat!(
        "Examples:\n",
        "  migration-doctor interactive\n\n",
        "Exit codes: 0 done or nothing to do; 1 refused or declined; 2 usage (or no terminal); ",
        "3 database unreachable; 4 invalid scripts; 5 the lock was not obtained in time."
    ))]
    Interactive(RecoveryOptions),
    /// Interpret every revision once and keep its operations in the cache
    /// folder, so that later runs (a container's start-up step) only read
    /// them; never trusted for a file, dialect or tool version that changed
    #[command(after_help = concat!(
        "Examples:\n",
        "  migration-doctor cache --dialect postgresql\n",
        "  migration-doctor --cache-dir /app/.migration-doctor-cache cache\n\n",
        "Exit codes: 0 written; 2 usage or configuration error (or the folder cannot be written); ",
        "4 invalid scripts."
    ))]
    Cache(CacheArgs),
    /// Shell completions for bash, zsh, fish, elvish or powershell
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page (roff), for `man -l -`
    Man,
}

#[derive(Debug, Args, Default)]
pub struct RecoveryOptions {
    /// Seconds to wait for another process's migration lock
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub lock_timeout: u64,

    /// Append a record of every change (rows before and after, statements,
    /// how to undo) to this file
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct RecoverArgs {
    /// Print the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Apply without asking
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Stamp this revision state (after checking it against the schema)
    #[arg(long, value_name = "REV")]
    pub to_revision: Option<String>,

    /// With --to-revision: stamp even when the schema does not match
    #[arg(long, requires = "to_revision")]
    pub force: bool,

    /// Finish a half-applied revision: run the DDL of its missing
    /// operations that create (tables, columns, indexes, constraints),
    /// then stamp it
    #[arg(long, conflicts_with = "to_revision")]
    pub complete: bool,

    /// Act as an unattended start-up step does: only on proven evidence
    /// (for programs calling the tool)
    #[arg(long, conflicts_with = "force")]
    pub unattended: bool,

    /// Refuse unless the diagnosis under the lock calls for this strategy
    /// (`initialize_alembic_version`, `repair_corrupted_alembic`,
    /// `complete_partial_migration`, ...)
    #[arg(long, value_name = "STRATEGY")]
    pub expect_strategy: Option<String>,

    #[command(flatten)]
    pub fleet: FleetArgs,

    #[command(flatten)]
    pub recovery: RecoveryOptions,
}

/// A fleet: many tenants in one pass.
#[derive(Debug, Args, Default, Clone)]
pub struct FleetArgs {
    /// Run for every schema (PostgreSQL) or database (MySQL/MariaDB) whose
    /// name matches GLOB, each with its own version table
    #[arg(long, value_name = "GLOB", conflicts_with = "databases")]
    pub each_schema: Option<String>,

    /// Run for every database URL in FILE, one per line (`-`: standard input)
    #[arg(long, value_name = "FILE")]
    pub databases: Option<PathBuf>,

    /// With a fleet: how many targets at once
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub jobs: usize,

    /// With a fleet: take every N-th target from I (0-based), as one pod of
    /// a Kubernetes Indexed Job; `/N` reads I from JOB_COMPLETION_INDEX
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,

    /// With a fleet, recover and ensure: start no new wave of --jobs
    /// targets once more than N have failed
    #[arg(long, value_name = "N")]
    pub max_failures: Option<usize>,
}

impl FleetArgs {
    pub fn is_fleet(&self) -> bool {
        self.each_schema.is_some() || self.databases.is_some()
    }
}

#[derive(Debug, Args, Default)]
pub struct EnsureArgs {
    /// A command to run under the lock once the tracking state is sound
    /// (run with `sh -c`), such as "alembic upgrade heads"
    #[arg(long, value_name = "COMMAND")]
    pub then: Option<String>,

    /// Finish a half-applied revision (its missing creations, then the
    /// stamp) when the evidence is proven
    #[arg(long)]
    pub complete_partial: bool,

    #[command(flatten)]
    pub fleet: FleetArgs,

    #[command(flatten)]
    pub recovery: RecoveryOptions,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Read the live database instead of the migrations
    #[arg(long)]
    pub live: bool,

    /// The revision whose expected schema to show [default: heads]
    #[arg(long, value_name = "REV", conflicts_with = "live")]
    pub revision: Option<String>,

    /// Show the baseline read from the project's models (the schema before
    /// the base revision; see --baseline) instead of a revision's schema
    #[arg(long, conflicts_with_all = ["live", "revision"])]
    pub models: bool,

    /// The dialect to derive the expected schema for [default: the database
    /// URL's, when one is given]
    #[arg(long, value_enum, conflicts_with = "live")]
    pub dialect: Option<DialectArg>,
}

#[derive(Debug, Args, Default)]
pub struct CheckArgs {
    /// The dialects to check the migrations for, comma-separated [default:
    /// the database URL's, when one is configured, else all three]
    #[arg(long, value_enum, value_delimiter = ',')]
    pub dialect: Vec<DialectArg>,

    /// The models to compare with the migrations' heads
    /// (`package.module:Base.metadata`) [default: `models` in the
    /// [migration_doctor] section, else env.py's target_metadata]
    #[arg(long, value_name = "MODULE:ATTRIBUTE")]
    pub models: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    Postgresql,
    Mysql,
    Mariadb,
    Sqlite,
}

impl DialectArg {
    pub fn dialect(self) -> migration_doctor::schema::Dialect {
        use migration_doctor::schema::Dialect;
        match self {
            DialectArg::Postgresql => Dialect::Postgresql,
            DialectArg::Mysql | DialectArg::Mariadb => Dialect::Mysql,
            DialectArg::Sqlite => Dialect::Sqlite,
        }
    }
}

#[derive(Debug, Args)]
pub struct CacheArgs {
    /// The dialects to write it for (`postgresql,mysql,sqlite`) [default:
    /// the database URL's, or all three without one]
    #[arg(long, value_delimiter = ',', value_name = "DIALECT,...")]
    pub dialect: Vec<DialectArg>,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Only the revisions between two identifiers, as `alembic history -r`
    /// takes them: `base:head`, `ae10:`, `:label@head`
    #[arg(short = 'r', long = "rev-range", value_name = "START:END")]
    pub rev_range: Option<String>,
}
