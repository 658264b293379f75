"""pytest fixtures over :mod:`pytest_monolith_parity.services.zookeeper`.

Use with ``pytest_plugins = ["pytest_monolith_parity.services.fixtures"]``.
A missing ZooKeeper package skips the test with the install command.
"""

from __future__ import annotations

import pytest

from . import zookeeper as zk


@pytest.fixture(scope="session")
def zookeeper_server():
    try:
        return zk.shared_server()
    except zk.ZooKeeperUnavailable as e:
        pytest.skip(str(e))


@pytest.fixture
def zk_chroot(zookeeper_server, request):
    """A fresh empty chroot on the shared server: ``(hosts, chroot)``."""
    return zookeeper_server.hosts, zk.fresh_chroot(request.node.name[:40])
