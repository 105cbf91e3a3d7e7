"""Runs the executable with ``--format json``.

Its answer becomes a dict, or the exception its exit code stands for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from ._binary import find_binary
from ._errors import BY_EXIT_CODE, MigrationDoctorError, ProblemsFound, RecoveryRefused

# Keyword options and the global flags they become.
_GLOBAL_FLAGS = {
    "config": "--config",
    "name": "--name",
    "script_location": "--script-location",
    "baseline": "--baseline",
    "schema": "--schema",
    "version_table": "--version-table",
    "version_table_schema": "--version-table-schema",
    "ignore_tables": "--ignore-tables",
    "ignore": "--ignore",
}
# Options of the commands that write.
_RECOVERY_FLAGS = {
    "lock_timeout": "--lock-timeout",
    "audit_log": "--audit-log",
}
# Switches of `ensure` (true: the flag is given).
_ENSURE_SWITCHES = {
    "complete_partial": "--complete-partial",
}
OPTION_NAMES = (
    frozenset(_GLOBAL_FLAGS)
    | frozenset(_RECOVERY_FLAGS)
    | frozenset(_ENSURE_SWITCHES)
    | {"binary", "env"}
)


def _switched(value: Any) -> bool:
    """A switch's value: a bool, or text from `-x` (``1``, ``true``, ``yes``)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def command_line(
    command: Sequence[str],
    database_url: str | None,
    options: Mapping[str, Any],
) -> tuple[list[str], dict[str, str]]:
    """The argument list and environment of one run.

    The database URL goes through the child's ``DATABASE_URL``, never the
    argument list, where other users of the machine could read its password.
    """
    unknown = set(options) - OPTION_NAMES
    if unknown:
        raise TypeError(
            f"unknown option(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(OPTION_NAMES))}"
        )
    binary = find_binary(options.get("binary"))
    argv = [str(binary), *command, "--format", "json", "--no-color"]
    writes = command[0] in ("recover", "ensure")
    for key, value in options.items():
        if value is None or key in ("binary", "env"):
            continue
        if key in _ENSURE_SWITCHES:
            if command[0] == "ensure" and _switched(value):
                argv.append(_ENSURE_SWITCHES[key])
            continue
        flag = _GLOBAL_FLAGS.get(key) or (_RECOVERY_FLAGS.get(key) if writes else None)
        if flag is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            value = ",".join(str(item) for item in value)
        argv += [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]
    env = dict(os.environ)
    env.update(options.get("env") or {})
    env["NO_COLOR"] = "1"
    if database_url is not None:
        env["DATABASE_URL"] = str(database_url)
    return argv, env


def run_sync(
    command: Sequence[str],
    database_url: str | None = None,
    *,
    problems_ok: bool = False,
    refusal: type[ProblemsFound] = ProblemsFound,
    **options: Any,
) -> dict[str, Any]:
    """Run one ``migration-doctor`` command and return its JSON report.

    ``command`` is the command and its own arguments (``["diagnose"]``);
    ``options`` are the keyword options the package documents. Exit code 1
    (problems found) is returned as a report when ``problems_ok`` (a
    diagnosis that found problems is an answer), else raised as
    ``refusal``; exit codes 2 to 5 raise their exception, which carries the
    tool's error.
    """
    argv, env = command_line(command, database_url, options)
    return interpret(*_child(argv, env), problems_ok, refusal)


async def run(
    command: Sequence[str],
    database_url: str | None = None,
    *,
    problems_ok: bool = False,
    refusal: type[ProblemsFound] = ProblemsFound,
    **options: Any,
) -> dict[str, Any]:
    """Run one ``migration-doctor`` command without blocking the event loop.

    The same as :func:`run_sync`, awaited. Cancelling the awaiting task
    kills the command: a recovery waiting for the migration lock stops
    waiting, rather than going on without anyone to report to.
    """
    argv, env = command_line(command, database_url, options)
    try:
        answer = await _awaited_child(argv, env)
    except NotImplementedError:
        # An event loop without child processes (a selector loop on
        # Windows): in a thread, which a cancellation cannot stop.
        answer = await asyncio.to_thread(_child, argv, env)
    return interpret(*answer, problems_ok, refusal)


def _child(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run the executable; its exit code, standard output and standard error."""
    done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    return done.returncode, _text(done.stdout), _text(done.stderr)


async def _awaited_child(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """:func:`_child` as a child of the event loop, killed when the caller stops waiting."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await process.communicate()
    except BaseException:
        # Cancelled (or interrupted): a child left running would go on
        # waiting for the lock, and write after its caller gave up.
        await _kill(process)
        raise
    # After communicate() the child has exited: its code is known.
    exit_code = process.returncode if process.returncode is not None else -1
    return exit_code, _text(stdout), _text(stderr)


async def _kill(process: asyncio.subprocess.Process) -> None:
    """Kill a child and wait for it, so that no process is left behind."""
    with contextlib.suppress(ProcessLookupError):  # it has just exited
        process.kill()
    # Shielded: a second cancellation must not leave the child unreaped.
    await asyncio.shield(process.wait())


def _text(output: bytes) -> str:
    """Decode the tool's output: UTF-8 whatever the locale, with Unix line ends."""
    return output.decode("utf-8", errors="replace").replace("\r\n", "\n")


def interpret(
    exit_code: int,
    stdout: str,
    stderr: str,
    problems_ok: bool,
    refusal: type[ProblemsFound],
) -> dict[str, Any]:
    """Turn one run's exit code and output into its report, or its exception.

    Shared by :func:`run_sync` and :func:`run`, so that both answer alike.
    """
    try:
        document = json.loads(stdout) if stdout.strip() else None
    except json.JSONDecodeError:
        document = None
    if isinstance(document, dict) and isinstance(document.get("error"), dict):
        error = document["error"]
        code = int(error.get("exit_code", exit_code) or exit_code)
        kind = BY_EXIT_CODE.get(code, MigrationDoctorError)
        raise kind(
            str(error.get("message", "")),
            code=str(error.get("code", "")),
            exit_code=code,
            stderr=stderr,
        )
    if not isinstance(document, dict):
        raise BY_EXIT_CODE.get(exit_code, MigrationDoctorError)(
            stderr.strip() or f"migration-doctor exited with {exit_code} and printed no report",
            code="no_report",
            exit_code=exit_code,
            stderr=stderr,
        )
    if exit_code == 0 or (exit_code == 1 and problems_ok):
        return document
    if exit_code == 1:
        raise refusal(
            summary(document), code="refused", exit_code=1, output=document, stderr=stderr
        )
    raise BY_EXIT_CODE.get(exit_code, MigrationDoctorError)(
        summary(document), code="failed", exit_code=exit_code, output=document, stderr=stderr
    )


def summary(report: Mapping[str, Any]) -> str:
    """One paragraph from a report: its state and its error findings."""
    diagnosis = report.get("diagnosis", report)
    state = diagnosis.get("state", "unknown")
    evidence = diagnosis.get("evidence")
    reasons = [
        str(finding.get("message"))
        for finding in diagnosis.get("findings", [])
        if finding.get("severity") in ("error", "warning")
    ]
    if report.get("refused"):
        reasons.insert(0, str(report["refused"]))
    head = f"{state} (evidence: {evidence})" if evidence else str(state)
    return head + (": " + "; ".join(reasons) if reasons else "")


__all__ = ["RecoveryRefused", "command_line", "interpret", "run", "run_sync", "summary"]
