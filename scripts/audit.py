"""Audit the installed dependencies of Backprop Lab for known vulnerabilities with pip-audit.

The dependencies are those of pyproject.toml (runtime and the ``test`` extra) and everything they pull
in, at the versions installed now. Exits 1 when any has a known vulnerability. When the advisory
database cannot be reached (no network, or its per-release pages are not served), it says so and
exits 0: that is a gap in the check, not a finding.

    python scripts/audit.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("test",)


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in EXTRAS:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def installed_closure(roots: list[Requirement]) -> dict[str, str]:
    """name -> installed version of every distribution the roots need, transitively (extras included)."""
    pinned: dict[str, str] = {}
    pending = [(root, frozenset(root.extras)) for root in roots]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement, extras = pending.pop()
        name = canonicalize_name(requirement.name)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # not needed on this platform, or not installed: nothing to audit
        pinned[name] = distribution.version
        for line in distribution.requires or []:
            child = Requirement(line)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if child.marker is None or any(child.marker.evaluate(env) for env in environments):
                pending.append((child, frozenset(child.extras)))
    return pinned


def audit(pinned: dict[str, str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        requirements, report = Path(folder, "requirements.txt"), Path(folder, "report.json")
        requirements.write_text("".join(f"{name}=={version}\n" for name, version in sorted(pinned.items())))
        command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--no-deps", "--disable-pip"]
        command += ["-r", str(requirements), "-f", "json", "-o", str(report)]
        run = subprocess.run(command, capture_output=True, text=True)
        if not report.exists():
            tail = "\n".join(run.stderr.strip().splitlines()[-5:])
            print(f"WARNING: pip-audit could not finish (advisory database unreachable?); not audited.\n{tail}")
            return 0
        dependencies = json.loads(report.read_text())["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"VULNERABLE: {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        return 1
    if len(skipped) == len(dependencies):
        print(f"WARNING: the advisory database could not be reached; {len(skipped)} packages not audited.")
        return 0
    note = f", {len(skipped)} not found in the advisory database" if skipped else ""
    print(f"pip-audit: no known vulnerabilities in {len(dependencies) - len(skipped)} packages{note}.")
    return 0


def main() -> int:
    return audit(installed_closure(declared()))


if __name__ == "__main__":
    sys.exit(main())
