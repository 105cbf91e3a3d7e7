"""Download the pinned wheels of fixtures/real-world.txt and unpack their
migration files under DEST/NAME and all their Python under DEST/NAME.full
(idempotent: what is there is kept).

usage: fetch_corpus.py MANIFEST DEST
Prints one line per requirement: the folder it was unpacked into.
"""
import os
import shutil
import subprocess
import sys
import zipfile


def requirements(manifest):
    seen = []
    with open(manifest) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                requirement = line.split()[0]
                if requirement not in seen:
                    seen.append(requirement)
    return seen


def _migration_file(member):
    lowered = member.lower()
    return ("migrat" in lowered or "alembic" in lowered) and _python_file(member)


def _python_file(member):
    return member.endswith(".py") or member.endswith(".ini")


def _download(requirement, wheels):
    dist, version = requirement.split("==")
    prefix = dist.replace("-", "_").lower() + "-" + version + "-"
    found = [w for w in os.listdir(wheels) if w.lower().startswith(prefix)]
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", "--dest", wheels, requirement],
            check=True,
        )
        found = [w for w in os.listdir(wheels) if w.lower().startswith(prefix)]
    return os.path.join(wheels, found[0])


def main():
    manifest, dest = sys.argv[1], sys.argv[2]
    wheels = os.path.join(dest, "wheels")
    os.makedirs(wheels, exist_ok=True)
    for requirement in requirements(manifest):
        name = requirement.replace("==", "-")
        # Two trees: the migration files alone (alembic loads them with
        # stand-ins for the application), and the whole package's Python
        # (`NAME.full`: revisions import names, helpers and models from the
        # project's own modules, which migration-doctor reads).
        for target, wanted in (
            (os.path.join(dest, name), _migration_file),
            (os.path.join(dest, name + ".full"), _python_file),
        ):
            if not os.path.isdir(target):
                wheel = _download(requirement, wheels)
                partial = "%s.partial-%d" % (target, os.getpid())
                with zipfile.ZipFile(wheel) as archive:
                    for member in archive.namelist():
                        if wanted(member):
                            archive.extract(member, partial)
                try:
                    os.rename(partial, target)
                except OSError:
                    # Another process unpacked it first: keep theirs.
                    shutil.rmtree(partial, ignore_errors=True)
        target = os.path.join(dest, name)
        print(requirement, target)


if __name__ == "__main__":
    main()
