"""Resource limits (setrlimit) for a sandboxed process.

Hard limits are set once, before any learner code runs: an unprivileged process can lower a
hard limit but never raise it again, so `resource.setrlimit` games inside the sandbox get nowhere.
"""

from __future__ import annotations

import math
import os
import resource
from collections.abc import Iterable
from dataclasses import dataclass

MIB = 1024 * 1024
# Room kept back above the learner's memory limit, so a run that hit it can still report.
MEMORY_MARGIN = 64 * MIB


@dataclass(frozen=True)
class ResourceLimits:
    """What one run may use. `memory_mib` is on top of the already loaded runtime."""

    cpu_seconds: float
    memory_mib: int
    processes: int
    file_mib: int
    open_files: int


def current_address_space() -> int:
    """Bytes of address space this process has mapped now (VmSize)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_seconds_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds_of(pids: Iterable[int | str]) -> float:
    """The processor time of these processes, each with the children it has reaped, as the
    kernel counts it (/proc/PID/stat); a process that has gone counts 0."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            # utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 after the command.
            ticks += sum(int(value) for value in fields[11:15])
        except (OSError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def apply(
    limits: ResourceLimits, *, baseline_bytes: int, cpu_used: float, margin_bytes: int
) -> None:
    """Set every limit; CPU time counts from `cpu_used` (what warming up already spent).

    The address-space hard limit sits `margin_bytes` above the soft one: room the sandbox takes
    back (see `release_margin`) to write its report after the learner's code ran out of memory.
    """
    cpu_soft = math.ceil(cpu_used + limits.cpu_seconds)
    memory = baseline_bytes + limits.memory_mib * MIB
    settings = (
        (resource.RLIMIT_CPU, cpu_soft, cpu_soft + 1),
        (resource.RLIMIT_AS, memory, memory + margin_bytes),
        (resource.RLIMIT_NPROC, limits.processes, None),
        (resource.RLIMIT_FSIZE, limits.file_mib * MIB, None),
        (resource.RLIMIT_NOFILE, limits.open_files, None),
        (resource.RLIMIT_CORE, 0, None),
    )
    for which, soft, hard in settings:
        resource.setrlimit(which, (soft, soft if hard is None else hard))


def lower_memory(by_bytes: int) -> None:
    """Tighten the address-space limit (soft and hard) for one run."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if by_bytes > 0 and soft != resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_AS, (soft - by_bytes, hard - by_bytes))


def lower_cpu(seconds: float) -> None:
    """Tighten the CPU limit so that at most `seconds` more may be used."""
    soft, _ = resource.getrlimit(resource.RLIMIT_CPU)
    wanted = math.ceil(cpu_seconds_used() + seconds)
    if soft == resource.RLIM_INFINITY or wanted < soft:
        resource.setrlimit(resource.RLIMIT_CPU, (wanted, wanted + 1))


def release_margin() -> None:
    """Let the sandbox itself use the memory margin kept above the learner's limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
