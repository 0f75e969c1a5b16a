"""Runs the policy pack the way the Pulumi engine does, inside the pack's own virtualenv.

    policy/venv/bin/python tests/policy/analyzer.py < request.json > diagnostics.json

pulumi-policy pins a protobuf the project's .venv cannot share (policy/requirements.txt), so the
tests hand their request to this script. It builds pulumi-policy's own analyzer servicer
(``_PolicyAnalyzerServicer``, what ``PolicyPack`` serves over gRPC) around ``policy/pack.py``'s
policies and calls it as the engine does: ``Configure`` with the pack config, ``Analyze`` for
every resource, ``AnalyzeStack`` once. Props travel as protobuf ``Struct``s, and the servicer
wraps them in ``unknown_checking_proxy`` itself.

Request: ``{"config": {policy: {property: value}}, "resources": [{"type", "name", "urn",
"props", "protect"}]}``. Answer: every diagnostic (policy, message, urn, enforcement level), or
with ``{"info": true}`` each policy's config schema as the engine would read it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # as policy/__main__.py does

from policy import pack


def struct(value: dict) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    json_format.ParseDict(value, message)
    return message


def diagnostics(response) -> list[dict]:
    return [
        {
            "policy": d.policyName,
            "message": d.message,
            "urn": d.urn,
            "level": proto.EnforcementLevel.Name(d.enforcementLevel),
        }
        for d in response.diagnostics
    ]


def main() -> None:
    request = json.load(sys.stdin)
    servicer = _PolicyAnalyzerServicer(
        pack.NAME, "0.0.1", pack.policies(), EnforcementLevel.MANDATORY
    )
    info = servicer.GetAnalyzerInfo(None, None)
    if request.get("info"):
        schemas = {
            p.name: json_format.MessageToDict(p.configSchema, preserving_proto_field_name=True)
            for p in info.policies
        }
        json.dump(schemas, sys.stdout)
        return
    # As the engine's ReconcilePolicyPackConfig (pulumi/pulumi pkg/resource/analyzer/config.go):
    # every policy keeps the enforcement level it declares, and gets the file's properties.
    servicer.Configure(
        proto.ConfigureAnalyzerRequest(
            policyConfig={
                p.name: proto.PolicyConfig(
                    enforcementLevel=p.enforcementLevel,
                    properties=struct(request["config"].get(p.name, {})),
                )
                for p in info.policies
            }
        ),
        None,
    )
    found: list[dict] = []
    resources = []
    for r in request["resources"]:
        fields = {
            "type": r["type"],
            "properties": struct(r["props"]),
            "urn": r["urn"],
            "name": r["name"],
            "options": proto.AnalyzerResourceOptions(protect=r["protect"]),
        }
        found += diagnostics(servicer.Analyze(proto.AnalyzeRequest(**fields), None))
        resources.append(proto.AnalyzerResource(**fields))
    found += diagnostics(
        servicer.AnalyzeStack(proto.AnalyzeStackRequest(resources=resources), None)
    )
    json.dump(found, sys.stdout)


if __name__ == "__main__":
    main()
