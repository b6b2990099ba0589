"""What isolation a sandboxed process actually achieved, step by step."""

from __future__ import annotations

from dataclasses import dataclass, field

from deepdive.sandbox import messages
from deepdive.sandbox.run_result import IsolationReport

# Everything "full isolation" requires. `proc` (a private /proc) is a convenience, not a guard.
REQUIRED_FEATURES = (
    "user_namespace",
    "pid_namespace",
    "network_namespace",
    "mount_namespace",
    "ipc_namespace",
    "uts_namespace",
    "private_filesystem",
    "capabilities_dropped",
    "seccomp",
    "resource_limits",
    "process_limit",
    "cgroup",
    "dies_with_runner",
)


@dataclass
class IsolationState:
    """Feature name -> None when active, or a short reason why it is not."""

    features: dict[str, str | None] = field(default_factory=dict)

    def record(self, name: str, problem: str | None) -> None:
        self.features[name] = problem

    def active(self, name: str) -> bool:
        return name in self.features and self.features[name] is None

    def missing(self) -> dict[str, str]:
        missing = {name: "not attempted" for name in REQUIRED_FEATURES}
        missing.update({k: v for k, v in self.features.items() if v is not None})
        for name in self.features:
            if self.features[name] is None:
                missing.pop(name, None)
        return missing


def isolation_report(features: dict[str, str | None]) -> IsolationReport:
    """The public form of a feature map, with a warning to show when something is missing."""
    state = IsolationState(dict(features))
    missing = state.missing()
    required_missing = {k: v for k, v in missing.items() if k in REQUIRED_FEATURES}
    return IsolationReport(
        full=not required_missing,
        active=sorted(name for name, problem in features.items() if problem is None),
        missing=missing,
        warning=messages.isolation_warning(required_missing) if required_missing else None,
    )
