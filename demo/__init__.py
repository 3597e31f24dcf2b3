"""The deterministic demo data set: a site, two competitors, and every input linkokr reads."""

from demo.generate import DemoManifest, generate_demo

__all__ = ["DemoManifest", "generate_demo"]
