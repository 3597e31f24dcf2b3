"""Loopback emulators of the vendor APIs linkokr pulls from, fed from the demo data set.

`default_emulators` is the registry: each vendor emulator is added here once and the
`EmulatorServer` routes to it by path.
"""

from __future__ import annotations

from pathlib import Path

from demo.emulators.server import Emulator, EmulatorServer, Request, Response


def default_emulators(data_dir: Path) -> list[Emulator]:
    """Every emulator, each reading its own sub-folder of `data_dir` (`<home>/data/emulator`)."""
    from demo.emulators.ahrefs import AhrefsEmulator
    from demo.emulators.ga4 import Ga4Emulator
    from demo.emulators.gsc import GscEmulator
    from demo.emulators.semrush import SemrushEmulator

    return [
        Ga4Emulator(Path(data_dir) / "ga4"),
        GscEmulator(Path(data_dir) / "gsc"),
        AhrefsEmulator(Path(data_dir) / "ahrefs"),
        SemrushEmulator(Path(data_dir) / "semrush"),
    ]


__all__ = ["Emulator", "EmulatorServer", "Request", "Response", "default_emulators"]
