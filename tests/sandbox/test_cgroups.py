"""Each sandbox's memory and pids cgroup: where it is found, and what is said without one."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys

import pytest

from deepdive.sandbox.isolation import cgroups
from deepdive.sandbox.testing import require_full_isolation

HYBRID_MOUNTS = """\
24 30 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
25 24 0:22 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec shared:10 - cgroup2 cgroup2 rw
28 24 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec shared:13 - cgroup cgroup rw,memory
31 24 0:28 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec shared:16 - cgroup cgroup rw,pids
32 24 0:29 / /sys/fs/cgroup/cpu,cpuacct rw shared:17 - cgroup cgroup rw,cpu,cpuacct
"""
HYBRID_OWN = "8:pids:/\n4:memory:/jobs/42\n1:cpu,cpuacct:/\n0::/\n"
CONTAINER_MOUNTS = (
    "600 590 0:30 /kubepods/pod7 /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
)


def test_a_v1_and_v2_hybrid_is_read_per_controller():
    mounts = cgroups._cgroup_mounts(HYBRID_MOUNTS)
    own = cgroups._own_cgroups(HYBRID_OWN)
    assert set(mounts) == {"", "memory", "pids"}
    assert cgroups._directory(mounts["memory"], own["memory"]) == "/sys/fs/cgroup/memory/jobs/42"
    assert cgroups._directory(mounts["pids"], own["pids"]) == "/sys/fs/cgroup/pids"
    assert cgroups._directory(mounts[""], own[""]) == "/sys/fs/cgroup/unified"


def test_a_cgroup_outside_the_mounted_part_is_not_visible():
    mount = cgroups._cgroup_mounts(CONTAINER_MOUNTS)[""]
    assert cgroups._directory(mount, "/kubepods/pod7/runner") == "/sys/fs/cgroup/runner"
    assert cgroups._directory(mount, "/kubepods/pod8") is None


def test_each_sandbox_runs_in_a_cgroup_of_its_own(runner_client):
    info = asyncio.run(runner_client.ping())
    require_full_isolation(info)
    assert "cgroup" in info.isolation.active
    assert info.cgroup.startswith(("cgroup v1: memory", "cgroup v2 (memory, pids)"))


def _check_without_cgroups(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    """`deepdive sandbox check` in a mount namespace where /sys/fs/cgroup is an empty tmpfs."""
    script = (
        "mount -t tmpfs none /sys/fs/cgroup && exec "
        f"{sys.executable} -c 'from deepdive.cli import main; main()' sandbox check"
    )
    environment = {**os.environ, "DEEPDIVE_DATA_DIR": str(tmp_path / "data"), **env}
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment)


needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="hiding the cgroup file systems needs root and unshare(1)",
)


@needs_root
def test_check_says_clearly_when_no_cgroup_can_be_used(tmp_path):
    done = _check_without_cgroups(tmp_path, DEEPDIVE_REQUIRE_ISOLATION="false")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["isolation"]["full"] is False
    assert "not visible" in info["isolation"]["missing"]["cgroup"]
    assert info["cgroup"].startswith("none: ")
    assert "(missing: cgroup)" in info["isolation"]["warning"]
    assert "Isolation is INCOMPLETE" in done.stderr
    assert "  cgroup: " in done.stderr


@needs_root
def test_required_isolation_refuses_to_start_without_a_cgroup(tmp_path):
    done = _check_without_cgroups(tmp_path, DEEPDIVE_REQUIRE_ISOLATION="true")
    assert done.returncode == 1
    assert "Full isolation is required" in done.stderr
    assert "cgroup (" in done.stderr
    assert "memory and pids controllers" in done.stderr
