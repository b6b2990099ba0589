"""The hosted stack's deployment files (deploy/): a Dockerfile hadolint has nothing to say
about, a compose.yaml valid against the Compose Specification and Kubernetes manifests valid for
a concrete Kubernetes version, plus what no schema checks: every dependency exists, every
service says whether it is healthy, no secret is written inline, and only the runner holds the
privileges the sandbox needs."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from typer.testing import CliRunner

from deepdive.cli import app as cli_app
from deepdive.deployment.lint import lint_dockerfile

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SCHEMA = Draft7Validator(json.loads((Path(__file__).with_name("compose-spec.json")).read_text()))
SANDBOX_CAPABILITIES = {"SYS_ADMIN", "SETUID", "SETGID", "CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL"}
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
INTERPOLATION = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def _interpolate(text: str, env: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name, kind, default = match.groups()
        return env.get(name) or (default if kind and kind.endswith("-") else "")

    return INTERPOLATION.sub(value, text.replace("$$", "$"))


def test_the_dockerfile_has_no_hadolint_finding():
    verdict = lint_dockerfile((DEPLOY / "Dockerfile").read_text())
    assert verdict.available, "hadolint is installed with the course"
    assert verdict.findings == []


def test_the_image_installs_the_lock_with_uv_and_runs_as_an_unprivileged_user():
    text = (DEPLOY / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", text, flags=re.M)
    python_bases = [base for base in bases if base.startswith("python:")]
    assert python_bases, bases
    for base in python_bases:
        version = re.match(r"python:3\.(\d+)-slim-", base)
        assert version, base
        assert int(version.group(1)) >= 11, base
    assert all(":" in base and not base.endswith(":latest") for base in bases)
    assert "uv sync --frozen --no-dev" in text
    user = re.findall(r"^USER (\S+)", text, flags=re.M)
    assert user
    assert user[-1].split(":")[0] not in ("0", "root")
    assert re.search(r"^HEALTHCHECK .*\n.*/health", text, flags=re.M)


def test_everything_the_image_copies_is_in_the_build_context():
    text = (DEPLOY / "Dockerfile").read_text()
    kept = [
        line[1:].removesuffix("/**")
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
        if line.startswith("!")
    ]
    for line in re.findall(r"^COPY (?!--from)(.+)$", text, flags=re.M):
        *sources, _ = line.split()
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source.rstrip("/") in kept, f"{source} is left out of the build context"


def test_compose_is_valid_against_the_compose_specification():
    errors = [error.message for error in SCHEMA.iter_errors(_compose())]
    assert errors == []


def test_every_dependency_exists_and_the_web_tier_waits_for_the_migration():
    services = _compose()["services"]
    for name, service in services.items():
        for target in service.get("depends_on", {}):
            assert target in services, f"{name} depends on a service that does not exist: {target}"
    web = services["web"]["depends_on"]
    assert web["migrate"] == {"condition": "service_completed_successfully"}
    assert web["postgres"]["condition"] == web["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["deepdive", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"


def test_every_long_running_service_has_a_health_check():
    services = _compose()["services"]
    one_shots = {
        target
        for service in services.values()
        for target, wait in service.get("depends_on", {}).items()
        if wait.get("condition") == "service_completed_successfully"
    }
    assert one_shots == {"migrate"}
    for name, service in services.items():
        check = service.get("healthcheck")
        if name in one_shots:
            assert check == {"disable": True}, "the image's web check cannot pass in a job"
        else:
            assert check, name
            assert check["test"][0] in ("CMD", "CMD-SHELL"), name
            assert not check.get("disable"), name


def test_no_secret_is_written_in_compose_and_every_secret_comes_from_the_env_file():
    text = (DEPLOY / "compose.yaml").read_text()
    example = _env_example()
    required = {name for name, kind, _ in INTERPOLATION.findall(text) if kind == ":?"}
    assert required == {"DEEPDIVE_SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD"}
    for name in required:
        assert example.get(name) == "", f"{name} must be listed, empty, in the example"
    for name, service in _compose()["services"].items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), name
        for key, value in environment.items():
            if SECRET_NAMES.search(key):
                assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", str(value)), f"{name}: {key} inline"
    # Credentials inside URLs and command lines are interpolated too.
    for url in re.findall(r"\w+://[^\s\"']+", text):
        if "@" in url:
            credentials = url.split("://", 1)[1].split("@", 1)[0]
            assert INTERPOLATION.fullmatch(credentials.split(":", 1)[-1]), url
    assert "deploy/.env" in (ROOT / ".gitignore").read_text().splitlines()


def test_only_the_runner_holds_the_sandbox_privileges():
    services = _compose()["services"]
    runner = services["runner"]
    assert set(runner["cap_add"]) == SANDBOX_CAPABILITIES
    assert runner["cap_drop"] == ["ALL"]
    assert runner["user"] == "0:0"
    assert runner["cgroup"] == "private"
    assert "apparmor=unconfined" in runner["security_opt"]
    assert not any(option.startswith("seccomp") for option in runner["security_opt"])
    assert not runner.get("privileged")
    assert runner["entrypoint"] == ["runner-entrypoint"]
    for name, service in services.items():
        if name == "runner":
            continue
        assert not service.get("privileged"), name
        assert not service.get("cap_add"), name
        if service.get("image", "").startswith("${DEEPDIVE_IMAGE"):
            assert service["cap_drop"] == ["ALL"], name
            assert "no-new-privileges:true" in service["security_opt"], name
            assert service["read_only"] is True, name


def test_the_runner_gets_neither_the_database_nor_the_secret_key():
    runner = _compose()["services"]["runner"]
    assert "env_file" not in runner
    assert not {"DEEPDIVE_SECRET_KEY", "DEEPDIVE_DATABASE_URL"} & set(runner["environment"])
    assert "postgres" not in runner.get("depends_on", {})
    assert "ports" not in runner


def test_the_runner_entrypoint_makes_the_cgroup_mount_writable_then_becomes_the_runner():
    script = (DEPLOY / "runner-entrypoint.sh").read_text()
    assert script.startswith("#!/bin/sh\n")
    assert "mount -o remount,rw /sys/fs/cgroup" in script
    assert script.rstrip().endswith('exec "$@"')
    assert (DEPLOY / "runner-entrypoint.sh").stat().st_mode & 0o111


def test_named_volumes_are_declared_and_the_databases_keep_their_data_in_them():
    document = _compose()
    declared = set(document["volumes"])
    used = {
        mount.split(":", 1)[0]
        for service in document["services"].values()
        for mount in service.get("volumes", [])
        if not mount.startswith((".", "/"))
    }
    assert used == declared == {"postgres-data", "redis-data"}


# Options the hosted web tier and the Redis runner bring; until they are on this branch the
# compose and Kubernetes commands using them cannot be checked, and the check says so.
NOT_YET_MERGED = {("serve", "--hosted"), ("serve", "--workers"), ("runner", "--redis")}


def _deepdive_commands(document: dict) -> list[list[str]]:
    env = _env_example()
    found = []
    for service in document["services"].values():
        command = service.get("command")
        if isinstance(command, list) and command and command[0] == "deepdive":
            found.append([_interpolate(part, env) for part in command])
    return found


def test_every_deepdive_command_in_compose_exists_with_its_options():
    commands = _deepdive_commands(_compose())
    assert {tuple(command[1:3]) for command in commands} >= {
        ("db", "upgrade"),
        ("serve", "--hosted"),
        ("runner", "--redis"),
    }
    missing = [problem for command in commands for problem in command_problems(command)]
    pending = [(path, option) for path, option in missing if (path, option) in NOT_YET_MERGED]
    assert [item for item in missing if item not in pending] == []
    if pending:
        pytest.skip(f"not on this branch yet: {pending}")


def command_problems(command: list[str]) -> list[tuple[str, str]]:
    """What `deepdive SUB ... --help` lacks of `command`: ("SUB", "") when the subcommand does
    not exist, ("SUB", "--option") for each option it does not list."""
    words = command[1:]
    first_option = next((i for i, w in enumerate(words) if w.startswith("-")), len(words))
    path, options = words[:first_option], [w for w in words if w.startswith("--")]
    shown = CliRunner().invoke(cli_app, [*path, "--help"], env={"TERMINAL_WIDTH": "200"})
    name = " ".join(path)
    if shown.exit_code != 0:
        return [(name, "")]
    return [(name, option) for option in options if option not in shown.output]


def test_the_migration_command_migrates_a_fresh_database_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    env = {"DEEPDIVE_DATABASE_URL": url, "DEEPDIVE_DATA_DIR": str(tmp_path / "data")}
    first = CliRunner().invoke(cli_app, ["db", "upgrade"], env=env)
    assert first.exit_code == 0, first.output
    assert "from revision none (empty) to" in first.output
    again = CliRunner().invoke(cli_app, ["db", "upgrade"], env=env)
    assert again.exit_code == 0
    assert "nothing to do" in again.output


def test_the_migration_command_says_why_it_cannot_reach_the_database(tmp_path):
    env = {
        "DEEPDIVE_DATABASE_URL": "postgresql+psycopg://deepdive:wrong@127.0.0.1:1/deepdive",
        "DEEPDIVE_DATA_DIR": str(tmp_path / "data"),
    }
    failed = CliRunner().invoke(cli_app, ["db", "upgrade"], env=env)
    assert failed.exit_code == 1
    assert "Cannot migrate postgresql+psycopg://deepdive:***@127.0.0.1:1/deepdive" in failed.output
    assert "wrong" not in failed.output


@pytest.mark.parametrize(
    ("line", "problems"),
    [
        ("deepdive db upgrade", []),
        ("deepdive db upgrade --nonsense", [("db upgrade", "--nonsense")]),
        ("deepdive frobnicate", [("frobnicate", "")]),
    ],
)
def test_the_command_check_really_finds_what_does_not_exist(line, problems):
    assert command_problems(shlex.split(line)) == problems
