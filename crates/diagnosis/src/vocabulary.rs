//! The words of a diagnosis: states, strategies, evidence levels, finding
//! codes and hints, each with its name in the JSON contract
//! (docs/contract.md, "States and strategies" and "Findings").

use migration_doctor_graph::RevisionSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    Fresh,
    Healthy,
    Behind,
    UntrackedSchema,
    PartialMigration,
    CorruptedVersionTable,
    AheadOfScripts,
    Drifted,
    InvalidScripts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strategy {
    NormalMigration,
    NoActionNeeded,
    InitializeAlembicVersion,
    CompletePartialMigration,
    RepairCorruptedAlembic,
    StampExistingSchemaToHead,
    ManualIntervention,
}

impl State {
    /// The state's name in docs/contract.md (`untracked_schema`, …).
    pub fn name(self) -> &'static str {
        match self {
            State::Fresh => "fresh",
            State::Healthy => "healthy",
            State::Behind => "behind",
            State::UntrackedSchema => "untracked_schema",
            State::PartialMigration => "partial_migration",
            State::CorruptedVersionTable => "corrupted_version_table",
            State::AheadOfScripts => "ahead_of_scripts",
            State::Drifted => "drifted",
            State::InvalidScripts => "invalid_scripts",
        }
    }
}

impl Strategy {
    /// Every strategy, in docs/contract.md's order.
    pub const ALL: [Strategy; 7] = [
        Strategy::NormalMigration,
        Strategy::NoActionNeeded,
        Strategy::InitializeAlembicVersion,
        Strategy::CompletePartialMigration,
        Strategy::RepairCorruptedAlembic,
        Strategy::StampExistingSchemaToHead,
        Strategy::ManualIntervention,
    ];

    /// The strategy a docs/contract.md name stands for.
    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::ALL
            .into_iter()
            .find(|strategy| strategy.name() == name)
    }

    /// The strategy's name in docs/contract.md (`initialize_alembic_version`, …).
    pub fn name(self) -> &'static str {
        match self {
            Strategy::NormalMigration => "normal_migration",
            Strategy::NoActionNeeded => "no_action_needed",
            Strategy::InitializeAlembicVersion => "initialize_alembic_version",
            Strategy::CompletePartialMigration => "complete_partial_migration",
            Strategy::RepairCorruptedAlembic => "repair_corrupted_alembic",
            Strategy::StampExistingSchemaToHead => "stamp_existing_schema_to_head",
            Strategy::ManualIntervention => "manual_intervention",
        }
    }
}

/// How strong the evidence for a diagnosis is, and so who may act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Evidence {
    /// Unattended writes (`ensure`) may act on it.
    Proven,
    /// Only a person, naming the candidate, may act on it.
    NeedsConfirmation,
    /// Nobody may act on it.
    Refused,
}

impl Evidence {
    /// The level's name in docs/contract.md (`proven`, …).
    pub fn name(self) -> &'static str {
        match self {
            Evidence::Proven => "proven",
            Evidence::NeedsConfirmation => "needs_confirmation",
            Evidence::Refused => "refused",
        }
    }
}

/// How a person picks among candidates that tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TiePolicy {
    Latest,
    Earliest,
    Refuse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What a finding is about: a stable code (its name in the JSON contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FindingCode {
    InvalidScripts,
    UnknownOperations,
    UnmanagedObjects,
    AssumedTables,
    VersionTableMissing,
    WrongShape,
    EmptyVersionTable,
    UnknownRevisionAfterRollback,
    AheadOfScripts,
    Unverified,
    MissingObjects,
    SchemaAheadOfVersion,
    PartlyApplied,
    NoMatchingRevision,
    Collision,
    Tie,
    NullVersion,
    BlankVersion,
    PaddedVersion,
    VersionTooLong,
    UnknownRevision,
    DuplicateVersion,
    OverlappingHeads,
    LookAlikeVersionTable,
}

impl FindingCode {
    pub fn name(self) -> &'static str {
        match self {
            FindingCode::InvalidScripts => "invalid_scripts",
            FindingCode::UnknownOperations => "unknown_operations",
            FindingCode::UnmanagedObjects => "unmanaged_objects",
            FindingCode::AssumedTables => "assumed_tables",
            FindingCode::VersionTableMissing => "version_table_missing",
            FindingCode::WrongShape => "wrong_shape",
            FindingCode::EmptyVersionTable => "empty_version_table",
            FindingCode::UnknownRevisionAfterRollback => "unknown_revision_after_rollback",
            FindingCode::AheadOfScripts => "ahead_of_scripts",
            FindingCode::Unverified => "unverified",
            FindingCode::MissingObjects => "missing_objects",
            FindingCode::SchemaAheadOfVersion => "schema_ahead_of_version",
            FindingCode::PartlyApplied => "partly_applied",
            FindingCode::NoMatchingRevision => "no_matching_revision",
            FindingCode::Collision => "collision",
            FindingCode::Tie => "tie",
            FindingCode::NullVersion => "null_version",
            FindingCode::BlankVersion => "blank_version",
            FindingCode::PaddedVersion => "padded_version",
            FindingCode::VersionTooLong => "version_too_long",
            FindingCode::UnknownRevision => "unknown_revision",
            FindingCode::DuplicateVersion => "duplicate_version",
            FindingCode::OverlappingHeads => "overlapping_heads",
            FindingCode::LookAlikeVersionTable => "look_alike_version_table",
        }
    }
}

/// What a person can do about a finding, for a front end to render in its
/// own terms (the command line as the flag or command to use).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hint {
    /// Leave these tables out of every comparison (empty: the tables in
    /// question, named in the message).
    IgnoreTables(Vec<String>),
    /// Leave these columns, indexes or constraints (`table.object`) out of
    /// every comparison.
    IgnoreObjects(Vec<String>),
    /// A person names the revision state, one of these candidates.
    NameRevision(Vec<RevisionSet>),
    /// Run the recovery once the cause is fixed by hand.
    Recover,
    /// Finish the half-applied revision (its missing creations, then the stamp).
    Complete,
    /// See the operations that could not be followed.
    ListUnknownOperations,
    /// See the full comparison with the closest states.
    Detailed,
    /// Stamp the named state although the schema disagrees.
    Force,
    /// Read this table as the version table (env.py names it).
    VersionTable(String),
    /// Name the models that make the tables the migrations assume, as the
    /// state before the first revision.
    Baseline,
}

/// Why the tool will not do something by itself (a recovery that writes
/// nothing, a completion that is blocked), and what a person can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// In words, without any front end's flags or commands.
    pub message: String,
    pub hint: Option<Hint>,
}

impl Refusal {
    pub fn new(message: impl Into<String>, hint: Option<Hint>) -> Refusal {
        Refusal {
            message: message.into(),
            hint,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: FindingCode,
    /// The finding in words, without any front end's flags or commands.
    pub message: String,
    pub hint: Option<Hint>,
}
