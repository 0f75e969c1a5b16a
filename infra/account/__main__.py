"""Pulumi entry point of the account stack: load config -> build -> export.

Pulumi runs this file with ``infra/account/`` on ``sys.path``; the repository root is added so
the program imports as the package ``infra.account``, as the tests and the offline preview do.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pulumi

from infra.account import config
from infra.account.program import build

for output_name, value in build(config.load()).items():
    pulumi.export(output_name, value)
