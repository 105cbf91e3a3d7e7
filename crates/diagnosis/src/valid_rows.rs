//! Version rows that are a valid set of heads: the schema agrees with them
//! (healthy or behind), or matches another state (the rows lag or lead),
//! or shows a child of theirs half-applied, or matches nothing (drifted).

use migration_doctor_graph::RevisionIndex;
use migration_doctor_schema::PlanStep;

use crate::compare::Comparison;
use crate::context::{Context, Notes};
use crate::diagnosis::{Diagnosis, PartialRevision};
use crate::matching::Matching;
use crate::partial::report_partial;
use crate::ties::{Between, Settlement, Shown};
use crate::verdict::{Verdict, finish};
use crate::vocabulary::{Evidence, FindingCode, Hint, Severity, State, Strategy};

/// Decides a database whose rows name known revisions, none an ancestor
/// of another.
pub(crate) fn valid_rows(
    context: &Context<'_>,
    mut notes: Notes,
    mut diagnosis: Diagnosis,
    current: Vec<RevisionIndex>,
) -> Diagnosis {
    let comparison = context.compare_with(&current);
    // A child of the rows' revision partly applied, looked for only when
    // the schema does not simply agree: it turns unverified differences
    // into a half-applied child rather than harmless drift, and explains
    // the schema before any match that is not proven.
    let half = (!comparison.agrees() || !comparison.unverified.is_empty())
        .then(|| context.half_applied(&current))
        .flatten();
    // Whether the rows stand beside a half-applied child depends on the
    // other states that agree: matched once, for this and what follows.
    let early = (comparison.agrees() && half.is_some()).then(|| context.matching(&current));
    if rows_stand(&current, &comparison, early.as_ref()) {
        return in_step(context, notes, diagnosis, current, comparison);
    }
    diagnosis.missing_tables = comparison.missing_tables.clone();
    diagnosis.unexpected_tables = comparison.unexpected_tables.clone();
    let against_rows = comparison.differences().join("; ");
    diagnosis.comparison = Some(comparison);
    let matching = early.unwrap_or_else(|| context.matching(&current));
    diagnosis.candidate_revisions = context.candidate_sets(&matching);
    let judged = matching.candidate_heads();
    // A child of the rows' revision partly applied explains the schema
    // better than a match that is not proven.
    let settlement = (!matching.candidates.is_empty())
        .then(|| context.settle(&matching, &mut notes))
        .filter(|settlement| settlement.evidence == Evidence::Proven || half.is_none());
    if let Some(settlement) = settlement {
        context.report_tie(&matching.candidates, &settlement, &mut notes);
        let mismatch = Mismatch {
            current: &current,
            against_rows: &against_rows,
            judged,
        };
        return rows_disagree(context, notes, diagnosis, settlement, mismatch);
    }
    if let Some((child, partial)) = half {
        let verdict = Verdict::refused(State::PartialMigration).judging(judged);
        return half_applied(
            context, notes, diagnosis, &matching, &current, child, partial, verdict,
        );
    }
    drifted(context, notes, diagnosis, &matching, &against_rows, judged)
}

/// Whether the rows' own state stands: the schema agrees with it, and no
/// half-applied child explains its unverified differences better. The
/// rows' state tying with other agreeing states (one after a revision that
/// does nothing) still stands; a half-applied child explains unverified
/// differences only where the rows' state is the one state that agrees.
/// `matching` is given where a half-applied child and unverified
/// differences make the other states matter.
fn rows_stand(
    current: &[RevisionIndex],
    comparison: &Comparison,
    matching: Option<&Matching>,
) -> bool {
    if !comparison.agrees() {
        return false;
    }
    let Some(matching) = matching else {
        return true;
    };
    let mut rows_state = current.to_vec();
    rows_state.sort_unstable();
    let candidates = &matching.candidates;
    candidates.len() > 1
        && candidates.iter().any(|scored| {
            let mut heads = scored.heads.clone();
            heads.sort_unstable();
            heads == rows_state
        })
}

/// The schema agrees with the rows: healthy, or behind with revisions pending.
fn in_step(
    context: &Context<'_>,
    mut notes: Notes,
    mut diagnosis: Diagnosis,
    current: Vec<RevisionIndex>,
    comparison: Comparison,
) -> Diagnosis {
    if !comparison.unverified.is_empty() {
        notes.hinted(
            Severity::Warning,
            FindingCode::Unverified,
            format!(
                "the schema agrees with the version rows in every certain detail; tables touched by code that could not be followed differ, which proves nothing either way: {}",
                comparison.unverified.join("; ")
            ),
            Hint::IgnoreTables(Vec::new()),
        );
    }
    diagnosis.comparison = Some(comparison);
    let (state, strategy) = if context.pending_after(&current).is_empty() {
        (State::Healthy, Strategy::NoActionNeeded)
    } else {
        (State::Behind, Strategy::NormalMigration)
    };
    let verdict = Verdict::bare(state, strategy, Evidence::Proven).stamping(Some(current));
    finish(context, notes, diagnosis, verdict)
}

/// What the rows say against what the schema shows.
struct Mismatch<'m> {
    current: &'m [RevisionIndex],
    /// The differences between the schema and the rows' state, in words.
    against_rows: &'m str,
    judged: Vec<Vec<RevisionIndex>>,
}

/// The schema matches another state than the rows': they lag behind it
/// (the rows were not updated) or lead it (a migration did not complete).
fn rows_disagree(
    context: &Context<'_>,
    mut notes: Notes,
    mut diagnosis: Diagnosis,
    settlement: Settlement,
    mismatch: Mismatch<'_>,
) -> Diagnosis {
    let Mismatch {
        current,
        against_rows,
        judged,
    } = mismatch;
    let graph = context.graph();
    let mut evidence = settlement.evidence;
    if let Some(chosen) = &settlement.chosen {
        let current_ids = context.set(current);
        let applied_rows = context.applied_set(current);
        let applied_chosen = context.applied_set(chosen);
        let earlier = applied_chosen
            .iter()
            .zip(&applied_rows)
            .all(|(chosen, row)| !*chosen || *row);
        let (code, message) = if earlier {
            (
                FindingCode::MissingObjects,
                format!(
                    "the version rows say {current_ids}, but the schema matches {}: objects expected at {current_ids} are missing ({against_rows}); a migration did not complete",
                    context.set(chosen)
                ),
            )
        } else {
            (
                FindingCode::SchemaAheadOfVersion,
                format!(
                    "the version rows say {current_ids}, but the schema matches {} ({against_rows}); the rows were not updated (or were stamped wrongly)",
                    context.set(chosen)
                ),
            )
        };
        notes.finding(Severity::Error, code, message);
        // Stamping past the rows skips the revisions in between for good:
        // each must show it ran (its schema does; its data steps and
        // unknown operations must too), or a person confirms.
        if evidence == Evidence::Proven
            && !skipped_revisions_ran(context, &mut notes, current, chosen)
        {
            evidence = Evidence::NeedsConfirmation;
        }
        // The revisions the rows claim beyond the match, operation by operation.
        for &index in graph.topological() {
            if applied_rows[index] && !applied_chosen[index] {
                let partial = context.explain(index);
                if !partial.present.is_empty() && !partial.missing.is_empty() {
                    diagnosis.partial.push(partial);
                }
            }
        }
    }
    let strategy = if settlement.chosen.is_some() {
        Strategy::CompletePartialMigration
    } else {
        Strategy::ManualIntervention
    };
    let verdict = Verdict::bare(State::PartialMigration, strategy, evidence)
        .stamping(settlement.chosen)
        .judging(judged);
    finish(context, notes, diagnosis, verdict)
}

/// Whether every revision that `chosen` applies beyond the rows shows it
/// ran; the first that does not is reported, for a person to confirm.
fn skipped_revisions_ran(
    context: &Context<'_>,
    notes: &mut Notes,
    current: &[RevisionIndex],
    chosen: &[RevisionIndex],
) -> bool {
    let graph = context.graph();
    let applied_rows = context.applied_set(current);
    let applied_chosen = context.applied_set(chosen);
    let ahead = graph
        .topological()
        .iter()
        .copied()
        .filter(|&index| applied_chosen[index] && !applied_rows[index]);
    for revision in ahead {
        let reason = match context.between(revision, Shown::SchemaChanges, notes) {
            Between::Applied { .. } => continue,
            Between::NotApplied => format!(
                "{}'s schema changes are there but a probe says its data step did not run",
                graph.revision(revision).id()
            ),
            Between::NothingLeft => format!(
                "{}'s data step finds nothing left to change: it ran, or had nothing to do",
                graph.revision(revision).id()
            ),
            Between::Unprobed(why) | Between::Unsettled(why) => why,
        };
        notes.hinted(
            Severity::Warning,
            FindingCode::Unverified,
            format!(
                "stamping {} would skip what nothing shows ran: {reason}",
                context.set(chosen)
            ),
            Hint::NameRevision(vec![context.set(chosen)]),
        );
        return false;
    }
    true
}

/// Between a revision and one of its children: part of a revision applied.
/// Finished by running its missing creations when nothing else is missing
/// and the result is the child's state in every detail.
#[allow(clippy::too_many_arguments)]
fn half_applied(
    context: &Context<'_>,
    mut notes: Notes,
    mut diagnosis: Diagnosis,
    matching: &Matching,
    current: &[RevisionIndex],
    child: RevisionIndex,
    partial: PartialRevision,
    verdict: Verdict,
) -> Diagnosis {
    let live_dialect = context.live().dialect;
    let finished = context.completion(current, child, &mut notes);
    let completion = finished.completion;
    let finishable = completion.blockers.is_empty();
    if finishable {
        diagnosis.partial.push(partial);
    } else {
        report_partial(&mut notes, &partial, context.live().dialect);
        diagnosis.partial.push(partial);
    }
    diagnosis.closest = context.closest_states(&matching.closest);
    let evidence = match (finishable, completion.doubts.is_empty()) {
        (false, _) => Evidence::Refused,
        (true, true) => Evidence::Proven,
        (true, false) => Evidence::NeedsConfirmation,
    };
    let mut verdict = Verdict {
        evidence,
        ..verdict
    };
    if finishable {
        verdict.completed = Some(finished.schema);
        verdict.strategy = Strategy::CompletePartialMigration;
        verdict.target = Some(finished.target);
        notes.hinted(
            Severity::Error,
            FindingCode::PartlyApplied,
            format!(
                "revision {} is partly applied ({}) and can be finished: \
                 its {} missing operation(s) all create, and with them the schema is that revision's in every detail{}",
                completion.revision,
                crate::partial::how_partly(context.live().dialect),
                completion.statements.iter().map(|statement| statement.operations.len()).sum::<usize>(),
                if completion.doubts.is_empty() {
                    String::new()
                } else {
                    format!(" (a person must confirm: {})", completion.doubts.join("; "))
                }
            ),
            Hint::Complete,
        );
    } else {
        let blockers: Vec<String> = completion
            .blockers
            .iter()
            .map(|blocker| blocker.message.clone())
            .collect();
        notes.finding(
            Severity::Error,
            FindingCode::PartlyApplied,
            format!(
                "revision {} cannot be finished by the tool: {}",
                completion.revision,
                blockers.join("; ")
            ),
        );
    }
    let revision = completion.revision.clone();
    let statements = completion.statements.clone();
    diagnosis.completion = Some(completion);
    let mut diagnosis = finish(context, notes, diagnosis, verdict);
    // The completion's DDL runs before the stamp.
    if let Some(stamp) = diagnosis.steps.take() {
        let mut steps: Vec<PlanStep> = statements
            .into_iter()
            .map(|statement| PlanStep::CompleteRevision {
                revision: revision.clone(),
                operations: statement.operations,
                sql: statement.sql,
                undo: statement.undo,
            })
            .collect();
        steps.extend(stamp);
        diagnosis.plan = Some(steps.iter().map(|step| step.sql(live_dialect)).collect());
        diagnosis.steps = Some(steps);
    }
    diagnosis
}

/// Valid rows, and a schema that matches no revision state.
fn drifted(
    context: &Context<'_>,
    mut notes: Notes,
    mut diagnosis: Diagnosis,
    matching: &Matching,
    against_rows: &str,
    judged: Vec<Vec<RevisionIndex>>,
) -> Diagnosis {
    notes.hinted(
        Severity::Error,
        FindingCode::NoMatchingRevision,
        format!("the version rows are valid but the schema matches no revision state ({against_rows}); recovery only writes the version table and cannot fix this: bring the schema back in line by hand, or leave objects that are not the migrations' business out of the comparison"),
        Hint::IgnoreTables(Vec::new()),
    );
    diagnosis.closest = context.closest_states(&matching.closest);
    let verdict = Verdict::refused(State::Drifted).judging(judged);
    finish(context, notes, diagnosis, verdict)
}
