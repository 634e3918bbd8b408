"""Pure parsing of the portal's topic details (`topicDetails/<identifier>.json`) and of the
budget overview that both the search API and the topic details carry.

The topic details hold what the search API cuts or leaves out: the full `description` (the
search API stops at about 900 characters), the `conditions` (who may apply), the types of
action, the programme divisions by name, and the budget overview with the expected number of
grants and the contribution per grant. The shape is that of
tests/fixtures/eu_portal/topic-details-raw.json, a real answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from monitor.errors import FetchError
from monitor.models import Item
from monitor.text import clean_text


@dataclass(frozen=True)
class BudgetOverview:
    """One topic's rows of a budget overview, summed: amounts are per year, per budget line."""

    total: float | None = None
    expected_grants: int | None = None
    min_contribution: float | None = None
    max_contribution: float | None = None
    deadline_model: str | None = None


@dataclass(frozen=True)
class TopicDetails:
    description: str = ""
    conditions: str = ""
    types_of_action: tuple[str, ...] = ()
    programme_divisions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    cross_cutting_priorities: tuple[str, ...] = ()
    budget: BudgetOverview = BudgetOverview()


def budget_overview(overviews: Iterable[object], identifier: str) -> BudgetOverview:
    """The rows of `budgetTopicActionMap` whose action is this topic ("<ID> - <type>").

    The total sums every year of every such row. The portal writes 0 for "not stated" in
    expectedGrants and min/maxContribution, so 0 counts as absent.
    """
    total, grants = 0.0, 0.0
    found_total = False
    minimums: list[float] = []
    maximums: list[float] = []
    models: list[str] = []
    for entry in _topic_rows(overviews, identifier):
        years = entry.get("budgetYearMap")
        for amount in years.values() if isinstance(years, dict) else []:
            try:
                total += float(amount)
                found_total = True
            except (TypeError, ValueError):
                continue
        grants += max(_number(entry.get("expectedGrants")) or 0, 0)
        minimums += [v for v in [_number(entry.get("minContribution"))] if v]
        maximums += [v for v in [_number(entry.get("maxContribution"))] if v]
        model = entry.get("deadlineModel")
        if isinstance(model, str) and model.strip() and model.strip() not in models:
            models.append(model.strip())
    return BudgetOverview(
        total=total if found_total else None,
        expected_grants=int(grants) or None,
        min_contribution=min(minimums, default=None),
        max_contribution=max(maximums, default=None),
        deadline_model=", ".join(models) or None,
    )


def parse_topic_details(data: object, identifier: str) -> TopicDetails:
    """A topicDetails answer -> TopicDetails; an answer of another shape is a FetchError."""
    topic = data.get("TopicDetails") if isinstance(data, dict) else None
    if not isinstance(topic, dict):
        raise FetchError("svaret har inget 'TopicDetails'-objekt; formatet kan ha ändrats")
    own = topic.get("identifier")
    if isinstance(own, str) and own.strip() and own.strip().lower() != identifier.lower():
        raise FetchError(f"svaret beskriver {own.strip()}, inte {identifier}")
    return TopicDetails(
        description=clean_text(_text(topic.get("description"))),
        conditions=clean_text(_text(topic.get("conditions"))),
        types_of_action=types_of_action(topic.get("actions")),
        programme_divisions=labels(topic.get("programmeDivision")),
        tags=labels(topic.get("tags")),
        cross_cutting_priorities=labels(topic.get("crossCuttingPriorities")),
        budget=budget_overview([topic.get("budgetOverviewJSONItem")], identifier),
    )


def with_details(item: Item, details: TopicDetails, url: str, *, fill_budget: bool = True) -> Item:
    """`item` (as the search API gave it) completed by its topic details.

    Dates, status, title and budget stay as the search API says (they decide change events);
    the details add text and fill what the search row left empty. `fill_budget=False` leaves
    an empty budget empty: learning it for a call stored before is not a change of the call.
    """
    budget = details.budget
    return dataclasses.replace(
        item,
        description=details.description or item.summary,
        conditions=details.conditions,
        types_of_action=details.types_of_action or item.types_of_action,
        programme_divisions=details.programme_divisions or item.programme_divisions,
        tags=details.tags or item.tags,
        cross_cutting_priorities=details.cross_cutting_priorities or item.cross_cutting_priorities,
        budget=item.budget if item.budget is not None or not fill_budget else budget.total,
        expected_grants=budget.expected_grants or item.expected_grants,
        min_contribution=budget.min_contribution or item.min_contribution,
        max_contribution=budget.max_contribution or item.max_contribution,
        deadline_model=budget.deadline_model or item.deadline_model,
        details_url=url,
    )


def types_of_action(actions: object) -> tuple[str, ...]:
    """`actions[].types[].typeOfAction`, e.g. 'HORIZON-RIA HORIZON Research and Innovation
    Actions', each once."""
    found: list[str] = []
    for action in actions if isinstance(actions, list) else []:
        types = action.get("types") if isinstance(action, dict) else None
        for kind in types if isinstance(types, list) else []:
            name = clean_text(_text(kind.get("typeOfAction"))) if isinstance(kind, dict) else ""
            if name and name not in found:
                found.append(name)
    return tuple(found)


def labels(values: object) -> tuple[str, ...]:
    """Strings, or the portal's {id, abbreviation, description} objects, as readable labels."""
    found: list[str] = []
    for value in values if isinstance(values, list) else []:
        if isinstance(value, dict):
            value = value.get("description") or value.get("abbreviation")
        label = clean_text(_text(value))
        if label and label not in found:
            found.append(label)
    return tuple(found)


def _topic_rows(overviews: Iterable[object], identifier: str) -> Iterable[dict[str, Any]]:
    for overview in overviews:
        actions = overview.get("budgetTopicActionMap") if isinstance(overview, dict) else None
        for entries in actions.values() if isinstance(actions, dict) else []:
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict):
                    continue
                action = str(entry.get("action", ""))
                if action.split(" - ")[0].strip().lower() == identifier.lower():
                    yield entry


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value) if isinstance(value, int | float | str) else None
    except ValueError:
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
