"""The digest as each notifier would send it, for reading before it is sent
(`monitor digest --format`): plain text, Markdown, Slack's Block Kit JSON, the Teams cards'
JSON, the e-mail's HTML part."""

from __future__ import annotations

import json

from monitor.config import Config
from monitor.digest.document import DigestDocument
from monitor.notify.i18n import Words


def render(document: DigestDocument, fmt: str, config: Config, words: Words) -> str:
    if fmt == "markdown":
        from monitor.notify.markdown import as_markdown

        return as_markdown(document)
    if fmt == "blocks":
        from monitor.notify.slack import slack_preview

        return _json(slack_preview(document, config, words))
    if fmt == "teams":
        from monitor.notify.adaptive_cards import teams_messages

        return _json([m.payload for m in teams_messages(document, words)])
    if fmt == "email-html":
        from monitor.notify.email_html import as_html

        return as_html(document)
    from monitor.notify.plain_text import as_text

    return as_text(document)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
