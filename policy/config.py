"""Pack config from a stack's settings: what the policy pack must be given with every run.

    python -m policy.config --stack dev --out policy-config-dev.json
    pulumi preview -s dev --policy-pack policy --policy-pack-config policy-config-dev.json

The engine passes pack config per policy (``{"<policy name>": {<properties>}}``; the ``all`` key
sets only enforcement levels), so the file repeats the stack's settings for every policy. The
settings are read as the engine reads them: ``Pulumi.yaml`` defaults overlaid with
``Pulumi.<stack>.yaml``. ``make preview`` gives the rules the same settings offline.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.config.keys import PROJECT
from policy import model, rules


def properties(config: Mapping[str, str]) -> dict[str, str]:
    """The pack-config properties from a stack's config (``<project>:<key>`` -> value)."""
    found = {}
    for key in model.CONFIG_PROPERTIES:
        value = config.get(f"{PROJECT}:{key}")
        if not value:
            raise ValueError(f"{key}: not set in the stack's configuration")
        found[key] = value
    return found


def pack_config(config: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """``--policy-pack-config`` content: the stack's settings for every policy of the pack."""
    shared = properties(config)
    names = [*rules.RESOURCE_RULES, *rules.STACK_RULES]
    return {name: dict(shared) for name in names}


def settings(config: Mapping[str, str]) -> model.Settings:
    """What the pack builds from the same config: the rules' view of the stack."""
    return model.Settings.from_pack_config(properties(config))


def main(argv: list[str] | None = None) -> int:
    from infra.mocks import stack_file_config  # the engine's reading of the stack files

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    try:
        config, _ = stack_file_config(args.stack)
        text = json.dumps(pack_config(config), indent=2, sort_keys=True) + "\n"
    except ValueError as error:  # infra's ConfigError is a ValueError too
        print(f"pack config for stack {args.stack!r}: {error}", file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
