"""Make the yearly report from a config and a store: the one place that knows both."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from monitor.config import Config
from monitor.matching import load_group_matcher
from monitor.models import DEFAULT_GROUP
from monitor.report.blocks import Document
from monitor.report.document import compose
from monitor.report.gather import gather_report
from monitor.report.html import render_html
from monitor.report.markdown import render_markdown
from monitor.report.words import ReportWords
from monitor.store import Store

FORMATS = ("markdown", "html")


def build_report(
    config: Config, store: Store, year: int, today: date, *, group: str = DEFAULT_GROUP
) -> Document:
    # the group's areas (its own folder on top); None without rules: areas show their ids
    matcher = load_group_matcher(config, group)
    area_names = {a.id: a.name for a in matcher.areas} if matcher is not None else {}
    data = gather_report(
        store.db,
        year=year,
        zone=ZoneInfo(config.settings.timezone),
        today=today,
        area_names=area_names,
        source_names={s.id: s.name for s in config.sources},
        group=group,
    )
    return compose(data, ReportWords(config.settings.language))


def render(doc: Document, fmt: str) -> str:
    return render_html(doc) if fmt == "html" else render_markdown(doc)
