"""Without -v a command's stderr carries our own plain lines only; -v shows every record."""

from __future__ import annotations

import io
import logging

from monitor.log_setup import handler


def _said(detailed: bool) -> str:
    stream = io.StringIO()
    logger_handler = handler(detailed, stream)
    records = [
        ("slack_sdk.web.base_client", logging.ERROR, "Failed to send a request to Slack API"),
        ("monitor.store.busy", logging.WARNING, "databasen monitor.db används av ett annat"),
        ("monitor.pipeline", logging.ERROR, "källan x misslyckades oväntat"),
    ]
    for name, level, message in records:
        record = logging.LogRecord(name, level, __file__, 1, message, None, None)
        if name == "monitor.pipeline":
            try:
                raise ZeroDivisionError("division by zero")
            except ZeroDivisionError as exc:
                record.exc_info = (type(exc), exc, exc.__traceback__)
        if logger_handler.filter(record):
            logger_handler.emit(record)
    return stream.getvalue()


def test_without_verbose_the_user_sees_our_plain_lines_without_logger_names():
    assert _said(detailed=False).splitlines() == [
        "varning: databasen monitor.db används av ett annat",
        "fel: källan x misslyckades oväntat",  # no traceback: that is -v's
    ]


def test_verbose_shows_the_libraries_records_with_level_and_logger():
    said = _said(detailed=True)
    assert "ERROR slack_sdk.web.base_client: Failed to send a request to Slack API" in said
    assert "WARNING monitor.store.busy: databasen monitor.db" in said
    assert "ZeroDivisionError" in said
