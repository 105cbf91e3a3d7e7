//! The analysis: a pure function of the revision graph, the expected
//! schemas, the live schema, the version rows and the answers of data
//! probes, ending in exactly one state, one strategy and one evidence level
//! (docs/contract.md, "States and strategies" and "Evidence").
//!
//! [`analyze`] is the decision tree; each case it reaches is decided by one
//! room: the version rows (`version_rows`), matching against every state
//! (`matching`), ties and probes (`ties`), a revision partly applied
//! (`partial`), its completion (`completion`), collisions of pending
//! revisions (`collisions`), and the rows that are valid (`valid_rows`).
//! Every case ends in `verdict::finish`.
//!
//! The evidence policy, in one place:
//! - a revision state *agrees* with the live schema when no certain detail
//!   differs (differences in tables that unknown operations may have touched
//!   are unverified, and prove nothing);
//! - among agreeing states the candidates are those with the fewest
//!   unverified differences;
//! - `proven`: one candidate with no unverified difference, or a chain of
//!   candidates that differ only by revisions whose data steps the probes
//!   settle (or which do nothing), and every version row explained;
//! - `needs_confirmation`: a tie that probes cannot settle (unknown
//!   operations, data steps without a probe, candidates on different
//!   branches), a candidate whose uncertain tables differ, version rows
//!   naming revisions the scripts do not have;
//! - `refused`: no state agrees, or a pending revision would collide with
//!   the live schema.

use std::collections::BTreeSet;

use migration_doctor_graph::RevisionIndex;
use migration_doctor_schema::VersionTableContents;

use crate::compare::{Comparer, ObjectRules};
use crate::context::{Context, Notes, name_list};
use crate::diagnosis::{AnalysisInput, Diagnosis};
use crate::matching::Matching;
use crate::partial::report_partial;
use crate::valid_rows::valid_rows;
use crate::verdict::{Verdict, finish};
use crate::version_rows::{Rows, read_rows};
use crate::vocabulary::{Evidence, FindingCode, Hint, Severity, State, Strategy};

/// Decides the state, the evidence, the matched revisions and the strategy.
pub fn analyze(input: AnalysisInput<'_>) -> Diagnosis {
    let options = input.options;
    let expected = input.expected;
    // Ignored tables and tables no revision manages are left out of every
    // comparison: they are evidence of nothing.
    let skip = |name: &str| {
        options.ignore_tables.matches(name)
            || expected.is_some_and(|expected| !expected.is_managed(name))
    };
    let rules = ObjectRules {
        managed: expected,
        ignore: Some(&options.ignore_objects),
        server_names_key_indexes: migration_doctor_infer::dialect::makes_foreign_key_indexes(
            input.live.dialect,
        ),
    };
    let comparer = Comparer::new(&input.live.schema, &skip).with_rules(rules);
    let context = Context {
        input: &input,
        comparer: &comparer,
    };
    let mut notes = Notes::default();
    let diagnosis = opening(&context);

    if !input.script_errors.is_empty() {
        for error in input.script_errors {
            notes.finding(Severity::Error, FindingCode::InvalidScripts, error.clone());
        }
        return Diagnosis {
            findings: notes.findings,
            ..diagnosis
        };
    }
    let survey = survey(&context, &mut notes);
    let Some(contents) = input.live.version_table.contents() else {
        if survey.managed.is_empty() {
            return fresh(&context, notes, diagnosis);
        }
        return untracked(&context, notes, diagnosis, &survey);
    };
    if contents.version_num().is_none() {
        return wrong_shape(&context, notes, diagnosis, contents);
    }
    if contents.rows.is_empty() {
        return empty_rows(&context, notes, diagnosis, &survey);
    }
    let rows = read_rows(context.graph(), &contents.rows, &mut notes);
    if rows.corrupt {
        return corrupted(&context, notes, diagnosis, &rows, &survey);
    }
    valid_rows(&context, notes, diagnosis, rows.known)
}

/// The diagnosis before any decision: the rows as found and the heads.
fn opening(context: &Context<'_>) -> Diagnosis {
    let rows: &[Option<String>] = context
        .live()
        .version_table
        .contents()
        .map(|contents| contents.rows.as_slice())
        .unwrap_or_default();
    let mut current_revisions: Vec<String> = rows
        .iter()
        .map(|row| row.clone().unwrap_or_else(|| "NULL".to_owned()))
        .collect();
    current_revisions.sort();
    Diagnosis::blank(
        State::InvalidScripts,
        Strategy::ManualIntervention,
        Evidence::Refused,
        current_revisions,
        context.ids(&context.graph().heads()),
    )
}

/// The live tables sorted out: those no revision manages (and which of
/// them look like a version table), and those the migrations manage.
struct Survey {
    unmanaged: Vec<String>,
    look_alikes: Vec<String>,
    managed: Vec<String>,
}

/// Sorts the live tables, with the findings that come of it: operations
/// that could not be followed, unmanaged tables, look-alike version tables.
fn survey(context: &Context<'_>, notes: &mut Notes) -> Survey {
    let expected = context.expected();
    if let Some(expected) = expected {
        let unknown: usize = (0..context.graph().len())
            .map(|index| expected.unknown_operations(index).len())
            .sum();
        if unknown > 0 {
            notes.hinted(
                Severity::Info,
                FindingCode::UnknownOperations,
                format!("{unknown} operation(s) in the migrations could not be followed statically; differences in the tables they touch are unverified"),
                Hint::ListUnknownOperations,
            );
        }
    }
    let user_tables = context.user_tables();
    let unmanaged: Vec<String> = user_tables
        .iter()
        .filter(|name| expected.is_some_and(|expected| !expected.is_managed(name)))
        .cloned()
        .collect();
    if !unmanaged.is_empty() {
        notes.hinted(
            Severity::Warning,
            FindingCode::UnmanagedObjects,
            format!(
                "table(s) no revision creates or changes: {}; they are left out of the comparison",
                name_list(&unmanaged)
            ),
            Hint::IgnoreTables(unmanaged.clone()),
        );
    }
    // Tables the revisions change but none makes: the migrations assume
    // them; a database holding them is no fresh one.
    if let Some(expected) = expected
        && expected.baseline().is_none()
    {
        let assumed: Vec<String> = user_tables
            .iter()
            .filter(|name| expected.assumed_tables().contains(*name))
            .cloned()
            .collect();
        if !assumed.is_empty() {
            notes.hinted(
                Severity::Warning,
                FindingCode::AssumedTables,
                format!(
                    "table(s) {} are changed by the migrations but made by none of them (the application's models made them): \
                     no revision state holds them until the models that make them are named as the baseline",
                    name_list(&assumed)
                ),
                Hint::Baseline,
            );
        }
    }
    let objects = context
        .rules()
        .unmanaged_objects(&context.live().schema, &|table| {
            !context.ignored(table) && expected.is_some_and(|expected| expected.is_managed(table))
        });
    if !objects.is_empty() {
        notes.hinted(
            Severity::Warning,
            FindingCode::UnmanagedObjects,
            format!(
                "column(s), index(es) or constraint(s) no revision creates: {}; they are left out of the comparison",
                name_list(&objects)
            ),
            Hint::IgnoreObjects(objects),
        );
    }
    // A table shaped like alembic's version table under another name: most
    // often env.py sets `version_table`, and this run was not told.
    let live = &context.live().schema;
    let look_alikes: Vec<String> = unmanaged
        .iter()
        .filter(|name| {
            live.tables.get(*name).is_some_and(|table| {
                table.columns.len() == 1 && table.columns[0].name == "version_num"
            })
        })
        .cloned()
        .collect();
    for name in &look_alikes {
        notes.hinted(
            Severity::Warning,
            FindingCode::LookAlikeVersionTable,
            format!(
                "table {name} is shaped like alembic's version table (one version_num column); if env.py names it as the version table, this run reads {} instead",
                context.version_table_name()
            ),
            Hint::VersionTable(name.clone()),
        );
    }
    let unmanaged_set: BTreeSet<&str> = unmanaged.iter().map(String::as_str).collect();
    let managed = user_tables
        .iter()
        .filter(|name| !unmanaged_set.contains(name.as_str()))
        .cloned()
        .collect();
    Survey {
        unmanaged,
        look_alikes,
        managed,
    }
}

/// No user tables the migrations manage, and no version rows: every
/// revision is pending (and must not collide with what is there).
fn fresh(context: &Context<'_>, notes: Notes, diagnosis: Diagnosis) -> Diagnosis {
    // At base: the migrations start there, and nothing is stamped.
    let verdict = Verdict::bare(State::Fresh, Strategy::NormalMigration, Evidence::Proven)
        .stamping(Some(Vec::new()));
    finish(context, notes, diagnosis, verdict)
}

/// Tables but no version table.
fn untracked(
    context: &Context<'_>,
    mut notes: Notes,
    diagnosis: Diagnosis,
    survey: &Survey,
) -> Diagnosis {
    notes.finding(
        Severity::Error,
        FindingCode::VersionTableMissing,
        format!(
            "{} user table(s) exist but there is no {} table",
            survey.managed.len(),
            context.version_table_name()
        ),
    );
    // Another table may be the real version table: never create a second
    // one unattended.
    let elsewhere = !survey.look_alikes.is_empty();
    by_matching(
        context,
        notes,
        diagnosis,
        (State::UntrackedSchema, Strategy::InitializeAlembicVersion),
        &[],
        elsewhere,
    )
}

/// A version table without `version_num`: nothing to repair by writing rows.
fn wrong_shape(
    context: &Context<'_>,
    mut notes: Notes,
    mut diagnosis: Diagnosis,
    contents: &VersionTableContents,
) -> Diagnosis {
    notes.hinted(
        Severity::Error,
        FindingCode::WrongShape,
        format!(
            "the version table {} has no version_num column; drop or rename it by hand",
            contents.name
        ),
        Hint::Recover,
    );
    let matching = context.matching(&[]);
    diagnosis.candidate_revisions = context.candidate_sets(&matching);
    refuse_with_closest(
        context,
        notes,
        diagnosis,
        &matching,
        State::CorruptedVersionTable,
    )
}

/// Nobody may write; the closest states are shown with their differences.
fn refuse_with_closest(
    context: &Context<'_>,
    notes: Notes,
    mut diagnosis: Diagnosis,
    matching: &Matching,
    state: State,
) -> Diagnosis {
    diagnosis.closest = context.closest_states(&matching.closest);
    finish(context, notes, diagnosis, Verdict::refused(state))
}

/// A version table without rows: at base when nothing else is there,
/// otherwise its rows were lost.
fn empty_rows(
    context: &Context<'_>,
    mut notes: Notes,
    diagnosis: Diagnosis,
    survey: &Survey,
) -> Diagnosis {
    if survey.managed.is_empty() {
        notes.finding(
            Severity::Info,
            FindingCode::EmptyVersionTable,
            "the version table is empty and there are no user tables: the database is at base"
                .to_owned(),
        );
        return fresh(context, notes, diagnosis);
    }
    notes.finding(
        Severity::Error,
        FindingCode::EmptyVersionTable,
        "the version table is empty but user tables exist".to_owned(),
    );
    by_matching(
        context,
        notes,
        diagnosis,
        (
            State::CorruptedVersionTable,
            Strategy::RepairCorruptedAlembic,
        ),
        &[],
        false,
    )
}

/// Rows that are not a valid set of heads: repaired to the state the
/// schema matches, never on unknown ids unattended.
fn corrupted(
    context: &Context<'_>,
    mut notes: Notes,
    mut diagnosis: Diagnosis,
    rows: &Rows,
    survey: &Survey,
) -> Diagnosis {
    // Ancestor and descendant side by side: alembic keeps the descendants.
    if rows.only_overlapping() {
        let descendants = rows.descendants(context.graph());
        let comparison = context.compare_with(&descendants);
        if comparison.agrees() {
            let evidence = if comparison.unverified.is_empty() {
                Evidence::Proven
            } else {
                Evidence::NeedsConfirmation
            };
            diagnosis.candidate_revisions = vec![context.set(&descendants)];
            diagnosis.comparison = Some(comparison);
            let verdict = Verdict::bare(
                State::CorruptedVersionTable,
                Strategy::RepairCorruptedAlembic,
                evidence,
            )
            .stamping(Some(descendants));
            return finish(context, notes, diagnosis, verdict);
        }
    }
    if rows.unknown_ids {
        notes.hinted(
            Severity::Warning,
            FindingCode::UnknownRevisionAfterRollback,
            "an id the scripts do not have is most often written by a newer release of the application that was rolled back; deploy that release's migrations, or confirm by hand the state the schema shows; it is never rewritten unattended".to_owned(),
            Hint::NameRevision(Vec::new()),
        );
        if !survey.unmanaged.is_empty() {
            return ahead_of_scripts(context, notes, diagnosis, rows, survey);
        }
    }
    by_matching(
        context,
        notes,
        diagnosis,
        (
            State::CorruptedVersionTable,
            Strategy::RepairCorruptedAlembic,
        ),
        &rows.known,
        rows.unknown_ids,
    )
}

/// Objects no revision creates, and ids no script knows: a newer release ran.
fn ahead_of_scripts(
    context: &Context<'_>,
    mut notes: Notes,
    mut diagnosis: Diagnosis,
    rows: &Rows,
    survey: &Survey,
) -> Diagnosis {
    let matching = context.matching(&rows.known);
    diagnosis.candidate_revisions = context.candidate_sets(&matching);
    diagnosis.unexpected_tables = survey.unmanaged.clone();
    notes.finding(
        Severity::Error,
        FindingCode::AheadOfScripts,
        format!(
            "the database has tables no revision creates ({}) and a version the scripts do not know: a newer release of the application probably migrated it; deploy that release's migrations{}",
            name_list(&survey.unmanaged),
            if diagnosis.candidate_revisions.is_empty() {
                String::new()
            } else {
                format!(
                    " (without those tables the schema matches {})",
                    crate::context::set_list(&diagnosis.candidate_revisions)
                )
            }
        ),
    );
    refuse_with_closest(context, notes, diagnosis, &matching, State::AheadOfScripts)
}

/// Untracked or corrupted: recoverable when the schema matches a state.
fn by_matching(
    context: &Context<'_>,
    mut notes: Notes,
    mut diagnosis: Diagnosis,
    (state, strategy): (State, Strategy),
    rows: &[RevisionIndex],
    // Version rows unknown to the scripts, or a version table that may be
    // elsewhere: the match is never proof for an unattended write.
    unconfirmed: bool,
) -> Diagnosis {
    let matching = context.matching(rows);
    diagnosis.candidate_revisions = context.candidate_sets(&matching);
    let Some(_) = matching.candidates.first() else {
        if let Some(nearest) = matching.closest.first() {
            diagnosis.missing_tables = nearest.comparison.missing_tables.clone();
            diagnosis.unexpected_tables = nearest.comparison.unexpected_tables.clone();
            let differences = nearest.comparison.differences();
            let shown: Vec<&str> = differences.iter().take(5).map(String::as_str).collect();
            notes.finding(
                Severity::Error,
                FindingCode::NoMatchingRevision,
                format!(
                    "the schema matches no revision state in every detail (closest: {}, differing in {}{}); stamping would be a guess",
                    context.set(&nearest.heads),
                    shown.join("; "),
                    if differences.len() > 5 { "; …" } else { "" }
                ),
            );
            if let Some((_, partial)) = context.half_applied(&nearest.heads) {
                report_partial(&mut notes, &partial, context.live().dialect);
                diagnosis.partial.push(partial);
            }
        }
        return refuse_with_closest(context, notes, diagnosis, &matching, state);
    };
    let settlement = context.settle(&matching, &mut notes);
    context.report_tie(&matching.candidates, &settlement, &mut notes);
    let mut evidence = settlement.evidence;
    if unconfirmed && evidence == Evidence::Proven {
        evidence = Evidence::NeedsConfirmation;
    }
    if let Some(chosen) = &settlement.chosen
        && let Some(scored) = matching
            .candidates
            .iter()
            .find(|scored| &scored.heads == chosen)
    {
        diagnosis.comparison = Some(scored.comparison.clone());
    }
    let strategy = if settlement.chosen.is_some() {
        strategy
    } else {
        Strategy::ManualIntervention
    };
    let judged = matching.candidate_heads();
    let verdict = Verdict::bare(state, strategy, evidence)
        .stamping(settlement.chosen)
        .judging(judged);
    finish(context, notes, diagnosis, verdict)
}
