"""Between the store and the rules: match stored items to areas and keep the outcome.

For each item: its areas (with score and the phrases that hit) in `matches`, and in `items`
its tier (relevant, maybe, no), its learned score and whether it is in the digest's main list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.store import Store
from monitor.store.matches import ItemVerdict, StoredMatch, rows_to_match, save_verdicts

if TYPE_CHECKING:
    from monitor.config import Config
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
    from monitor.rules import load_rules  # imported here: commands without rules start faster

    return load_rules(rules_dir).compile()


def load_group_matcher(config: Config, group_id: str) -> Matcher | None:
    """The compiled rules `group_id` matches with: the common rules with its overlay folder
    on top (rules.load_group_rules), or the common rules alone when it has none; None when
    the common rules folder does not exist yet."""
    overlay = config.for_group(group_id).group_rules
    if overlay is None or not config.settings.rules.exists():
        return load_matcher(config.settings.rules)
    from monitor.rules import load_group_rules  # imported here, as load_matcher does

    return load_group_rules(config.settings.rules, overlay, group_id).compile()


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
