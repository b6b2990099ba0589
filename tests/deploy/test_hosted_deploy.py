"""The hosted stack's deployment files (deploy/): a Dockerfile hadolint has nothing to say
about, a compose.yaml valid against the Compose Specification and Kubernetes manifests valid for
a concrete Kubernetes version, plus what no schema checks: every dependency exists, every
service says whether it is healthy, no secret is written inline, and only the runner holds the
privileges the sandbox needs."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
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


# Commands the accounts work brings; until they are on this branch the guide's lines using
# them cannot be checked, and the check says so.
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
    assert missing == []


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


# Kubernetes ----------------------------------------------------------------------------------

K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.34.0"
PLATFORM_IMAGE = "deepdive:0.1.0"
WORKLOADS = ("Deployment", "StatefulSet", "Job")


def _manifests() -> list[dict]:
    files = [*sorted(K8S.glob("*.yaml")), *sorted(K8S.glob("*/*.yaml"))]
    return [doc for path in files for doc in yaml.safe_load_all(path.read_text()) if doc]


def _by_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in _manifests() if doc["kind"] == kind}


def _pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def _containers(kinds: tuple[str, ...] = WORKLOADS) -> list[tuple[str, dict]]:
    found = []
    for doc in _manifests():
        if doc["kind"] in kinds:
            spec = _pod_spec(doc)
            for container in [*spec.get("initContainers", []), *spec["containers"]]:
                found.append((f"{doc['metadata']['name']}/{container['name']}", container))
    return found


def _env_names(container: dict) -> list[str]:
    """Every variable the container gets, in the order Kubernetes defines them."""
    configmaps = _by_kind("ConfigMap")
    names = []
    for source in container.get("envFrom", []):
        names += list(configmaps[source["configMapRef"]["name"]]["data"])
    return names + [item["name"] for item in container.get("env", [])]


def test_every_manifest_is_valid_for_a_concrete_kubernetes_version_in_strict_mode():
    import kubernetes_validate

    documents = _manifests()
    assert {doc["kind"] for doc in documents} >= {
        "Namespace",
        "ConfigMap",
        "Secret",
        "Deployment",
        "Service",
        "StatefulSet",
        "Job",
        "Ingress",
    }
    for doc in documents:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_strict_validation_really_refuses_a_misspelt_field():
    import kubernetes_validate

    web = _by_kind("Deployment")["deepdive-web"]
    _pod_spec(web)["containers"][0]["livenessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


def test_every_object_lives_in_the_namespace_the_manifests_create():
    (namespace,) = _by_kind("Namespace")
    for doc in _manifests():
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == namespace, doc["metadata"]["name"]


def test_selectors_match_the_pod_labels_and_every_service_reaches_a_named_port():
    pods = {}
    for doc in _manifests():
        if doc["kind"] in ("Deployment", "StatefulSet"):
            labels = doc["spec"]["template"]["metadata"]["labels"]
            assert doc["spec"]["selector"]["matchLabels"].items() <= labels.items()
            pods[doc["metadata"]["name"]] = (labels, _pod_spec(doc)["containers"])
    for name, service in _by_kind("Service").items():
        selector = service["spec"]["selector"]
        targets = [c for labels, c in pods.values() if selector.items() <= labels.items()]
        assert len(targets) == 1, f"{name} selects {len(targets)} workloads"
        ports = {port["name"] for c in targets[0] for port in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, f"{name}: no container port {port['targetPort']}"
    for stateful in _by_kind("StatefulSet").values():
        assert stateful["spec"]["serviceName"] in _by_kind("Service")
    for ingress in _by_kind("Ingress").values():
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = _by_kind("Service")[backend["name"]]
                assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_every_image_is_pinned_and_the_platform_image_is_the_same_everywhere():
    for name, container in _containers():
        image = container["image"]
        assert ":" in image, name
        assert not image.endswith(":latest"), name
        if image.startswith("deepdive"):
            assert image == PLATFORM_IMAGE, name
    assert _compose()["x-image"]["image"].endswith(f":-{PLATFORM_IMAGE}}}")


def test_every_container_has_resource_limits_and_the_long_running_ones_have_probes():
    for name, container in _containers():
        limits = container["resources"]["limits"]
        assert {"cpu", "memory"} <= set(limits), name
    for name, container in _containers(("Deployment", "StatefulSet")):
        if name.endswith("/wait-for-migration"):
            continue
        assert "livenessProbe" in container, name
    web = _pod_spec(_by_kind("Deployment")["deepdive-web"])["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = web[probe]["httpGet"]
        assert check["path"] == "/health"
        assert check["port"] == "http"
        # The host guard refuses the pod's IP address, which the kubelet would send.
        assert {"name": "Host", "value": "localhost"} in check["httpHeaders"]


def test_every_variable_a_container_uses_is_defined_before_it():
    configmaps, secrets = _by_kind("ConfigMap"), _by_kind("Secret")
    for name, container in _containers():
        defined: list[str] = []
        for source in container.get("envFrom", []):
            defined += list(configmaps[source["configMapRef"]["name"]]["data"])
        for item in container.get("env", []):
            for used in re.findall(r"\$\((\w+)\)", item.get("value", "")):
                assert used in defined, f"{name}: {item['name']} uses {used} before it exists"
            ref = item.get("valueFrom", {})
            if "secretKeyRef" in ref:
                key = ref["secretKeyRef"]
                assert key["key"] in secrets[key["name"]]["stringData"], f"{name}: {key}"
            if "configMapKeyRef" in ref:
                key = ref["configMapKeyRef"]
                assert key["key"] in configmaps[key["name"]]["data"], f"{name}: {key}"
            defined.append(item["name"])
        for used in re.findall(r"\$\((\w+)\)", " ".join(container.get("args", []))):
            assert used in defined, f"{name}: the arguments use {used}"


def test_each_platform_container_gets_the_settings_it_needs_and_no_more():
    platform = {
        "DEEPDIVE_MODE",
        "DEEPDIVE_SECRET_KEY",
        "DEEPDIVE_DATABASE_URL",
        "DEEPDIVE_REDIS_URL",
    }
    containers = dict(_containers())
    for name in ("deepdive-web/web", "deepdive-migrate/migrate"):
        assert platform <= set(_env_names(containers[name])), name
    assert "DEEPDIVE_DATABASE_URL" in _env_names(containers["deepdive-web/wait-for-migration"])
    runner = set(_env_names(containers["deepdive-runner/runner"]))
    assert {
        "DEEPDIVE_REDIS_URL",
        "DEEPDIVE_REQUIRE_ISOLATION",
        "DEEPDIVE_SANDBOX_WORKERS",
    } <= runner
    assert not {"DEEPDIVE_SECRET_KEY", "DEEPDIVE_DATABASE_URL", "POSTGRES_PASSWORD"} & runner


def test_the_secret_example_holds_no_secret_and_is_not_applied_with_the_rest():
    (secret,) = _by_kind("Secret").values()
    assert set(secret["stringData"].values()) == {""}
    assert "data" not in secret
    applied = [doc for path in K8S.glob("*.yaml") for doc in yaml.safe_load_all(path.read_text())]
    assert all(doc["kind"] != "Secret" for doc in applied if doc)


def test_only_the_runner_holds_the_sandbox_privileges_in_kubernetes():
    for name, container in _containers():
        context = container["securityContext"]
        if name == "deepdive-runner/runner":
            assert set(context["capabilities"]["add"]) == SANDBOX_CAPABILITIES
            assert context["capabilities"]["drop"] == ["ALL"]
            assert context["runAsUser"] == 0
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}
            assert context["appArmorProfile"] == {"type": "Unconfined"}
            assert not context.get("privileged")
            assert container["command"] == ["runner-entrypoint"]
            continue
        # The "restricted" Pod Security level, container by container.
        assert "add" not in context["capabilities"], name
        assert context["capabilities"]["drop"] == ["ALL"], name
        assert context["allowPrivilegeEscalation"] is False, name
    for doc in _manifests():
        if doc["kind"] in WORKLOADS and doc["metadata"]["name"] != "deepdive-runner":
            pod = _pod_spec(doc)["securityContext"]
            assert pod["runAsNonRoot"] is True, doc["metadata"]["name"]
            assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, doc["metadata"]["name"]
        if doc["kind"] in WORKLOADS:
            assert _pod_spec(doc)["automountServiceAccountToken"] is False


def test_the_runner_can_be_scaled_and_reaches_nothing_but_redis():
    runner = _by_kind("Deployment")["deepdive-runner"]
    assert runner["spec"]["replicas"] >= 2
    labels = runner["spec"]["template"]["metadata"]["labels"]
    for service in _by_kind("Service").values():
        assert not service["spec"]["selector"].items() <= labels.items()


def test_every_deepdive_command_in_the_manifests_exists_with_its_options():
    commands = []
    for _, container in _containers():
        line = [*container.get("command", []), *container.get("args", [])]
        if "deepdive" in line:
            commands.append(line[line.index("deepdive") :])
    assert len(commands) == 4
    missing = [problem for command in commands for problem in command_problems(command)]
    assert missing == []


def test_waiting_for_the_migration_ends_once_another_process_has_migrated(postgres_url, tmp_path):
    env = {
        **os.environ,
        "DEEPDIVE_DATABASE_URL": postgres_url,
        "DEEPDIVE_DATA_DIR": str(tmp_path / "data"),
    }
    deepdive = str(Path(sys.executable).with_name("deepdive"))
    too_early = subprocess.run(
        [deepdive, "db", "wait", "--timeout", "1"], env=env, capture_output=True, text=True
    )
    assert too_early.returncode == 1
    assert "has `deepdive db upgrade` run?" in too_early.stderr
    waiting = subprocess.Popen(
        [deepdive, "db", "wait", "--timeout", "60"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        upgrade = subprocess.run(
            [deepdive, "db", "upgrade"], env=env, capture_output=True, text=True
        )
        assert upgrade.returncode == 0, upgrade.stderr
        out, _ = waiting.communicate(timeout=30)
    finally:
        waiting.kill()
    assert waiting.returncode == 0
    assert "is at revision" in out


def _guide_commands() -> list[list[str]]:
    """Every `deepdive ...` command line in the operator's guide: in code blocks and in inline
    code, up to a shell operator (not the namespace, role or database called deepdive)."""
    text = (DEPLOY / "README.md").read_text()
    pieces = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    pieces += re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    found = []
    for piece in pieces:
        for line in piece.splitlines():
            for match in re.finditer(r"(?:^|\s)(?<!-n )(deepdive [a-z][^|&>;]*)", line):
                found.append(match.group(1).split())
    return found


def test_every_deepdive_command_in_the_operators_guide_exists_with_its_options():
    commands = _guide_commands()
    assert {" ".join(command[:3]) for command in commands} >= {
        "deepdive db upgrade",
        "deepdive sandbox check",
        "deepdive runner --redis",
        "deepdive serve --hosted",
    }
    missing = [problem for command in commands for problem in command_problems(command)]
    assert missing == []


def test_the_guide_covers_what_an_operator_does():
    text = (DEPLOY / "README.md").read_text()
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    for topic in ("Start", "Scale the runners", "Back up", "Upgrade", "Rotate", "monitor"):
        assert any(topic in heading for heading in headings), topic
    assert "pg_dump" in text
    assert "--scale runner=" in text
