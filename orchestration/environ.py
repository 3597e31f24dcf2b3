"""Environment variables set for a while, then put back as they were."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def environ_set(values: Mapping[str, str]) -> Iterator[None]:
    """`values` in `os.environ` inside the block; afterwards each variable is as before (unset
    again when it was unset)."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
