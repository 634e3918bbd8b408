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
                if "accessory" in block:
                    assert_overflow_within_limits(block["accessory"])
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= MAX_HEADER_TEXT


def assert_overflow_within_limits(menu):
    """An overflow menu as Block Kit allows it: 2 to 5 options, each a plain_text text of at
    most 75 characters and a value of at most 150 (docs.slack.dev, overflow menu element)."""
    assert menu["type"] == "overflow" and 0 < len(menu["action_id"]) <= 255
    assert 2 <= len(menu["options"]) <= 5
    for option in menu["options"]:
        assert option["text"]["type"] == "plain_text"
        assert 0 < len(option["text"]["text"]) <= 75
        assert 0 < len(option["value"]) <= 150
