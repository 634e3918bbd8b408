"""Between the store and the rules: match stored items to areas and keep the outcome.

For each item: its areas (with score and the phrases that hit) in `matches`, and in `items`
its tier (relevant, maybe, no), its learned score and whether it is in the digest's main list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.store import Store
from monitor.store.matches import ItemVerdict, StoredMatch, rows_to_match, save_verdicts

if TYPE_CHECKING:
    from monitor.rules import Matcher, Verdict

# The item fields the rules read, as stored in the items table.
MATCH_FIELDS = (
    "title",
    "summary",
    "programme",
    "programme_code",
    "keywords",
    "identifier",
    "call_identifier",
    "call_title",
    "description",
    "conditions",
)


def load_matcher(rules_dir: Path) -> Matcher | None:
    """The compiled rules, or None when the rules folder does not exist yet (no matching).

    A folder that exists but holds a broken rule file raises RuleError: no half rule sets.
    """
    if not rules_dir.exists():
        return None
    key = _rules_key(rules_dir)
    if _compiled.get(rules_dir) is not None and _compiled[rules_dir][0] == key:
        return _compiled[rules_dir][1]
    from monitor.rules import load_rules  # imported here: commands without rules start faster

    matcher = load_rules(rules_dir).compile()
    _compiled[rules_dir] = (key, matcher)
    return matcher


# A run asks for the rules more than once (matching, then the digest's areas, Slack's area
# channels); compiling them is the costly part, so the last matcher per folder is kept for as
# long as the folder's rule files hold the very same bytes (monitor serve sees edits).
_compiled: dict[Path, tuple[bytes, Matcher]] = {}


def _rules_key(rules_dir: Path) -> bytes:
    digest = hashlib.sha256()
    for path in sorted(rules_dir.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def item_fields(row: dict[str, Any]) -> dict[str, str | None]:
    """A stored item row as the mapping the matcher reads (keywords as one line of text, the
    first type of action as the scorer's metadata)."""
    fields = {name: row.get(name) for name in MATCH_FIELDS}
    keywords = row.get("keywords")
    if isinstance(keywords, str) and keywords.startswith("["):
        fields["keywords"] = " ".join(json.loads(keywords))
    actions = row.get("types_of_action")
    if isinstance(actions, str) and actions.startswith("["):
        fields["type_of_action"] = next(iter(json.loads(actions)), None)
    fields["description"] = row.get("description") or row.get("summary")
    return fields


def match_and_store(
    store: Store, matcher: Matcher, item_ids: Iterable[str] | None, now: datetime
) -> int:
    """Match the given items (every item when None), replacing what was stored and stamping
    them `now`; returns how many of them are relevant."""
    rows = rows_to_match(store.db, item_ids)
    stamp = now.isoformat(timespec="seconds")
    verdicts = [_verdict(row["id"], matcher.match(item_fields(row))) for row in rows]
    save_verdicts(store.db, verdicts, stamp)
    return sum(v.relevant for v in verdicts)


def _verdict(item_id: str, verdict: Verdict) -> ItemVerdict:
    areas = tuple(StoredMatch(m.area, m.score, tuple(m.phrases)) for m in verdict.areas)
    return ItemVerdict(item_id, bool(verdict.relevant), areas, verdict.tier, verdict.score)
