"""A full disk is reported as a full disk: one line naming the filesystem and its free space,
not the SQLite `disk I/O error` tracebacks Dagster's run storage adds after DuckDB's own error.

The home sits on a 12 MB tmpfs, which a run fills; mounting one needs root (CI runs as root).
"""

import os
import subprocess
import sys
import time

import pytest

from ingest import diskspace
from tests.conftest import REPO
from tests.corpus import CORPUS_DIR

pytestmark = pytest.mark.e2e


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    yield mount
    for _ in range(20):  # a dbt child may still be letting go of its files
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode == 0:
            return
        time.sleep(0.5)


def test_a_run_on_a_full_disk_says_the_disk_is_full(small_disk):
    home = small_disk / "home"
    inbox = home / "data" / "inbox" / "backlinks"
    inbox.mkdir(parents=True)
    for export in (CORPUS_DIR / "backlinks").iterdir():
        (inbox / export.name).write_bytes(export.read_bytes())
        os.utime(inbox / export.name, (time.time() - 60, time.time() - 60))
    (home / "linkokr.yml").write_text(
        "sites:\n  - domain: acme-outdoor.com\n    competitors: [rival-gear.com]\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKOKR_")}
    env.pop("DAGSTER_HOME", None)
    env["LINKOKR_HOME"] = str(home)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from orchestration.cli import main; raise SystemExit(main(['run']))",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith(f"linkokr: the disk is full ({small_disk} has "), run.stderr[-3000:]
    assert "free some space" in last


def test_a_full_disk_is_told_apart_from_other_failures(tmp_path):
    paths = [tmp_path]
    assert diskspace.diagnose(paths, [OSError(28, "No space left on device")]) is not None
    assert diskspace.diagnose(paths, ["IO Error: No space left on device"]) is not None
    # `disk I/O error` alone is not enough where there is room: other faults say it too
    assert diskspace.diagnose(paths, ["(sqlite3.OperationalError) disk I/O error"]) is None
    assert diskspace.diagnose(paths, ["Binder Error: column not found"]) is None
