"""Validates FHIR R4 JSON files with the third-party `fhir.resources` (6.4.0, pydantic 1).

Usage: python fhir_resources_check.py DIR [ROUNDTRIP.json]

Every *.json in DIR is parsed into its model class (`construct_fhir_element`), which checks
the structure: element names, types, cardinality, required elements, primitive formats.
Prints one line per problem and exits 1 when there is any.

With ROUNDTRIP.json (a CarePlan and its Goals as a searchset Bundle), the CarePlan is
re-read through the models and its goals and activities are printed as JSON on stdout,
for the Rust test to compare with what Kernteam stored.
"""

import json
import pathlib
import sys

import fhir.resources
from fhir.resources import construct_fhir_element
from pydantic import ValidationError


def check(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        construct_fhir_element(data["resourceType"], data)
    except ValidationError as e:
        return [f"{path.name}: {err['loc']}: {err['msg']}" for err in e.errors()]
    except Exception as e:  # unknown resource type and the like
        return [f"{path.name}: {e}"]
    return []


def roundtrip(path):
    bundle = construct_fhir_element("Bundle", json.loads(path.read_text(encoding="utf-8")))
    plans = [e.resource for e in bundle.entry if e.resource.resource_type == "CarePlan"]
    goals = {f"Goal/{e.resource.id}": e.resource for e in bundle.entry if e.resource.resource_type == "Goal"}
    plan = plans[0]
    out = {
        "goals": [goals[g.reference].description.text for g in plan.goal or []],
        "actions": [
            {
                "what": a.detail.description,
                "status": a.detail.status,
                "due": str(a.detail.scheduledPeriod.end) if a.detail.scheduledPeriod else None,
                "who": [p.display for p in a.detail.performer or []],
            }
            for a in plan.activity or []
        ],
    }
    print(json.dumps(out, ensure_ascii=False))


def main():
    folder = pathlib.Path(sys.argv[1])
    files = sorted(folder.glob("*.json"))
    problems = [p for f in files for p in check(f)]
    for p in problems:
        print(p, file=sys.stderr)
    print(f"fhir.resources {fhir.resources.__version__}: {len(files)} files, {len(problems)} problems", file=sys.stderr)
    if len(sys.argv) > 2:
        roundtrip(pathlib.Path(sys.argv[2]))
    sys.exit(1 if problems or not files else 0)


if __name__ == "__main__":
    main()
