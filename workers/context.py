"""The vault a worker process uses: opened once per process, after the fork, never shared."""

from __future__ import annotations

import os

from vault.config import get_settings
from vault.runtime import Vault, open_vault

_vaults: dict[int, Vault] = {}


def current_vault() -> Vault:
    pid = os.getpid()
    vault = _vaults.get(pid)
    if vault is None:
        vault = open_vault(get_settings(), upgrade_schema=False)
        _vaults[pid] = vault
    return vault


def install(vault: Vault) -> None:
    """Use an already-open vault in this process (the embedded worker inside ``vault serve``)."""
    _vaults[os.getpid()] = vault
