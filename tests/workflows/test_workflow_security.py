"""The CI/CD security properties, checked on the workflow files themselves.

Each test is one property of docs/cicd.md; breaking it in .github/ fails the test (and CI).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
SETUP_ACTION = ROOT / ".github" / "actions" / "setup" / "action.yml"
SETUP_USES = "./.github/actions/setup"

# Trust level -> the repository variable holding its client id, and the OIDC subject its jobs
# present: `pull_request` (no environment) or `environment:<name>`.
IDENTITIES = {
    "pr-preview": ("AZURE_CLIENT_ID_PR_PREVIEW", {None}),
    "readonly": ("AZURE_CLIENT_ID_READONLY", {"dev-readonly", "prod-readonly"}),
    "deploy-dev": ("AZURE_CLIENT_ID_DEPLOY_DEV", {"dev"}),
    "deploy-prod": ("AZURE_CLIENT_ID_DEPLOY_PROD", {"prod"}),
}
PASSPHRASE = "PULUMI_CONFIG_PASSPHRASE"


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
        assert step["with"]["identity"] == "readonly"
    assert stacks == {"dev", "prod"}


def test_drift_shares_the_deploy_concurrency_group_without_cancelling():
    deploy, drift = load("deploy.yml")["jobs"], load("drift.yml")["jobs"]

    def groups(jobs):
        out = {}
        for job_id, job in jobs.items():
            step = setup_step(job)
            if step and step.get("with", {}).get("identity"):
                conc = job["concurrency"]
                assert conc["cancel-in-progress"] is False, job_id
                out.setdefault(step["with"]["stack"], set()).add(conc["group"])
        return out

    deploy_groups, drift_groups = groups(deploy), groups(drift)
    for stack in ("dev", "prod"):
        assert len(deploy_groups[stack]) == 1, deploy_groups
        assert drift_groups[stack] == deploy_groups[stack], (stack, drift_groups, deploy_groups)


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
        "PULUMI_BACKEND_URL",
        f'"{PASSPHRASE}_$(upper "$STACK")"',
    ):
        assert f"need variable {name}" in script or f"need secret {name}" in script, name
    assert "::error" in script and 'exit "$missing"' in script
    for wf_name, job_id, _job, with_ in cloud_jobs():
        for key in ("azure-tenant-id", "azure-subscription-id", "pulumi-backend-url"):
            assert with_.get(key), (wf_name, job_id, key)
        present = with_.get("passphrase-present", "")
        assert f"{PASSPHRASE}_{with_['stack'].upper()} != ''" in present, (wf_name, job_id)


def test_azure_login_comes_after_make_venv():
    steps = yaml.safe_load(SETUP_ACTION.read_text())["runs"]["steps"]
    venv = next(i for i, s in enumerate(steps) if "make venv" in str(s.get("run", "")))
    login = next(i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("azure/"))
    assert venv < login


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
    makefile = (ROOT / "Makefile").read_text()
    lint_recipe = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check" in lint_recipe and "actionlint" in lint_recipe
