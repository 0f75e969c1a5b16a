"""CrossGuard policy pack: the project's invariants, enforced in every `pulumi preview` / `up`.

    python -m policy.config --stack dev > policy-config-dev.json
    pulumi preview -s dev --policy-pack policy --policy-pack-config policy-config-dev.json

Each rule of ``policy/rules.py`` is one mandatory policy (``policy/pack.py`` adapts the engine's
arguments); every policy requires the stack's settings as pack config, so a run without
``--policy-pack-config`` stops instead of checking defaults.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

# The engine runs this file from policy/; its parent makes ``policy`` importable as a package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policy import pack

PolicyPack(name=pack.NAME, enforcement_level=EnforcementLevel.MANDATORY, policies=pack.policies())
