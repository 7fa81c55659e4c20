"""The domain layer runs where neither Qt nor SQLAlchemy is installed (issue 13).

A bare venv (no pip, no site packages) imports every module of careapp.domain with only the source
tree on its path: an import of PySide6, SQLAlchemy or any other installed package from the domain
fails here, not only in the import-linter contract.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_MODULES = sorted(
    f"careapp.domain.{p.stem}" for p in (ROOT / "careapp" / "domain").glob("*.py") if p.stem != "__init__"
)


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("bare") / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(where)
    return where / "bin" / "python"


def run_bare(python: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )


def test_the_bare_venv_really_has_neither_qt_nor_sqlalchemy(bare_python: Path) -> None:
    for package in ("PySide6", "sqlalchemy"):
        result = run_bare(bare_python, f"import {package}")
        assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr


def test_careapp_domain_touches_imports_without_qt_and_sqlalchemy(bare_python: Path) -> None:
    result = run_bare(bare_python, "import careapp.domain.touches")
    assert result.returncode == 0, result.stderr


BLOCKER = """
import importlib.abc, sys
class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "sqlalchemy", "alembic"):
            raise ModuleNotFoundError(f"blocked for this test: {name}")
        return None
sys.meta_path.insert(0, Blocked())
"""


def test_every_domain_module_imports_with_qt_and_sqlalchemy_blocked() -> None:
    """Some domain modules use small pure-Python libraries (icalendar, phonenumbers), so this one runs
    in the project's venv with Qt and SQLAlchemy made unimportable."""
    assert "careapp.domain.touches" in DOMAIN_MODULES
    code = (
        BLOCKER + "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in DOMAIN_MODULES)
    )
    code += "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy')))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_blocker_blocks() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER + "import sqlalchemy"], capture_output=True, text=True
    )
    assert result.returncode != 0 and "blocked for this test: sqlalchemy" in result.stderr
