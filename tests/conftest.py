"""Every test gets its own user data dir: scans record their runs in the history store, and
no test may write to (or read from) the developer's real one."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_user_data_dir(tmp_path_factory, monkeypatch):
    data_home = tmp_path_factory.mktemp("xdg-data")
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    return data_home
