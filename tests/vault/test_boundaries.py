"""The domain core knows nothing of its callers: no module of ``vault`` imports the web or queue."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import importlib, pkgutil, sys
import vault
for module in pkgutil.walk_packages(vault.__path__, "vault."):
    importlib.import_module(module.name)
leaked = sorted(
    {name.split(".")[0] for name in sys.modules} & {"fastapi", "starlette", "celery", "api"}
)
print(",".join(leaked))
"""


def test_vault_imports_neither_fastapi_nor_celery() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""
