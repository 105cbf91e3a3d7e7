//! Assembles a [`Schema`] from catalog rows, in whatever order they come.

use std::collections::BTreeMap;

use migration_doctor_schema::{
    Column, Dialect, ForeignKey, Index, ReferentialAction, Schema, Table, TypeFamily,
    UniqueConstraint,
};

use migration_doctor_schema::{VersionTable, VersionTableContents};

#[derive(Default)]
pub struct SchemaBuilder {
    schema: Schema,
    /// (table, index name) → position in the table's index list.
    index_slots: BTreeMap<(String, String), usize>,
    unique_slots: BTreeMap<(String, String), usize>,
    foreign_key_slots: BTreeMap<(String, String), usize>,
}

impl SchemaBuilder {
    pub fn table(&mut self, name: &str) {
        self.schema.tables.entry(name.to_owned()).or_default();
    }

    pub fn view(&mut self, name: &str) {
        self.schema.views.insert(name.to_owned());
    }

    fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.schema.table_mut(name)
    }

    pub fn column(
        &mut self,
        dialect: Dialect,
        table: &str,
        name: &str,
        native: &str,
        nullable: bool,
        default: Option<String>,
    ) {
        self.column_with_family(
            table,
            name,
            TypeFamily::from_native(dialect, native),
            native,
            nullable,
            default,
        );
    }

    pub fn column_with_family(
        &mut self,
        table: &str,
        name: &str,
        type_family: TypeFamily,
        native: &str,
        nullable: bool,
        default: Option<String>,
    ) {
        if let Some(table) = self.table_mut(table) {
            table.columns.push(Column {
                name: name.to_owned(),
                type_family,
                native_type: native.to_owned(),
                nullable,
                default,
            });
        }
    }

    pub fn primary_key_column(&mut self, table: &str, column: &str) {
        if let Some(table) = self.table_mut(table) {
            table.primary_key.push(column.to_owned());
        }
    }

    /// Adds `column` to the index `name` (created on first sight).
    pub fn index_column(&mut self, table: &str, name: &str, unique: bool, column: &str) {
        let key = (table.to_owned(), name.to_owned());
        let Some(slot) = self.index_slots.get(&key).copied().or_else(|| {
            let table = self.schema.table_mut(table)?;
            table.indexes.push(Index {
                name: Some(name.to_owned()),
                columns: Vec::new(),
                unique,
            });
            Some(table.indexes.len() - 1)
        }) else {
            return;
        };
        self.index_slots.insert(key, slot);
        if let Some(table) = self.table_mut(table) {
            table.indexes[slot].columns.push(column.to_owned());
        }
    }

    pub fn unique_column(&mut self, table: &str, name: Option<&str>, slot_key: &str, column: &str) {
        let key = (table.to_owned(), slot_key.to_owned());
        let Some(slot) = self.unique_slots.get(&key).copied().or_else(|| {
            let table = self.schema.table_mut(table)?;
            table.unique_constraints.push(UniqueConstraint {
                name: name.map(str::to_owned),
                columns: Vec::new(),
            });
            Some(table.unique_constraints.len() - 1)
        }) else {
            return;
        };
        self.unique_slots.insert(key, slot);
        if let Some(table) = self.table_mut(table) {
            table.unique_constraints[slot]
                .columns
                .push(column.to_owned());
        }
    }

    /// Adds one column pair to the foreign key `slot_key` of `table`.
    #[allow(clippy::too_many_arguments)]
    pub fn foreign_key_column(
        &mut self,
        table: &str,
        name: Option<&str>,
        slot_key: &str,
        column: &str,
        referred_schema: Option<&str>,
        referred_table: &str,
        referred_column: Option<&str>,
    ) {
        let key = (table.to_owned(), slot_key.to_owned());
        let Some(slot) = self.foreign_key_slots.get(&key).copied().or_else(|| {
            let table = self.schema.table_mut(table)?;
            table.foreign_keys.push(ForeignKey {
                name: name.map(str::to_owned),
                columns: Vec::new(),
                referred_schema: referred_schema.map(str::to_owned),
                referred_table: referred_table.to_owned(),
                referred_columns: Vec::new(),
                on_delete: ReferentialAction::NoAction,
                on_update: ReferentialAction::NoAction,
            });
            Some(table.foreign_keys.len() - 1)
        }) else {
            return;
        };
        self.foreign_key_slots.insert(key, slot);
        if let Some(table) = self.table_mut(table) {
            let foreign_key = &mut table.foreign_keys[slot];
            foreign_key.columns.push(column.to_owned());
            if let Some(referred) = referred_column {
                foreign_key.referred_columns.push(referred.to_owned());
            }
        }
    }

    /// The `ON DELETE` and `ON UPDATE` of the foreign key `slot_key` of
    /// `table` (after its first column).
    pub fn foreign_key_actions(
        &mut self,
        table: &str,
        slot_key: &str,
        on_delete: ReferentialAction,
        on_update: ReferentialAction,
    ) {
        let key = (table.to_owned(), slot_key.to_owned());
        let Some(slot) = self.foreign_key_slots.get(&key).copied() else {
            return;
        };
        if let Some(foreign_key) = self
            .table_mut(table)
            .and_then(|table| table.foreign_keys.get_mut(slot))
        {
            foreign_key.on_delete = on_delete;
            foreign_key.on_update = on_update;
        }
    }

    pub fn tables(&self) -> &migration_doctor_schema::Tables {
        &self.schema.tables
    }

    pub fn table_mut_by_name(&mut self, name: &str) -> Option<&mut Table> {
        self.schema.table_mut(name)
    }

    /// Takes the version table out of the user schema when it lives there.
    pub fn take_table(&mut self, name: &str) -> Option<Table> {
        self.schema.remove_table(name)
    }

    pub fn finish(mut self) -> Schema {
        let names: Vec<String> = self.schema.tables.keys().cloned().collect();
        for name in names {
            if let Some(table) = self.schema.table_mut(&name) {
                table.sort();
            }
        }
        self.schema
    }
}

/// The version table found (or not) with its rows.
pub fn version_table(
    name: &str,
    schema: Option<&str>,
    table: Option<Table>,
    rows: Vec<Option<String>>,
) -> VersionTable {
    match table {
        None => VersionTable::Absent {
            name: name.to_owned(),
            schema: schema.map(str::to_owned),
        },
        Some(table) => VersionTable::Present(VersionTableContents {
            name: name.to_owned(),
            schema: schema.map(str::to_owned),
            columns: table.columns,
            primary_key: table.primary_key,
            rows,
        }),
    }
}
