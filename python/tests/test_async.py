"""The async functions run the executable as a child of the event loop: cancelling kills it."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

import pytest

import migration_doctor

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in")
linux_only = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def our_children(word: bytes) -> list[int]:
    """Our child processes whose command line holds ``word`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:  # it ended meanwhile
            continue
        # After the command name in parentheses: the state, then the parent.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and word in command:
            found.append(int(entry))
    return found


async def eventually(check, what: str, seconds: float = 20):
    """The first true answer of ``check()``, polled."""
    for _ in range(int(seconds / 0.05)):
        answer = check()
        if answer:
            return answer
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


async def cancel(task: asyncio.Task, pid: int) -> None:
    """Cancel ``task``; its child ``pid`` must be gone when it returns.

    Checked inside the event loop: ``asyncio.run`` itself waits for worker
    threads, so a child left to a thread would be gone after it too, late.
    """
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not alive(pid)


@posix_only
def test_cancelling_kills_the_child(tmp_path: Path) -> None:
    # An executable that says who it is, then never answers.
    pid_file = tmp_path / "pid"
    script = tmp_path / "migration-doctor"
    script.write_text(
        '#!/bin/sh\necho $$ > "$PID_FILE.new" && mv "$PID_FILE.new" "$PID_FILE"\nexec sleep 30\n'
    )
    script.chmod(0o755)

    async def scenario() -> None:
        task = asyncio.create_task(
            migration_doctor.diagnose(binary=script, env={"PID_FILE": str(pid_file)})
        )
        pid = int(await eventually(lambda: pid_file.exists() and pid_file.read_text(), "started"))
        assert alive(pid) and not task.done()
        await cancel(task, pid)

    asyncio.run(scenario())


@linux_only
@pytest.mark.parametrize("project", ["sqlite"], indirect=True)
def test_a_cancelled_ensure_stops_waiting_for_the_lock(project) -> None:
    project.alembic("upgrade", "head")
    project.execute("DROP TABLE alembic_version")
    # Another connection holds SQLite's write lock, the migration lock there.
    holder = sqlite3.connect(project.url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")

    async def scenario() -> None:
        task = asyncio.create_task(
            migration_doctor.ensure_migration_state_healthy(
                project.url, config=project.ini, lock_timeout=30
            )
        )
        (pid,) = await eventually(lambda: our_children(b"migration-doctor"), "started")
        await asyncio.sleep(2)  # long enough to be waiting for the lock
        assert alive(pid) and not task.done()
        await cancel(task, pid)
        assert our_children(b"migration-doctor") == []

    try:
        asyncio.run(scenario())
    finally:
        holder.rollback()
        holder.close()
    # It wrote nothing: the version table is still missing.
    assert project.alembic("current").stdout.strip() == ""
    diagnosis = migration_doctor.diagnose_sync(project.url, config=project.ini)
    assert diagnosis["state"] == "untracked_schema"


@pytest.mark.parametrize("project", ["sqlite"], indirect=True)
def test_async_and_sync_answer_alike(project) -> None:
    project.alembic("upgrade", "head")
    sync = migration_doctor.state_info_sync(project.url, config=project.ini)
    awaited = asyncio.run(migration_doctor.state_info(project.url, config=project.ini))
    assert awaited == sync
    with pytest.raises(migration_doctor.ConfigurationError) as raised:
        asyncio.run(migration_doctor.diagnose(project.url, config=project.folder / "missing.ini"))
    assert raised.value.exit_code == 2 and raised.value.code


@pytest.mark.parametrize("project", ["sqlite"], indirect=True)
def test_a_loop_without_child_processes_runs_the_executable_in_a_thread(
    project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a selector event loop on Windows answers.
    async def unsupported(*args: object, **kwargs: object) -> None:
        raise NotImplementedError

    monkeypatch.setattr(asyncio, "create_subprocess_exec", unsupported)
    project.alembic("upgrade", "head")
    diagnosis = asyncio.run(migration_doctor.diagnose(project.url, config=project.ini))
    assert diagnosis["state"] == "healthy"
