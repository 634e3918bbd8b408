"""Between the store and the rules: match stored items to areas and keep the outcome.

For each item and group: its areas (with score and the phrases that hit) in `matches`, and its
tier (relevant, maybe, no), its learned score and whether it is in the digest's main list (see
store/matches.py). Each group judges with its own rules, and only the items of the sources
that serve it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.config import Config
from monitor.models import DEFAULT_GROUP
from monitor.store import Store
from monitor.store.matches import ItemVerdict, StoredMatch, rows_to_match, save_verdicts

if TYPE_CHECKING:
    from monitor.rules import Matcher, RuleSet, Verdict

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


def load_matcher(
    rules_dir: Path, overlay: Path | None = None, group: str = DEFAULT_GROUP
) -> Matcher | None:
    """The compiled rules (with a group's `overlay` folder on top, see rules/overlay.py), or
    None when the rules folder does not exist yet (no matching).

    A folder that exists but holds a broken rule file raises RuleError: no half rule sets.
    """
    if not rules_dir.exists():
        return None
    key = _rules_key(rules_dir) + (_rules_key(overlay) if overlay is not None else b"")
    cached = _compiled.get((rules_dir, overlay))
    if cached is not None and cached[0] == key:
        return cached[1]
    rules = _common_rules(rules_dir)
    if overlay is not None:
        from monitor.rules.overlay import overlay_rules

        rules = overlay_rules(rules, overlay, group)
    matcher = rules.compile()
    _compiled[(rules_dir, overlay)] = (key, matcher)
    return matcher


# A run asks for the rules more than once (matching, then the digest's areas, Slack's area
# channels); compiling them is the costly part, so the last matcher per folder (and group
# folder) is kept for as long as the rule files hold the very same bytes (monitor serve sees
# edits). The common rules are read once for every group's overlay.
_compiled: dict[tuple[Path, Path | None], tuple[bytes, Matcher]] = {}
_loaded: dict[Path, tuple[bytes, RuleSet]] = {}


def _common_rules(rules_dir: Path) -> RuleSet:
    from monitor.rules import load_rules  # imported here: commands without rules start faster

    key = _rules_key(rules_dir)
    cached = _loaded.get(rules_dir)
    if cached is None or cached[0] != key:
        cached = (key, load_rules(rules_dir))
        _loaded[rules_dir] = cached
    return cached[1]


def _rules_key(rules_dir: Path) -> bytes:
    digest = hashlib.sha256()
    for path in sorted(rules_dir.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def load_group_matcher(config: Config, group_id: str) -> Matcher | None:
    """The compiled rules of one group: the common rules, with the group's own folder on top
    when [[groups]] gives it one. None when the common rules folder does not exist.

    A broken rule file is a RuleError naming its file and line; one in the group's folder also
    names the group (rules/overlay.py), one in the common rules none, since it is every
    group's."""
    return load_matcher(config.settings.rules, _overlay(config, group_id), group_id)


def _overlay(config: Config, group_id: str) -> Path | None:
    # for_group is the one lookup of a group (an unknown one is its one-line error)
    return config.for_group(group_id).group_rules


def load_matchers(config: Config) -> dict[str, Matcher | None]:
    """Every group's rules, loaded before anything is fetched: broken rules of any group stop
    the run, naming the group. The groups on the common rules alone share one matcher (290
    kommuner need not compile the same rules 290 times)."""
    matchers: dict[str, Matcher | None] = {}
    common: dict[str, Matcher | None] = {}
    for group_id in config.group_ids:
        if _overlay(config, group_id) is None and common:
            matchers[group_id] = next(iter(common.values()))
            continue
        matchers[group_id] = load_group_matcher(config, group_id)
        if _overlay(config, group_id) is None:
            common[group_id] = matchers[group_id]
    return matchers


def sources_not_serving(config: Config, group_id: str) -> set[str]:
    """The configured sources whose items `group_id` does not judge (`groups = [...]` leaves
    it out). Items of a source no longer configured are judged by every group, as before."""
    serving = {s.id for s in config.sources_of(group_id)}
    return {s.id for s in config.sources if s.id not in serving}


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
    store: Store,
    matcher: Matcher,
    item_ids: Iterable[str] | None,
    now: datetime,
    *,
    group: str = DEFAULT_GROUP,
    not_sources: Collection[str] = (),
) -> int:
    """Match the given items (every item when None) for `group`, replacing what it had stored
    and stamping them `now`, but not the items of `not_sources` (the sources that do not
    serve it); returns how many of them are relevant."""
    rows = rows_to_match(store.db, item_ids, not_sources=not_sources)
    stamp = now.isoformat(timespec="seconds")
    verdicts = [_verdict(row["id"], matcher.match(item_fields(row))) for row in rows]
    save_verdicts(store.db, verdicts, stamp, group=group)
    return sum(v.relevant for v in verdicts)


def _verdict(item_id: str, verdict: Verdict) -> ItemVerdict:
    areas = tuple(StoredMatch(m.area, m.score, tuple(m.phrases)) for m in verdict.areas)
    return ItemVerdict(item_id, bool(verdict.relevant), areas, verdict.tier, verdict.score)
