"""The matcher's verdicts on real fixture texts, recorded once, so a faster matcher can be held
to exactly what the matcher said before it (tests/test_rules_recorded.py).

    .venv/bin/python tests/helpers/recorded_verdicts.py COMMIT   # rewrite match_verdicts.json

The verdicts are of the rule files as they were then, kept beside them in
tests/data/recorded_rules/ (a copy of rules/*.toml), so editing rules/ does not touch this
test: it holds the matcher's code to its old answers. Rewrite the file only when the matcher is
meant to answer differently, and say so in the commit; a speed-up must leave it as it is.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: make `helpers` and `monitor` importable
    sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).parents[2])]

from helpers import paths
from helpers.rules_helpers import SE_TEXT, dev_items

RECORDED = paths.TESTS / "data" / "match_verdicts.json"
RECORDED_RULES = paths.TESTS / "data" / "recorded_rules"
_HELDOUT_FIELDS = ("title", "summary", "programme", "programme_code", "identifier")


def recorded_items() -> dict[str, dict[str, str | None]]:
    """Name -> fields: the 341 portal calls as the parser gives them and as the store hands them
    back (the summary also as `description`, as `matching.item_fields` does), the held-out
    items and the Swedish pages."""
    items: dict[str, dict[str, str | None]] = {}
    for name, fields in dev_items().items():
        items[f"dev {name}"] = fields
        items[f"stored {name}"] = {**fields, "description": fields["summary"]}
    heldout = tomllib.loads((paths.TESTS / "data" / "rules_heldout.toml").read_text("utf-8"))
    for item in heldout["item"]:
        items[f"heldout {item['id']}"] = {k: item[k] for k in _HELDOUT_FIELDS if k in item}
    for path in sorted(SE_TEXT.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        items[f"se_text {path.name}"] = {"summary": text}
        items[f"se_text title {path.name}"] = {"title": text.strip().split("\n", 1)[0]}
    return items


def as_record(verdict: Any) -> dict[str, Any]:
    """A verdict as plain JSON data: every field, the gate's and the scorer's included."""
    return json.loads(json.dumps(dataclasses.asdict(verdict)))


def main() -> None:
    from monitor.rules import load_rules

    matcher = load_rules(RECORDED_RULES).compile()
    commit = sys.argv[1] if len(sys.argv) > 1 else "unknown"
    records = {name: as_record(matcher.match(f)) for name, f in recorded_items().items()}
    provenance = (
        f"Matcher.match at commit {commit} over tests/helpers/recorded_verdicts.py's items "
        "(tests/fixtures/eu_portal/open-calls, tests/data/rules_heldout.toml, "
        "tests/fixtures/se_text) with tests/data/recorded_rules (rules/*.toml then)"
    )
    # One verdict a line, so a change shows as a readable diff.
    lines = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
             for k, v in records.items()]  # fmt: skip
    head = '{"provenance": ' + json.dumps(provenance) + ',\n"verdicts": {\n'
    RECORDED.write_text(head + ",\n".join(lines) + "\n}}\n", "utf-8")
    print(f"{len(records)} verdicts written to {RECORDED}")


if __name__ == "__main__":
    main()
