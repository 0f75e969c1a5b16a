"""docs/deploy.md is a procedure a newcomer can follow: its commands are real and in order.

Every command of the guide's shell blocks is split as a shell would (``shlex``) and checked
against the CLI it calls: Pulumi subcommands and flags, the Azure CLI command groups used,
Makefile targets, and ``clickstream-cloud``'s own argument parser. Every ``pulumi config set``
key exists in the ``Pulumi.yaml`` of the project the command runs in, lists are set with
``--path``, and for each project and stack, login and ``stack init`` come before the first
``config set``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from clickstream_cli.cloud import build_parser
from infra.rights import SCOPES

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "deploy.md"
PULUMI_COMMANDS = {
    ("login",),
    ("stack", "init"),
    ("stack", "output"),
    ("stack",),
    ("config", "set"),
    ("preview",),
    ("up",),
    ("destroy",),
    ("state", "unprotect"),
}
PULUMI_VALUE_FLAGS = {"-s", "--stack", "-C", "--cwd", "--secrets-provider", "--policy-pack"}
AZ_COMMANDS = {
    ("login",),
    ("storage", "account", "create"),
    ("storage", "container", "create"),
    ("storage", "blob", "upload-batch"),
    ("role", "assignment", "create"),
}


DEPLOY_SECTION = "## Deploy, in order"


@dataclass(frozen=True)
class Command:
    section: str  # the ## heading it is under
    step: str  # the numbered step it belongs to
    argv: list[str]


def guide_commands(text: str) -> list[Command]:
    """Every command of every ```sh block, in document order, with its section and step."""
    commands, section, step, in_block = [], "", "", False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_block = stripped == "```sh"
            continue
        if in_block:
            argv = shlex.split(stripped, comments=True)
            if argv:
                commands.append(Command(section, step, argv))
        elif match := re.match(r"^(\d+)\. ", line):
            step = match.group(1)
        elif line.startswith("## "):
            section, step = line.strip(), ""
    return commands


COMMANDS = guide_commands(GUIDE.read_text())
STEPS = [c for c in COMMANDS if c.section == DEPLOY_SECTION]


def pulumi_words(argv: list[str]) -> tuple[Path, list[str], dict[str, str]]:
    """(project folder, positional words, flags with values) of a pulumi command."""
    project, words, flags = REPO, [], {}
    args = iter(argv[1:])
    for arg in args:
        if arg in PULUMI_VALUE_FLAGS:
            flags[arg] = next(args)
            if arg in ("-C", "--cwd"):
                project = REPO / flags[arg]
        elif arg.startswith("-"):
            flags[arg] = ""
        else:
            words.append(arg)
    return project, words, flags


def config_declared(project: Path) -> dict[str, dict]:
    return yaml.safe_load((project / "Pulumi.yaml").read_text())["config"]


def makefile_targets() -> set[str]:
    text = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", text, flags=re.MULTILINE))


def test_the_guide_has_commands_in_numbered_steps():
    assert len({c.step for c in STEPS}) >= 8 and all(c.step.isdigit() for c in STEPS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c.argv)[:60])
def test_every_command_is_one_the_cli_knows(command):
    tool, *rest = command.argv
    if tool == "pulumi":
        _, words, _ = pulumi_words(command.argv)
        assert any(tuple(words[: len(known)]) == known for known in PULUMI_COMMANDS), words
    elif tool == "az":
        assert any(tuple(rest[: len(known)]) == known for known in AZ_COMMANDS), rest
    elif tool == "make":
        assert rest[0] in makefile_targets()
    elif tool == "clickstream-cloud":
        build_parser().parse_args(rest)  # exits (SystemExit) on an unknown argument
    elif tool == "git":
        assert rest[0] in ("add", "commit")
    else:
        assert tool == "export" and re.match(r"^[A-Z_]+=", rest[0]), command.argv


def config_sets(commands: list[Command]) -> list[tuple[int, Command]]:
    return [
        (i, c)
        for i, c in enumerate(commands)
        if c.argv[0] == "pulumi" and pulumi_words(c.argv)[1][:2] == ["config", "set"]
    ]


@pytest.mark.parametrize("index,command", config_sets(COMMANDS), ids=lambda c: str(c)[:60])
def test_every_config_set_key_is_declared_in_its_projects_pulumi_yaml(index, command):
    project, words, flags = pulumi_words(command.argv)
    key = re.split(r"[\[.]", words[2])[0]
    declared = config_declared(project)
    assert key in declared, f"{key} is not in {project / 'Pulumi.yaml'}"
    if declared[key]["type"] == "array":
        assert "--path" in flags and words[2].startswith(f"{key}["), "lists need --path"
    assert "-s" in flags, "name the stack"


def test_login_and_stack_creation_come_before_the_first_config_set():
    for index, command in config_sets(STEPS):
        project, _, flags = pulumi_words(command.argv)
        earlier = [pulumi_words(c.argv) for c in STEPS[:index] if c.argv[0] == "pulumi"]
        assert any(words[:1] == ["login"] for _, words, _ in earlier), command.argv
        assert any(
            p == project and words[:3] == ["stack", "init", flags["-s"]] for p, words, _ in earlier
        ), f"no `stack init {flags['-s']}` for {project} before {command.argv}"


def test_each_project_logs_into_its_own_state_container_before_creating_its_stack():
    logins = {}
    for command in STEPS:
        if command.argv[0] != "pulumi":
            continue
        project, words, _ = pulumi_words(command.argv)
        if words[:1] == ["login"]:
            current = words[1]
        if words[:2] == ["stack", "init"]:
            logins[(project.name, words[2])] = current
    assert logins[("account", "dev")].startswith("azblob://pulumi-state-account?")
    assert logins[(REPO.name, "dev")].startswith("azblob://pulumi-state-dev?")


def test_the_passphrase_is_exported_before_each_stack_is_created():
    exported = False
    for command in STEPS:
        if command.argv[:1] == ["export"] and command.argv[1].startswith(
            "PULUMI_CONFIG_PASSPHRASE="
        ):
            exported = True
        if command.argv[0] == "pulumi" and pulumi_words(command.argv)[1][:2] == ["stack", "init"]:
            assert exported and "--secrets-provider" in pulumi_words(command.argv)[2]
            exported = False


def test_the_account_stack_is_applied_before_the_workspace_stack_is_configured():
    def first(predicate):
        return next(i for i, c in enumerate(STEPS) if c.argv[0] == "pulumi" and predicate(c))

    account_up = first(lambda c: pulumi_words(c.argv)[0].name == "account" and "up" in c.argv)
    ncc_id = first(lambda c: "databricksNccId" in c.argv)
    assert account_up < ncc_id


@pytest.mark.parametrize("guide", ["deploy.md", "cicd.md"])
def test_both_guides_link_the_identities_table(guide):
    assert "(identities.md)" in (REPO / "docs" / guide).read_text()


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.scope)
def test_the_rights_make_preview_prints_are_those_of_the_identities_table(scope):
    assert scope.role in (REPO / "docs" / "identities.md").read_text()
