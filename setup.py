"""The wheel carries the dbt project and the example config.

Both stay at the top of the repository (`dbt_project/`, `linkokr.yml`); the build copies them into
the `orchestration` package, where `orchestration.shipped` finds them with importlib.resources.
Everything else about the package is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# dbt writes target/ and logs/ under the linkokr home, but a checkout may still hold old ones.
NOT_SHIPPED = shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml", "__pycache__")


class BuildPyWithDbtProject(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install reads both from the checkout
        package = Path(self.build_lib) / "orchestration"
        shutil.rmtree(package / "dbt_project", ignore_errors=True)
        shutil.copytree(ROOT / "dbt_project", package / "dbt_project", ignore=NOT_SHIPPED)
        shutil.copyfile(ROOT / "linkokr.yml", package / "linkokr.yml")


setup(cmdclass={"build_py": BuildPyWithDbtProject})
