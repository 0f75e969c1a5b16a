"""Pulumi entry point (composition root): load config -> build components -> export outputs.

Pulumi runs this file with ``infra/`` on ``sys.path``; the repository root is added so the
program imports as the package ``infra``, exactly as the tests and ``python -m infra.preview`` do.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi

from infra import config
from infra.program import build

for output_name, value in build(config.load()).items():
    pulumi.export(output_name, value)
