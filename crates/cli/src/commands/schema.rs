//! `migration-doctor schema`: the live schema (`--live`), read from the
//! database, or the expected schema at a revision.

use migration_doctor::live::{Access, read_live};

use crate::cli::{Format, GlobalOptions, SchemaArgs};
use crate::commands::database;
use crate::failure::Failure;
use crate::output::Output;
use crate::render;

pub fn run(global: &GlobalOptions, args: &SchemaArgs, output: &Output) -> Result<(), Failure> {
    if !args.live {
        return Err(Failure::Usage(
            "the expected schema at a revision is not derived from the migrations yet; \
             `schema --live` reads the database's schema"
                .to_owned(),
        ));
    }
    let runtime = database::runtime()?;
    let live = runtime.block_on(async {
        let mut database = database::open(global, Access::ReadOnly, output).await?;
        let live = read_live(&mut database, &database::introspect_options(global)).await;
        let target = database.url.redacted();
        database.close().await;
        live.map(|live| (live, target)).map_err(Failure::from)
    })?;
    let (live, url) = live;
    match global.format() {
        Format::Json => output.print_raw(&render::schema_json::render_live(&live)),
        Format::Text => output.print(&render::schema_text::render_live(&live, &url, output)),
        Format::Dot | Format::Mermaid => {
            return Err(Failure::Usage(
                "--format dot and mermaid apply to `graph` only; use text or json".to_owned(),
            ));
        }
    }
    Ok(())
}
