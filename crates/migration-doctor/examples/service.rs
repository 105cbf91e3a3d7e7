//! A Rust service making its database's migration tracking sound at
//! start-up, before it serves: the step that used to fail with "tables exist
//! but there is no alembic_version".
//!
//! Try it on a copy of the example database (it writes the version table):
//!
//! ```sh
//! cp -r example /tmp/shop && \
//!   cargo run -p migration-doctor --example service -- sqlite:////tmp/shop/shop.db /tmp/shop/alembic.ini
//! ```

use std::process::ExitCode;

use migration_doctor::{EnsureOptions, ensure_migration_state_healthy};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .or_else(|| std::env::var("DATABASE_URL").ok())
        .unwrap_or_else(|| "sqlite:///shop.db".to_owned());
    let config = args.next().unwrap_or_else(|| "alembic.ini".to_owned());

    let (healthy, state) = ensure_migration_state_healthy(&url, &EnsureOptions::new(config)).await;
    if let Some(error) = &state.error {
        eprintln!("migration state: {error}");
    }
    println!(
        "migration state: {} (strategy {}, revision {})",
        if healthy { "sound" } else { "needs a person" },
        state.recovery_strategy,
        state.current_revision.as_deref().unwrap_or("none")
    );
    if healthy {
        // The service would start here.
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
