"""Download the pinned wheels of fixtures/real-world.txt and unpack their
migration folders under DEST (idempotent: what is there is kept).

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


def main():
    manifest, dest = sys.argv[1], sys.argv[2]
    wheels = os.path.join(dest, "wheels")
    os.makedirs(wheels, exist_ok=True)
    for requirement in requirements(manifest):
        name = requirement.replace("==", "-")
        target = os.path.join(dest, name)
        if not os.path.isdir(target):
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                 "--only-binary=:all:", "--dest", wheels, requirement],
                check=True,
            )
            dist, version = requirement.split("==")
            prefix = dist.replace("-", "_").lower() + "-" + version + "-"
            wheel = next(w for w in os.listdir(wheels) if w.lower().startswith(prefix))
            partial = "%s.partial-%d" % (target, os.getpid())
            with zipfile.ZipFile(os.path.join(wheels, wheel)) as archive:
                for member in archive.namelist():
                    lowered = member.lower()
                    if ("migrat" in lowered or "alembic" in lowered) and (
                        member.endswith(".py") or member.endswith(".ini")
                    ):
                        archive.extract(member, partial)
            try:
                os.rename(partial, target)
            except OSError:
                # Another process unpacked it first: keep theirs.
                shutil.rmtree(partial, ignore_errors=True)
        print(requirement, target)


if __name__ == "__main__":
    main()
