"""The CI/CD security properties, checked on the workflow files themselves.

Each test is one property of docs/cicd.md; breaking it in .github/ fails the test (and CI).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
SETUP_ACTION = ROOT / ".github" / "actions" / "setup" / "action.yml"
SETUP_USES = "./.github/actions/setup"

# Identity -> the repository variable holding its client id, the OIDC subject its jobs present
# (`pull_request`, no environment, or `environment:<name>`), and the one stack (state container)
# it may work on.
IDENTITIES = {
    "pr-preview": ("AZURE_CLIENT_ID_PR_PREVIEW", {None}, "dev"),
    "readonly-dev": ("AZURE_CLIENT_ID_READONLY_DEV", {"dev-readonly"}, "dev"),
    "readonly-prod": ("AZURE_CLIENT_ID_READONLY_PROD", {"prod-readonly"}, "prod"),
    "deploy-dev": ("AZURE_CLIENT_ID_DEPLOY_DEV", {"dev"}, "dev"),
    "deploy-prod": ("AZURE_CLIENT_ID_DEPLOY_PROD", {"prod"}, "prod"),
}
PASSPHRASE = "PULUMI_CONFIG_PASSPHRASE"
LOCK, INFRA_LOCK = ROOT / "requirements.lock", ROOT / "requirements-infra.lock"
POLICY_LOCK = ROOT / "policy" / "requirements.lock"
BOOT_LOCK = ROOT / "requirements-bootstrap.lock"
SDIST_ONLY = {"pulumiverse-time"}  # in the infra lock, no wheel published
MAKEFILE = ROOT / "Makefile"
AGGREGATOR = "checks-passed"  # pr.yml's one required check


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def workflows() -> dict[str, dict]:
    return {p.name: yaml.safe_load(p.read_text()) for p in sorted(WORKFLOWS.glob("*.yml"))}


def all_jobs():
    for wf_name, wf in workflows().items():
        for job_id, job in wf["jobs"].items():
            yield wf_name, job_id, job


def environment_name(job: dict) -> str | None:
    env = job.get("environment")
    return env.get("name") if isinstance(env, dict) else env


def setup_step(job: dict) -> dict | None:
    for step in job.get("steps", []):
        if step.get("uses") == SETUP_USES:
            return step
    return None


def cloud_jobs():
    """Jobs whose set-up step logs into Azure, with the set-up step's `with`."""
    for wf_name, job_id, job in all_jobs():
        step = setup_step(job)
        if step and step.get("with", {}).get("identity"):
            yield wf_name, job_id, job, step["with"]


def var_name(expression: str) -> str:
    match = re.fullmatch(r"\$\{\{\s*vars\.([A-Z0-9_]+)\s*\}\}", str(expression).strip())
    assert match, f"expected exactly one repository variable, got {expression!r}"
    return match.group(1)


def runs_pulumi(step: dict) -> bool:
    return str(step.get("uses", "")).startswith("pulumi/actions@") or bool(
        re.search(r"(^|\s)pulumi\s", str(step.get("run", "")))
    )


def pulumi_steps(job: dict, command: str | None = None):
    for step in job.get("steps", []):
        if not runs_pulumi(step):
            continue
        with_ = step.get("with", {})
        if command is None or with_.get("command") == command:
            yield step
        elif re.search(rf"\bpulumi\s+{command}\b", str(step.get("run", ""))):
            yield step


def test_every_job_uses_the_setup_action():
    for wf_name, job_id, job in all_jobs():
        if (wf_name, job_id) == ("pr.yml", AGGREGATOR):
            continue  # checks out nothing, runs no repository code
        steps = job["steps"]
        assert steps[0]["uses"].startswith("actions/checkout@"), (wf_name, job_id)
        assert steps[0].get("with", {}).get("persist-credentials") is False, (wf_name, job_id)
        assert steps[1].get("uses") == SETUP_USES, f"{wf_name}:{job_id} skips the set-up action"
        # The set-up is not repeated by hand next to the action.
        for step in steps[2:]:
            uses = str(step.get("uses", ""))
            assert not uses.startswith(("actions/setup-python@", "azure/login@")), (wf_name, job_id)
            assert "make venv" not in str(step.get("run", "")), (wf_name, job_id)


def test_each_trust_level_has_its_own_client_id():
    seen: dict[str, str] = {}
    for wf_name, job_id, _job, with_ in cloud_jobs():
        identity = with_["identity"]
        assert identity in IDENTITIES, f"{wf_name}:{job_id}: unknown identity {identity}"
        name = var_name(with_["azure-client-id"])
        assert name == IDENTITIES[identity][0], f"{wf_name}:{job_id} logs in as {name}"
        seen[identity] = name
    assert set(seen) == set(IDENTITIES), f"identities in use: {sorted(seen)}"
    assert len(set(seen.values())) == len(IDENTITIES), "two trust levels share a client id"
    text = "\n".join(p.read_text() for p in WORKFLOWS.glob("*.yml"))
    assert not re.search(r"vars\.AZURE_CLIENT_ID\b(?!_)", text), "shared AZURE_CLIENT_ID is back"


def test_each_identity_runs_only_under_its_federated_subject():
    for wf_name, job_id, job, with_ in cloud_jobs():
        allowed = IDENTITIES[with_["identity"]][1]
        assert with_["stack"] == IDENTITIES[with_["identity"]][2], (wf_name, job_id)
        assert environment_name(job) in allowed, (
            f"{wf_name}:{job_id}: {with_['identity']} in environment {environment_name(job)!r}"
        )


def test_pr_jobs_use_the_read_only_identity():
    pr = load("pr.yml")
    triggers = pr.get("on", pr.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request"}
    for job_id, job in pr["jobs"].items():
        assert environment_name(job) is None, f"pr.yml:{job_id} uses an environment"
        step = setup_step(job)
        identity = step.get("with", {}).get("identity") if step else None
        assert identity in (None, "", "pr-preview"), f"pr.yml:{job_id} logs in as {identity}"
        if identity:
            assert step["with"]["stack"] == "dev", "PR code may preview dev only"
        text = yaml.safe_dump(job)
        assert f"{PASSPHRASE}_PROD" not in text, f"pr.yml:{job_id} can read the prod passphrase"


def test_no_job_level_passphrase():
    for wf_name, wf in workflows().items():
        assert PASSPHRASE not in yaml.safe_dump(wf.get("env", {})), f"{wf_name}: workflow env"
        for job_id, job in wf["jobs"].items():
            assert PASSPHRASE not in yaml.safe_dump(job.get("env", {})), f"{wf_name}:{job_id}"
            for step in job["steps"]:
                # The value of a passphrase secret (not just `secrets.X != ''`) reaches a step
                # only as the PULUMI_CONFIG_PASSPHRASE of a step that runs Pulumi.
                dumped = yaml.safe_dump(step, width=1000)
                uses_value = any(
                    not re.match(r"\s*!=\s*''", dumped[m.end() :])
                    for m in re.finditer(rf"secrets\.{PASSPHRASE}\w*", dumped)
                )
                if uses_value:
                    assert runs_pulumi(step), f"{wf_name}:{job_id}: passphrase on a non-Pulumi step"
                    assert set(step.get("env", {})) == {PASSPHRASE}, (wf_name, job_id)
    runs = yaml.safe_load(SETUP_ACTION.read_text())["runs"]
    assert "secrets." not in yaml.safe_dump(runs), "the set-up action sees a secret"
    for step in runs["steps"]:
        assert PASSPHRASE not in step.get("env", {}), "the set-up action sets the passphrase"


def test_one_passphrase_secret_per_stack():
    for wf_name, job_id, job, with_ in cloud_jobs():
        stack = with_["stack"]
        other = {"dev": "prod", "prod": "dev"}[stack]
        text = yaml.safe_dump(job)
        assert f"secrets.{PASSPHRASE}_{stack.upper()}" in text, (wf_name, job_id)
        assert f"{PASSPHRASE}_{other.upper()}" not in text, f"{wf_name}:{job_id} sees {other}'s"
        assert not re.search(rf"secrets\.{PASSPHRASE}\b(?!_)", text), (wf_name, job_id)


def test_prod_deploy_needs_prod_preview():
    jobs = load("deploy.yml")["jobs"]
    prod = [j for j, job in jobs.items() if environment_name(job) == "prod"]
    assert len(prod) == 1
    prod_job = jobs[prod[0]]
    needs = prod_job["needs"]
    needs = [needs] if isinstance(needs, str) else needs
    previews = [
        n
        for n in needs
        if any(s["with"].get("stack-name") == "prod" for s in pulumi_steps(jobs[n], "preview"))
    ]
    assert previews, "the gated prod job does not need a prod preview job"
    preview_job = jobs[previews[0]]
    (preview,) = pulumi_steps(preview_job, "preview")
    (up,) = pulumi_steps(prod_job, "up")
    # What was previewed is what is applied: the same saved plan, passed along as an artifact.
    assert preview["with"].get("plan") and up["with"].get("plan"), "no update plan"
    assert preview["with"]["plan"] == up["with"]["plan"]
    assert preview["with"].get("comment-on-summary") is True, "the approver would see no diff"
    uploads = [s for s in preview_job["steps"] if "upload-artifact@" in str(s.get("uses"))]
    downloads = [s for s in prod_job["steps"] if "download-artifact@" in str(s.get("uses"))]
    assert uploads and downloads
    assert uploads[0]["with"]["name"] == downloads[0]["with"]["name"]
    # ... after dev is deployed, and after the tests ran again on the merged commit.
    pneeds = preview_job["needs"]
    assert "dev" in ([pneeds] if isinstance(pneeds, str) else pneeds)
    dev_needs = jobs["dev"]["needs"]
    dev_needs = [dev_needs] if isinstance(dev_needs, str) else dev_needs
    assert any("make test" in str(s.get("run", "")) for n in dev_needs for s in jobs[n]["steps"]), (
        "tests do not run again before deploying"
    )


def test_drift_uses_refresh_preview_only():
    jobs = load("drift.yml")["jobs"]
    stacks = set()
    for job_id, job in jobs.items():
        runs = [str(s.get("run", "")) for s in job["steps"] if runs_pulumi(s)]
        assert runs, f"drift.yml:{job_id} runs no pulumi command"
        for run in runs:
            assert re.search(r"pulumi\s+refresh\b", run), run
            assert "--preview-only" in run and "--expect-no-changes" in run, run
            assert not re.search(r"pulumi\s+(up|preview|destroy)\b", run), run
            stacks.update(re.findall(r"--stack\s+(\w+)", run))
        for step in job["steps"]:
            # The action's refresh is `pulumi refresh --yes --skip-preview`: it writes the state.
            assert not str(step.get("uses", "")).startswith("pulumi/actions@") or not step.get(
                "with", {}
            ).get("command"), f"drift.yml:{job_id} uses the action's writing refresh"
        step = setup_step(job)
        assert step["with"]["identity"] == f"readonly-{step['with']['stack']}"
    assert stacks == {"dev", "prod"}


def test_deploy_runs_are_serialised_whole_and_never_cancelled():
    deploy = load("deploy.yml")
    # Workflow level: held from the first job to the last, approval wait included, so the next
    # run's prod preview meets the state this run's `up` left.
    assert deploy["concurrency"] == {"group": "deploy", "cancel-in-progress": False}
    for job_id, job in deploy["jobs"].items():
        assert "concurrency" not in job, f"deploy.yml:{job_id} has a group of its own"


def test_drift_has_its_own_groups_and_never_cancels():
    drift = load("drift.yml")
    assert "concurrency" not in drift
    groups = set()
    for job_id, job in drift["jobs"].items():
        conc = job["concurrency"]
        assert conc["cancel-in-progress"] is False, job_id
        assert conc["group"] == f"drift-{setup_step(job)['with']['stack']}", job_id
        groups.add(conc["group"].lower())  # group names are case-insensitive
    assert "deploy" not in groups and len(groups) == 2


def test_no_fallback_to_dev_host():
    for p in [*WORKFLOWS.glob("*.yml"), SETUP_ACTION]:
        for expr in re.findall(r"\$\{\{(.*?)\}\}", p.read_text()):
            if "||" in expr:
                assert not re.search(r"DATABRICKS_HOST|AZURE_CLIENT_ID|PASSPHRASE", expr), (
                    f"{p.name}: fallback in ${{{{{expr}}}}}"
                )
    for wf_name, job_id, _job, with_ in cloud_jobs():
        host = var_name(with_["databricks-host"])
        assert host == f"DATABRICKS_HOST_{with_['stack'].upper()}", (wf_name, job_id, host)


def test_missing_setting_fails_naming_it():
    action = yaml.safe_load(SETUP_ACTION.read_text())
    check = action["runs"]["steps"][0]
    assert check["if"] == "inputs.identity != ''"
    script = check["run"]
    for name in (
        '"AZURE_CLIENT_ID_$(upper "$IDENTITY")"',
        "AZURE_TENANT_ID",
        "AZURE_SUBSCRIPTION_ID",
        '"DATABRICKS_HOST_$(upper "$STACK")"',
        '"PULUMI_BACKEND_URL_$(upper "$STACK")"',
        f'"{PASSPHRASE}_$(upper "$STACK")"',
    ):
        assert f"need variable {name}" in script or f"need secret {name}" in script, name
    assert "::error" in script and 'exit "$missing"' in script
    for wf_name, job_id, _job, with_ in cloud_jobs():
        for key in ("azure-tenant-id", "azure-subscription-id"):
            assert with_.get(key), (wf_name, job_id, key)
        present = with_.get("passphrase-present", "")
        assert f"{PASSPHRASE}_{with_['stack'].upper()} != ''" in present, (wf_name, job_id)


def test_azure_login_comes_after_the_installs():
    steps = yaml.safe_load(SETUP_ACTION.read_text())["runs"]["steps"]
    installs = [i for i, s in enumerate(steps) if "make venv" in str(s.get("run", ""))]
    login = next(i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("azure/"))
    assert installs and max(installs) < login


def test_prod_jobs_run_only_on_main():
    for wf_name, job_id, job, _with in cloud_jobs():
        if wf_name == "pr.yml":
            continue
        assert job.get("if") == "github.ref == 'refs/heads/main'", (wf_name, job_id)


@pytest.mark.parametrize(
    "path", [*sorted(WORKFLOWS.glob("*.yml")), SETUP_ACTION], ids=lambda p: p.name
)
def test_actions_pinned_by_sha_with_version_comment(path):
    for line in path.read_text().splitlines():
        match = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
        if not match or match.group(1).startswith("./"):
            continue
        ref, rest = match.groups()
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), line
        assert re.match(r"\s+#\s+v\d+(\.\d+)*\s*$", rest), line


def test_pulumi_cli_matches_the_sdk_pin():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (pin,) = [d.split("==")[1] for d in deps if d.startswith("pulumi==")]
    action = yaml.safe_load(SETUP_ACTION.read_text())
    assert action["inputs"]["pulumi-version"]["default"] == pin
    for wf_name, _job_id, job in all_jobs():
        for step in job["steps"]:
            assert "pulumi-version" not in step.get("with", {}), f"{wf_name}: second CLI pin"


def test_dependabot_updates_actions_and_pip():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    by_ecosystem = {u["package-ecosystem"]: u for u in config["updates"]}
    actions = by_ecosystem["github-actions"]
    dirs = set(actions.get("directories", [actions.get("directory")]))
    assert {"/", "/.github/actions/setup"} <= dirs
    assert "pip" in by_ecosystem


def test_ci_run_lints_like_the_pr_workflow():
    lint = load("pr.yml")["jobs"]["lint"]
    assert any(s.get("run") == "make lint" for s in lint["steps"])
    ci_run = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make lint$", ci_run, re.M), ".ci/run does not run the PR's lint"
    test = load("pr.yml")["jobs"]["test"]
    assert any(s.get("run") == "make test" for s in test["steps"])
    assert re.search(r"^make test$", ci_run, re.M), ".ci/run does not run the PR's tests"
    makefile = (ROOT / "Makefile").read_text()
    lint_recipe = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check" in lint_recipe and "actionlint" in lint_recipe


# --- state per stack -----------------------------------------------------------------------


def test_each_stack_has_its_own_state_location():
    for wf_name, job_id, job, with_ in cloud_jobs():
        want = f"PULUMI_BACKEND_URL_{with_['stack'].upper()}"
        assert var_name(with_["pulumi-backend-url"]) == want, (wf_name, job_id)
        for step in pulumi_steps(job):
            if "cloud-url" in step.get("with", {}):
                assert var_name(step["with"]["cloud-url"]) == want, (wf_name, job_id)
    text = "\n".join(p.read_text() for p in WORKFLOWS.glob("*.yml"))
    assert not re.search(r"vars\.PULUMI_BACKEND_URL\b(?!_)", text), "one shared state container"


def test_the_pr_identity_reaches_dev_state_only():
    for _job_id, job in load("pr.yml")["jobs"].items():
        text = yaml.safe_dump(job)
        assert "_PROD" not in text, f"pr.yml:{_job_id} names a prod setting"


def identities_table() -> dict[str, list[str]]:
    """docs/identities.md, section "CI identities and state": identity -> its row's cells."""
    text = (ROOT / "docs" / "identities.md").read_text()
    section = text.split("\n## CI identities and state\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] in IDENTITIES:
            rows[cells[0]] = cells
    return rows


def test_the_identity_table_grants_each_identity_its_stacks_state_only():
    rows = identities_table()
    assert set(rows) == set(IDENTITIES)
    for identity, (client_id_var, _subjects, stack) in IDENTITIES.items():
        row = " | ".join(rows[identity])
        assert client_id_var in row, identity
        other = {"dev": "prod", "prod": "dev"}[stack]
        assert f"PULUMI_BACKEND_URL_{stack.upper()}" in row, identity
        assert f"PULUMI_BACKEND_URL_{other.upper()}" not in row, identity
        role = "Contributor" if identity.startswith("deploy-") else "Reader"
        assert f"Storage Blob Data {role}" in row, identity


def test_docs_say_how_to_move_existing_state():
    cicd = (ROOT / "docs" / "cicd.md").read_text()
    assert "pulumi stack export" in cicd and "pulumi stack import" in cicd


# --- what a token-minting job installs -------------------------------------------------------


def token_jobs():
    for wf_name, job_id, job in all_jobs():
        if job.get("permissions", {}).get("id-token") == "write":
            yield wf_name, job_id, job


def recipe(target: str) -> str:
    """The recipe lines of one Makefile rule (`target:` up to the next blank line)."""
    text = MAKEFILE.read_text()
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n|.*\\\n)*)", text, re.M)
    assert match, f"no Makefile rule {target}"
    return match.group(1)


def test_token_jobs_install_the_slim_hashed_set_only():
    jobs = list(token_jobs())
    assert jobs
    for wf_name, job_id, job in jobs:
        assert setup_step(job)["with"].get("install") == "infra", (wf_name, job_id)
        for step in job["steps"]:
            run = str(step.get("run", ""))
            assert not re.search(r"pip install|uv pip|make venv|make (test|lint)", run), (
                f"{wf_name}:{job_id} installs outside the set-up action"
            )


def test_the_setup_action_refuses_a_full_install_in_a_cloud_job():
    steps = yaml.safe_load(SETUP_ACTION.read_text())["runs"]["steps"]
    assert '"$INSTALL" != "infra"' in steps[0]["run"] and "exit 1" in steps[0]["run"]
    installs = [s for s in steps if "make venv" in s.get("run", "")]
    by_run = {s["run"].strip(): s.get("if") for s in installs}
    assert by_run == {
        "make venv": "inputs.install == 'full'",
        "make venv-infra": "inputs.install == 'infra'",
    }


def make_variable(name: str) -> list[str]:
    return re.search(rf"^{name}\s*:=(.*)$", MAKEFILE.read_text(), re.M).group(1).split()


def test_infra_installs_are_hashed_wheels_only():
    lines = [
        line.strip()
        for target in ("$(INFRA_STAMP)", "$(POLICY_STAMP)")
        for line in recipe(target).splitlines()
        if "install" in line
    ]
    assert {"--require-hashes", "--only-binary", ":all:", "--no-deps"} <= set(
        make_variable("PIP_LOCKED")
    )
    assert lines == [
        "$(BIN)/pip install $(PIP_LOCKED) -r $(BOOT_LOCK)",
        # The one sdist builds with the hashed setuptools just installed, nothing fetched.
        "$(BIN)/pip install $(PIP_LOCKED) --no-binary $(SDIST_ONLY) --no-build-isolation "
        "-r $(INFRA_LOCK)",
        "$(POLICY_VENV)/bin/pip install $(PIP_LOCKED) -r $(POLICY_LOCK)",
    ]
    assert set(make_variable("SDIST_ONLY")) == SDIST_ONLY <= set(locked(INFRA_LOCK))
    assert "setuptools" in locked(BOOT_LOCK)
    assert "-e ." not in recipe("$(INFRA_STAMP)"), "an editable install builds the project"


def test_pip_never_upgrades_itself_unpinned():
    for path in (MAKEFILE, SETUP_ACTION, *WORKFLOWS.glob("*.yml"), ROOT / ".ci" / "run"):
        text = path.read_text()
        assert not re.search(r"install\s+(--\S+\s+)*(-U|--upgrade)\s+pip\b", text), path.name


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a `uv pip compile --generate-hashes` file."""
    out, current = {}, None
    for line in path.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line):
            current = match.group(1).lower().replace("_", "-")
            out[current] = (match.group(2), 0)
        elif current and "--hash=sha256:" in line:
            version, hashes = out[current]
            out[current] = (version, hashes + 1)
        elif line.strip() and not line.startswith((" ", "#")):
            raise AssertionError(f"{path.name}: unexpected line {line!r}")
    return out


@pytest.mark.parametrize("path", [LOCK, INFRA_LOCK, BOOT_LOCK, POLICY_LOCK], ids=lambda p: p.name)
def test_every_lock_pins_every_package_with_a_hash(path):
    packages = locked(path)
    assert packages
    assert not [name for name, (_v, hashes) in packages.items() if hashes == 0]


@pytest.mark.parametrize("path", [INFRA_LOCK, BOOT_LOCK], ids=lambda p: p.name)
def test_cut_locks_take_their_versions_from_the_main_lock(path):
    main = locked(LOCK)
    for name, (version, _hashes) in locked(path).items():
        assert main[name][0] == version, f"{path.name}: {name} {version} != {main[name][0]}"


def test_the_infra_lock_has_no_spark():
    assert not {"pyspark", "pandas", "pyarrow"} & set(locked(INFRA_LOCK))


def test_the_policy_pack_runs_the_cli_pin_of_pulumi():
    assert locked(POLICY_LOCK)["pulumi"][0] == locked(LOCK)["pulumi"][0]
    assert "pulumi-policy" in locked(POLICY_LOCK)


def program_imports() -> set[str]:
    """Top-level third-party modules the Pulumi program imports, following first-party imports
    from infra/__main__.py (packages `infra`, `clickstream_cli`, `clickstream`)."""
    first_party = {
        "infra": ROOT,
        "dashboards": ROOT,
        "clickstream_cli": ROOT,
        "clickstream": ROOT / "pipeline",
    }
    seen: set[Path] = set()
    third: set[str] = set()
    todo = [ROOT / "infra" / "__main__.py"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                top = name.split(".")[0]
                if top in first_party:
                    base = first_party[top].joinpath(*name.split("."))
                    candidates = (base.with_suffix(".py"), base / "__init__.py")
                    todo += [p for p in candidates if p.exists()]
                elif top not in sys.stdlib_module_names:
                    third.add(top)
    return third


def test_the_infra_lock_covers_what_the_program_imports():
    dists = packages_distributions()
    infra = set(locked(INFRA_LOCK))
    imports = program_imports()
    assert {"pulumi", "pulumi_databricks", "yaml"} <= imports
    for module in imports:
        names = {d.lower().replace("_", "-") for d in dists.get(module, [])}
        assert names & infra, f"the program imports {module}, not in {INFRA_LOCK.name}"


def test_make_lock_regenerates_every_lock():
    lock = recipe("lock")
    for var in ("$(LOCK)", "$(BOOT_LOCK)", "$(INFRA_LOCK)", "$(POLICY_LOCK)"):
        assert f"$(call relock,{var}," in lock, var
    assert "-c $(LOCK)" in lock.split("$(INFRA_LOCK),", 1)[1].splitlines()[0]


def test_make_venv_installs_the_lock_with_hashes_through_uv():
    full = recipe("$(STAMP)")
    assert "pip install $(PIP_LOCKED) -r $(BOOT_LOCK)" in full  # uv itself: a hashed wheel
    assert "$(UV_INSTALL) --require-hashes -r $(LOCK)" in full
    uv_install = re.search(r"^UV_INSTALL\s*=(.*)$", MAKEFILE.read_text(), re.M).group(1)
    assert "uv pip install" in uv_install and "--no-build-isolation" in uv_install
    assert set(locked(BOOT_LOCK)) == {"uv", "setuptools"}


# --- Dependabot, the required check, the dev preview -----------------------------------------


def needs_of(job: dict) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def test_dependabot_prs_skip_every_job_that_needs_a_secret():
    for job_id, job in load("pr.yml")["jobs"].items():
        text = yaml.safe_dump(job)
        if "secrets." in text or job.get("permissions", {}).get("id-token") == "write":
            assert "github.actor != 'dependabot[bot]'" in str(job.get("if")), job_id
            assert "github.event.pull_request.head.repo.full_name == github.repository" in str(
                job.get("if")
            ), job_id


def test_one_aggregating_check_reports_every_pr_job():
    jobs = load("pr.yml")["jobs"]
    aggregator = jobs[AGGREGATOR]
    assert set(needs_of(aggregator)) == set(jobs) - {AGGREGATOR}
    assert aggregator["if"] == "always()"  # reports even when a needed job failed
    assert aggregator["permissions"] == {}
    (step,) = aggregator["steps"]
    assert step["env"]["RESULTS"] == "${{ toJSON(needs.*.result) }}"
    assert "failure|cancelled" in step["run"] and "exit 1" in step["run"]
    assert f"`{aggregator['name']}`" in (ROOT / "docs" / "cicd.md").read_text()


def step_index(job: dict, command: str) -> int:
    (step,) = pulumi_steps(job, command)
    return job["steps"].index(step)


def test_the_dev_deploy_applies_only_the_plan_it_previewed():
    dev = load("deploy.yml")["jobs"]["dev"]
    (preview,) = pulumi_steps(dev, "preview")
    (up,) = pulumi_steps(dev, "up")
    assert step_index(dev, "preview") < step_index(dev, "up")
    assert preview["with"]["plan"] == up["with"]["plan"]
    assert preview["with"].get("comment-on-summary") is True


def test_the_plan_artifact_is_named_per_attempt():
    jobs = load("deploy.yml")["jobs"]
    names = [
        s["with"]["name"]
        for job in jobs.values()
        for s in job["steps"]
        if re.search(r"(up|down)load-artifact@", str(s.get("uses", "")))
    ]
    assert len(names) == 2 and len(set(names)) == 1
    assert "${{ github.run_attempt }}" in names[0]
    assert "Re-run all jobs" in (ROOT / "docs" / "cicd.md").read_text()


def test_every_preview_and_up_runs_the_policy_pack_with_its_stacks_config():
    found = 0
    for wf_name, job_id, job in all_jobs():
        for step in pulumi_steps(job):
            with_ = step.get("with", {})
            if with_.get("command") not in ("preview", "up"):
                continue
            found += 1
            stack = with_["stack-name"]
            config = f"policy/config-{stack}.json"
            assert with_.get("policyPacks") == "policy", (wf_name, job_id)
            assert with_.get("policyPackConfigs") == config, (wf_name, job_id)
            writes = [
                i
                for i, s in enumerate(job["steps"])
                if f"-m policy.config --stack {stack} > {config}" in str(s.get("run", ""))
            ]
            assert writes and writes[0] < job["steps"].index(step), (wf_name, job_id)
    assert found == 5  # pr: dev preview; deploy: dev preview + up, prod preview + up


# --- who may change the gates ----------------------------------------------------------------


def codeowners_patterns() -> list[str]:
    lines = (ROOT / ".github" / "CODEOWNERS").read_text().splitlines()
    rules = [line.split() for line in lines if line.strip() and not line.startswith("#")]
    assert all(len(rule) >= 2 for rule in rules), "a pattern without an owner clears ownership"
    return [rule[0] for rule in rules]


@pytest.mark.parametrize(
    "path",
    [
        ".github/workflows/deploy.yml",
        ".github/actions/setup/action.yml",
        ".github/CODEOWNERS",
        ".ci/run",
        "Makefile",
        "infra/__main__.py",
        "policy/rules.py",
        "Pulumi.yaml",
        "Pulumi.dev.yaml",
        "Pulumi.prod.yaml",
        "requirements-infra.lock",
    ],
)
def test_codeowners_cover_what_decides_where_code_runs(path):
    def matches(pattern: str) -> bool:
        if pattern.endswith("/"):
            return ("/" + path).startswith(pattern)
        return Path("/" + path).match(pattern) or "/" + path == pattern

    assert any(matches(p) for p in codeowners_patterns()), path


def test_docs_require_code_owner_review_on_main():
    assert "Require review from Code Owners" in (ROOT / "docs" / "cicd.md").read_text()
