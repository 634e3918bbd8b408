"""Showing a chosen digest: Slack Block Kit parts, plain text, Markdown; and sending to Slack."""
