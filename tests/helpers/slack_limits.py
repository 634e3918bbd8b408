"""Slack's limits on a message, checked on rendered digest parts."""

from __future__ import annotations

from monitor.notify.slack_blocks import (
    MAX_BLOCKS,
    MAX_HEADER_TEXT,
    MAX_PART_CHARS,
    MAX_SECTION_TEXT,
    block_chars,
)


def assert_within_slack_limits(parts):
    for part in parts:
        assert part.text, "every message needs a plain fallback text"
        assert len(part.blocks) <= MAX_BLOCKS
        assert block_chars(part.blocks) <= MAX_PART_CHARS
        for block in part.blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= MAX_HEADER_TEXT
