"""Inbox files as people leave them: still downloading, unreadable, deleted mid-run, oddly named,
filed in date-named folders, loaded by mistake and forgotten (docs/sources.md, section 6)."""

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ingest.inbox import forget, load_file, scan_inbox, settle, shown
from tests.test_inbox import ahrefs_row, write_ahrefs_utf16

pytestmark = pytest.mark.unit
SITE = "https://acme.com/tents/"


def export(path: Path, links: int = 3, *, age: float = 60) -> Path:
    """An Ahrefs export of `links` links, last modified `age` seconds ago."""
    write_ahrefs_utf16(path, [ahrefs_row(f"https://s{i}.example.org/", SITE) for i in range(links)])
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def ledger(con) -> list[tuple]:
    return con.execute(
        "select file_name, status, rows_loaded, error from ops.ingested_files order by loaded_at"
    ).fetchall()


def test_a_file_still_being_written_waits_and_loads_once_complete(tmp_path, con):
    inbox = tmp_path / "inbox"
    done = export(inbox / "backlinks" / "acme.com-done_2026-05-01.csv")
    growing = inbox / "backlinks" / "acme.com-downloading_2026-05-02.csv"
    export(growing, 1, age=0)
    stop = threading.Event()

    def keep_appending():
        # a download arriving in pieces: the file grows every 0.2 s
        while not stop.is_set():
            with growing.open("ab") as handle:
                handle.write(
                    "\r\n".join(["\t".join(ahrefs_row("https://x.example/", SITE))]).encode(
                        "utf-16-le"
                    )
                    + "\r\n".encode("utf-16-le")
                )
            time.sleep(0.2)

    writer = threading.Thread(target=keep_appending)
    writer.start()
    try:
        found = settle(scan_inbox(inbox), settle_seconds=1.0)
    finally:
        stop.set()
        writer.join()
    assert [p.name for _, p in found.ready] == [done.name]
    assert [p.name for _, p in found.changing] == [growing.name]
    # once it has stopped changing for the interval, it is ready: loaded once, complete
    time.sleep(1.1)
    later = settle(scan_inbox(inbox), settle_seconds=1.0)
    assert sorted(p.name for _, p in later.ready) == sorted([done.name, growing.name])
    results = [load_file(con, path, kind) for kind, path in later.ready]
    loaded = {r.path.name: r.rows_loaded for r in results if r.status == "loaded"}
    lines = growing.read_bytes().decode("utf-16").strip().count("\n")  # data lines
    assert loaded == {done.name: 3, growing.name: lines}
    assert con.execute("select count(*) from ops.ingested_files").fetchone()[0] == 2


def test_settling_costs_nothing_for_files_that_stopped_changing(tmp_path):
    export(tmp_path / "inbox" / "backlinks" / "acme.com_2026-05-01.csv")
    waited = []
    found = settle(scan_inbox(tmp_path / "inbox"), 3.0, sleep=waited.append)
    assert len(found.ready) == 1 and waited == []


def test_partial_downloads_lock_files_and_rejected_folders_are_not_files_to_load(tmp_path):
    folder = tmp_path / "inbox" / "backlinks"
    for name in (
        "export.csv.crdownload",
        "export.csv.part",
        "~$export.csv",
        ".~lock.export.csv#",
        "_rejected/old.csv",
        "2026-11-15/export.csv",
    ):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")
    assert [p.relative_to(folder).as_posix() for _, p in scan_inbox(tmp_path / "inbox")] == [
        "2026-11-15/export.csv"
    ]


def test_a_date_named_folder_dates_the_snapshot_else_the_modification_time(tmp_path, con):
    kind_dir = tmp_path / "inbox" / "backlinks"
    in_folder = export(kind_dir / "2026-11-15" / "acme.com-backlinks.csv")
    undated = export(kind_dir / "acme.com-backlinks-other.csv", 2)
    dated = load_file(con, in_folder, "backlinks", kind_dir=kind_dir)
    assert (str(dated.snapshot_date), dated.snapshot_date_source) == ("2026-11-15", "folder_name")
    by_mtime = load_file(con, undated, "backlinks", kind_dir=kind_dir)
    assert by_mtime.snapshot_date_source == "modified_time"
    assert con.execute(
        "select file_name, snapshot_date_source from ops.ingested_files order by file_name"
    ).fetchall() == [
        ("acme.com-backlinks-other.csv", "modified_time"),
        ("acme.com-backlinks.csv", "folder_name"),
    ]


def test_a_file_deleted_before_or_after_it_loaded_never_fails_the_load(tmp_path, con):
    path = export(tmp_path / "backlinks" / "acme.com_2026-05-01.csv")
    assert load_file(con, path, "backlinks").status == "loaded"
    path.unlink()  # an already-loaded file deleted while a run goes
    assert load_file(con, path, "backlinks").status == "vanished"
    gone = tmp_path / "backlinks" / "acme.com_2026-05-02.csv"
    assert load_file(con, gone, "backlinks").status == "vanished"
    assert [row[1] for row in ledger(con)] == ["loaded"]


UNREADABLE = """
import json, sys, duckdb
from pathlib import Path
from ingest.inbox import ensure_raw_tables, load_file
con = duckdb.connect(sys.argv[1])
ensure_raw_tables(con)
results = [load_file(con, Path(sys.argv[2]), "backlinks") for _ in range(2)]
rows = con.execute("select status, error from ops.ingested_files").fetchall()
print(json.dumps({"statuses": [r.status for r in results], "ledger": rows}))
"""


def test_an_unreadable_file_is_recorded_once_and_never_fails_the_load(tmp_path):
    path = export(tmp_path / "backlinks" / "acme.com_2026-05-01.csv")
    path.chmod(0)
    command = [sys.executable, "-c", UNREADABLE, str(tmp_path / "w.duckdb"), str(path)]
    if os.geteuid() == 0:
        # root reads any file: drop the capabilities that let it, as an ordinary user lacks them
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: a chmod 000 file stays readable")
        caps = "-dac_override,-dac_read_search"
        command = [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", *command]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1]
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["statuses"] == ["unreadable", "unreadable"]
    assert len(found["ledger"]) == 1  # recorded once, tried again on every run
    status, error = found["ledger"][0]
    assert status == "unreadable" and "Permission denied" in error


def test_a_refused_file_with_a_250_character_name_keeps_its_reason(tmp_path, con):
    kind_dir = tmp_path / "inbox" / "backlinks"
    name = "acme.com-" + "x" * 237 + ".csv"
    assert len(name) == 250
    path = kind_dir / name
    path.parent.mkdir(parents=True)
    path.write_text("not,a,known\nheader,at,all\n")
    result = load_file(con, path, "backlinks", kind_dir=kind_dir)
    assert result.status == "rejected"
    rejected = kind_dir / "_rejected"
    assert (rejected / name).exists() and not path.exists()
    [error_file] = rejected.glob("*.error.txt")
    assert len(error_file.name.encode()) <= 255
    assert name in error_file.read_text() and "unknown header" in error_file.read_text()
    assert ledger(con)[0][:2] == (name, "rejected")
    assert scan_inbox(tmp_path / "inbox") == []


def test_a_newline_in_a_file_name_cannot_forge_a_log_line(tmp_path, con, caplog):
    name = "acme.com-backlinks\nERROR linkokr: forged_2026-05-01.csv"
    path = export(tmp_path / "backlinks" / name)
    with caplog.at_level(logging.INFO, logger="ingest.inbox"):
        assert load_file(con, path, "backlinks").status == "loaded"
    assert caplog.messages and all("\n" not in m.split(":", 1)[0] for m in caplog.messages)
    assert any("\\nERROR linkokr: forged" in m for m in caplog.messages)
    assert shown("a\nb\x1bc") == "a\\nb\\x1bc"


def test_forget_takes_a_files_rows_out_and_the_same_bytes_load_again(tmp_path, con):
    kind_dir = tmp_path / "inbox" / "backlinks"
    wrong = export(kind_dir / "acme.com-wrong_2026-05-01.csv", 4)
    right = export(kind_dir / "acme.com-right_2026-05-02.csv", 2)
    for path in (wrong, right):
        load_file(con, path, "backlinks", kind_dir=kind_dir)

    def raw_files():
        return con.execute(
            "select _file, count(*) from raw.backlinks_ahrefs group by _file order by _file"
        ).fetchall()

    assert raw_files() == [(right.name, 2), (wrong.name, 4)]
    gone = forget(con, str(wrong))
    assert (gone.file_name, gone.rows) == (wrong.name, 4)
    assert raw_files() == [(right.name, 2)]
    assert con.execute(
        "select status from ops.ingested_files where file_name = ?", [wrong.name]
    ).fetchall() == [("forgotten",)]
    assert con.execute("select count(*) from ops.full_refresh_requests").fetchone()[0] == 1
    # left in the inbox, it is not read again; dropped again (a new copy), it loads again
    assert load_file(con, wrong, "backlinks", kind_dir=kind_dir).status == "skipped"
    again = shutil.copy(wrong, kind_dir / "acme.com-wrong-again_2026-05-01.csv")
    assert load_file(con, Path(again), "backlinks", kind_dir=kind_dir).status == "loaded"
    # by SHA-256 too; and nothing loaded matches a name twice
    sha = con.execute(
        "select file_sha256 from ops.ingested_files where file_name = ?", [right.name]
    ).fetchone()[0]
    assert forget(con, sha[:12]).file_name == right.name
    with pytest.raises(ValueError, match="no loaded file matches"):
        forget(con, right.name)


def test_a_windows_1252_file_whose_first_accent_comes_late_loads_every_row(tmp_path, con):
    # ASCII for the first few kB, as an Excel "CSV" re-save of a long export often is
    header = "Page ascore,Source url,Target url,Anchor,First seen,Last seen\r\n"
    rows = [
        f"10,https://s{i}.example.org/,https://acme.com/,tents,2026-03-01,2026-04-30"
        for i in range(200)
    ]
    rows.append(
        "12,https://late.example.org/,https://acme.com/,tentes légères,2026-03-01,2026-04-30"
    )
    path = tmp_path / "backlinks" / "acme.com-backlinks_2026-05-01.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes((header + "\r\n".join(rows) + "\r\n").encode("cp1252"))
    result = load_file(con, path, "backlinks")
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 201, 0)
    assert con.execute(
        "select anchor from raw.backlinks_semrush where source_url like '%late%'"
    ).fetchall() == [("tentes légères",)]
