//! The `migration-doctor` binary: parses the command line, runs the command,
//! prints, and turns the outcome into an exit code.

mod cli;
mod commands;
mod failure;
mod output;
mod render;

use commands::fleet::FleetCommand;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::failure::Failure;
use crate::output::Output;

/// `-v` logs what the tool does (connections, catalog reads, lock waits,
/// probes, writes, with timings) to standard error; `-vv` adds every SQL
/// statement sqlx runs. URLs are logged with the password masked.
fn init_logging(verbose: u8) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    if verbose == 0 {
        return;
    }
    let targets = Targets::new()
        .with_target("migration_doctor", LevelFilter::DEBUG)
        .with_target(
            "sqlx",
            if verbose >= 2 {
                LevelFilter::DEBUG
            } else {
                LevelFilter::OFF
            },
        );
    // Installed once per process; a second install has nothing to add.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .with_max_level(LevelFilter::DEBUG)
        .finish()
        .with(targets)
        .try_init()
        .ok();
}

/// mimalloc: the tool allocates many small strings and maps (catalog rows,
/// schema states), where it spends less time than the system's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A defect says so in one paragraph, not with Rust's panic report.
    std::panic::set_hook(Box::new(|info| {
        let message = migration_doctor::scripts::panic_message(info.payload());
        let place = info
            .location()
            .map(|at| format!(" at {}:{}", at.file(), at.line()))
            .unwrap_or_default();
        eprintln!(
            "migration-doctor: internal error ({message}{place}). This is a defect of \
             migration-doctor; please report it with the command that led to it"
        );
    }));
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    let output = Output::new(cli.global.no_color, cli.global.quiet);
    match run(&cli, &output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let messages = failure.messages();
            for message in &messages {
                output.error(message);
            }
            // Under --format json an error is a JSON object on standard
            // output too, unless the report already printed there says it.
            if cli.global.format() == cli::Format::Json && !messages.is_empty() {
                output.print_raw(&serde_json::json!({ "error": failure.error_json() }).to_string());
            }
            failure.exit_code()
        }
    }
}

fn run(cli: &Cli, output: &Output) -> Result<(), Failure> {
    let format = cli.global.format();
    let recover_alias = Command::Recover(cli::RecoverArgs::default());
    let diagnose_alias = Command::Diagnose(cli::FleetArgs::default());
    let status_alias = Command::Status(cli::FleetArgs::default());
    let interactive_alias = Command::Interactive(cli::RecoveryOptions::default());
    let command = match (
        &cli.command,
        cli.diagnose,
        cli.status,
        cli.recover,
        cli.interactive,
    ) {
        (Some(command), ..) => command,
        (None, true, ..) => &diagnose_alias,
        (None, false, true, ..) => &status_alias,
        (None, false, false, true, _) => &recover_alias,
        (None, false, false, false, true) => &interactive_alias,
        (None, false, false, false, false) => {
            return Err(Failure::Usage(
                "name a command: graph, schema, check, diagnose, status, recover, ensure or interactive \
                 (see --help)"
                    .to_owned(),
            ));
        }
    };
    match command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(
                *shell,
                &mut command,
                "migration-doctor",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|error| {
                    Failure::Usage(format!("cannot render the manual page: {error}"))
                })?;
            output.print_raw(&String::from_utf8_lossy(&page));
            Ok(())
        }
        Command::Graph(args) => {
            let project = commands::database::open_warned_project(&cli.global, output)?;
            commands::graph::run(&project, args, format, output)
        }
        Command::Schema(args) => commands::schema::run(&cli.global, args, output),
        Command::Cache(args) => commands::cache::run(&cli.global, args, output),
        Command::Check(args) => commands::check::run(&cli.global, args, output),
        Command::Diagnose(fleet) | Command::Status(fleet) if fleet.is_fleet() => {
            commands::fleet::run(&cli.global, fleet, FleetCommand::Diagnose, output)
        }
        Command::Recover(args) if args.fleet.is_fleet() => commands::fleet::run(
            &cli.global,
            &args.fleet,
            FleetCommand::Recover(args),
            output,
        ),
        Command::Ensure(args) if args.fleet.is_fleet() => {
            commands::fleet::run(&cli.global, &args.fleet, FleetCommand::Ensure(args), output)
        }
        Command::Diagnose(_) => commands::diagnose::run(&cli.global, false, output),
        Command::Status(_) => commands::diagnose::run(&cli.global, true, output),
        Command::Recover(args) => commands::recover::run(&cli.global, args, output),
        Command::Ensure(args) => commands::recover::ensure(&cli.global, args, output),
        Command::Interactive(options) => {
            commands::recover::interactive(&cli.global, options, output)
        }
    }
}
