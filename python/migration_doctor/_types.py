"""The shapes of the reports, for type checkers.

Every function of the package returns the JSON document the command line
prints (``--format json``) as a plain ``dict``; these ``TypedDict`` classes
say which keys it has and what their values are, so that an editor can
complete them and a type checker can catch a misspelt key. Nothing is
converted at run time.

Keys that are not always there are declared in a ``total=False`` class;
the keys that always are, in its private base class.
"""

# No `from __future__ import annotations` and `Optional` rather than `X | None`
# here: `typing.get_type_hints()` must be able to read these classes on every
# Python the package supports (3.9 and later).
from typing import Literal, Optional, TypedDict

StateName = Literal[
    "fresh",
    "healthy",
    "behind",
    "untracked_schema",
    "partial_migration",
    "corrupted_version_table",
    "ahead_of_scripts",
    "drifted",
    "invalid_scripts",
]
"""What a diagnosis found. ``fresh``: an empty database; ``healthy``: up to
date; ``behind``: migrations left to run; the others need a recovery or a
person."""

StrategyName = Literal[
    "normal_migration",
    "no_action_needed",
    "initialize_alembic_version",
    "complete_partial_migration",
    "repair_corrupted_alembic",
    "stamp_existing_schema_to_head",
    "manual_intervention",
]
"""What a diagnosis proposes to do about its state."""

EvidenceLevel = Literal["proven", "needs_confirmation", "refused"]
"""How sure a diagnosis is. Only ``proven`` evidence lets an unattended
recovery write; ``needs_confirmation`` needs a person to choose;
``refused`` means nobody should write (no revision matches the schema)."""

Severity = Literal["error", "warning", "info"]
"""How serious a finding is."""


class Target(TypedDict):
    """The database a report is about (the URL's password is masked)."""

    dialect: str
    host: Optional[str]
    database: Optional[str]
    url: str
    url_source: str
    """Where the URL came from (the configuration file, the environment, ...)."""


class Probe(TypedDict):
    """A read-only query that tells whether a data-only migration ran."""

    revision: str
    sql: str
    result: str
    """``"rows found"``, ``"no rows"`` or ``"failed: ..."``."""
    applied: Optional[bool]
    """Whether the revision ran, by this query; ``None`` when it cannot tell."""


class _PartialRevisionRequired(TypedDict):
    revision: str
    present: list[str]
    missing: list[str]


class PartialRevision(_PartialRevisionRequired, total=False):
    """A revision that ran only in part: its operations found and missing."""

    unverifiable: list[str]
    """Operations the schema cannot show either way (only when there are some)."""


class CompletionStatement(TypedDict):
    """One SQL statement that finishes a half-applied revision."""

    operations: list[str]
    sql: str
    undo: str


class Completion(TypedDict):
    """How a half-applied revision would be finished, when it can be."""

    revision: str
    statements: list[CompletionStatement]
    target: list[str]
    """The revisions recorded once it is finished."""
    blockers: list[str]
    """Why it cannot be finished by the tool (each with what to do by hand)."""
    doubts: list[str]
    """Why finishing it needs a person's confirmation."""


class Collision(TypedDict):
    """A migration still to run that would fail against the schema."""

    revision: str
    operation: str
    message: str


class Finding(TypedDict):
    """One thing the diagnosis noticed, with what to do about it."""

    severity: Severity
    code: str
    message: str
    hint: Optional[str]


class ClosestState(TypedDict):
    """When no revision matches the schema: one of the nearest, and how it differs."""

    revisions: list[str]
    distance: int
    differences: list[str]
    unverified: list[str]


class ErrorInfo(TypedDict):
    """The error object the command line prints when a run fails."""

    code: str
    message: str
    exit_code: int


class _DiagnosisRequired(TypedDict):
    state: StateName
    sound: bool
    strategy: StrategyName
    evidence: EvidenceLevel
    current_revisions: list[str]
    head_revisions: list[str]
    matched_revisions: list[str]
    candidate_revisions: list[str]
    pending_revisions: list[str]
    missing_tables: list[str]
    unexpected_tables: list[str]
    uncertain_revisions: list[str]
    data_revisions: list[str]
    probes: list[Probe]
    partial: list[PartialRevision]
    collisions: list[Collision]
    findings: list[Finding]
    plan: Optional[list[str]]
    closest_states: list[ClosestState]
    target: Target


class Diagnosis(_DiagnosisRequired, total=False):
    """The report of :func:`~migration_doctor.diagnose`: where the migration tracking stands.

    ``state``, ``strategy`` and ``evidence`` sum it up; ``sound`` is true
    when nothing blocks ``alembic upgrade``. Revisions are alembic's ids; a
    set of several heads applied side by side is written as their ids joined
    by ``+`` (in ``candidate_revisions``, the revision sets the schema
    matches equally well). ``current_revisions`` are the rows of the version
    table as found, ``matched_revisions`` the revisions the schema matches,
    ``pending_revisions`` what ``alembic upgrade heads`` would run from
    there. ``plan`` is the SQL a recovery would run, or ``None``.
    """

    completion: Completion
    """Only when a half-applied revision can be finished."""
    error: ErrorInfo
    """Only when the migration scripts are invalid."""


class _RecoveryReportRequired(Diagnosis):
    applied: bool
    before: Optional[list[Optional[str]]]
    after: Optional[list[Optional[str]]]
    undo: list[str]


class RecoveryReport(_RecoveryReportRequired, total=False):
    """The report of a recovery: the diagnosis it acted on, and what it wrote.

    ``applied`` is true when the version table was written; ``before`` and
    ``after`` are its rows (``None`` for no table, ``None`` in the list for a
    NULL row); ``plan`` is the SQL run (or that would have run) and ``undo``
    the SQL that puts back what was there before.
    """

    refused: str
    """Only when the recovery was refused: why (nothing was written)."""


class StateInfo(TypedDict):
    """The migration state as a summary, with the full diagnosis.

    ``recovery_strategy`` is the diagnosis's strategy in upper case
    (``"INITIALIZE_ALEMBIC_VERSION"``); ``requires_recovery`` is true when a
    recovery would write to the version table.
    """

    has_existing_schema: bool
    has_alembic_version: bool
    requires_recovery: bool
    recovery_strategy: str
    current_revision: Optional[str]
    existing_tables: list[str]
    missing_expected_tables: list[str]
    state: StateName
    evidence: EvidenceLevel
    diagnosis: Diagnosis


class EnsuredStateInfo(StateInfo):
    """The state after an attempt to make it sound, with what that attempt did."""

    recovery: RecoveryReport


__all__ = [
    "ClosestState",
    "Collision",
    "Completion",
    "CompletionStatement",
    "Diagnosis",
    "EnsuredStateInfo",
    "ErrorInfo",
    "EvidenceLevel",
    "Finding",
    "PartialRevision",
    "Probe",
    "RecoveryReport",
    "Severity",
    "StateInfo",
    "StateName",
    "StrategyName",
    "Target",
]
