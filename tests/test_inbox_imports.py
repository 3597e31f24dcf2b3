"""The inbox and the source packages import in any order: a source package's formats import
`ingest.inbox.files` and `ingest.inbox.fileformat` without loading the whole inbox, which lists
them (`ingest.inbox.formats`), so no module meets a half-imported one. Every name `ingest.inbox`
re-exports resolves."""

import pkgutil
import subprocess
import sys

import pytest

import ingest.inbox
import ingest.sources

pytestmark = pytest.mark.unit

IMPORT_EACH_FIRST = """
import importlib, sys
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "ingest" or m.startswith("ingest.")]:
        del sys.modules[loaded]
    importlib.import_module(name)
"""


def modules() -> list[str]:
    found = []
    for package in (ingest.inbox, ingest.sources):
        prefix = package.__name__ + "."
        found += [m.name for m in pkgutil.walk_packages(package.__path__, prefix)]
    return found


def test_each_inbox_and_source_module_imports_as_the_first_one():
    names = modules()
    assert {"ingest.inbox.load", "ingest.sources.gsc.export", "ingest.sources.semrush.formats"} <= (
        set(names)
    )
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_FIRST, *names], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_every_name_ingest_inbox_exports_resolves():
    for name in ingest.inbox.__all__:
        assert getattr(ingest.inbox, name) is not None, name
