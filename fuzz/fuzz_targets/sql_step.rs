//! The SQL of `op.execute(...)`, parsed and applied on the three dialects
//! (to a schema with a table, so that ALTERs have something to change).
#![no_main]
use libfuzzer_sys::fuzz_target;
use migration_doctor_schema::{Dialect, Schema};

fuzz_target!(|data: &[u8]| {
    let sql = String::from_utf8_lossy(data);
    let mut literal = String::from("\"");
    for c in sql.chars() {
        match c {
            '\\' => literal.push_str("\\\\"),
            '"' => literal.push_str("\\\""),
            c if (c as u32) < 0x20 || (c as u32) >= 0x7f => {
                literal.push_str(&format!("\\U{:08x}", c as u32))
            }
            c => literal.push(c),
        }
    }
    literal.push('"');
    let source = format!(
        "from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n    \
         op.create_table('t', sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.String(20)))\n    \
         op.execute({literal})\n"
    );
    for dialect in [Dialect::Postgresql, Dialect::Mysql, Dialect::Sqlite] {
        let mut schema = Schema::default();
        let _ = migration_doctor_infer::run_upgrade(
            std::path::Path::new("versions/x.py"),
            &source,
            dialect,
            &mut schema,
        );
    }
});
