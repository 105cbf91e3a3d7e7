"""Which executable the package runs: never another one found on PATH."""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

import pytest

import migration_doctor
from migration_doctor import _binary


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_installed_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No override, nothing where the wheel installs, and an impostor on PATH."""
    monkeypatch.delenv("MIGRATION_DOCTOR_BINARY", raising=False)
    scripts = tmp_path / "scripts"
    monkeypatch.setattr(_binary, "_installed_places", lambda: [str(scripts / _binary.NAME)])
    impostor = executable(tmp_path / "elsewhere" / _binary.NAME)
    monkeypatch.setenv("PATH", f"{impostor.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return scripts


def test_no_executable_is_a_clear_error_not_another_on_path(
    no_installed_executable: Path,
) -> None:
    with pytest.raises(FileNotFoundError) as raised:
        migration_doctor.find_binary()
    message = str(raised.value)
    assert "elsewhere" not in message
    assert str(no_installed_executable / _binary.NAME) in message
    assert "pip install --force-reinstall migration-doctor" in message
    assert "MIGRATION_DOCTOR_BINARY" in message
    # The entry points say the same before running anything.
    with pytest.raises(FileNotFoundError, match="MIGRATION_DOCTOR_BINARY"):
        migration_doctor.diagnose_sync("sqlite://")


def test_the_option_then_the_environment_then_the_installed_executable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    installed = executable(tmp_path / "scripts" / _binary.NAME)
    monkeypatch.setattr(_binary, "_installed_places", lambda: [str(installed)])
    monkeypatch.delenv("MIGRATION_DOCTOR_BINARY", raising=False)
    assert migration_doctor.find_binary() == str(installed)
    monkeypatch.setenv("MIGRATION_DOCTOR_BINARY", str(tmp_path / "from-environment"))
    assert migration_doctor.find_binary() == str(tmp_path / "from-environment")
    assert migration_doctor.find_binary(tmp_path / "given") == str(tmp_path / "given")


def test_the_installed_wheel_finds_its_own_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        metadata.distribution("migration-doctor")
    except metadata.PackageNotFoundError:
        pytest.skip("the package is not installed (running from the source tree)")
    monkeypatch.delenv("MIGRATION_DOCTOR_BINARY", raising=False)
    found = Path(migration_doctor.find_binary())
    assert found.is_file() and found.name == _binary.NAME
    # Where the wheel's file list says it put it, beside this Python.
    assert str(found) in [os.path.normpath(path) for path in _binary._recorded()]
