"""The scheduler's own digest job (`monitor serve`): without Slack it prints, and says so."""

from __future__ import annotations

from datetime import date

from monitor.clock import Clock
from monitor.config import load_config
from monitor.schedule import weekly_digest
from monitor.sources.kinds import KINDS
from monitor.store import open_store


def test_without_slack_the_digest_job_prints_the_digest_and_says_it_was_not_sent(
    write_config, monkeypatch, capsys
):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    path = write_config('[settings]\ndatabase = "monitor.db"\n\n[slack]\nchannel = "#kommunen"\n')
    config = load_config(path, kinds=KINDS)
    store = open_store(config.settings.database)

    outcome = weekly_digest(config, store, Clock(date(2027, 3, 1)))

    assert outcome == (
        "No notifier (Slack, Teams, e-mail) is set up: the digest was printed, not sent"
    )
    printed = capsys.readouterr().out
    assert printed.startswith("EU-bevakning vecka 9\n")  # the week of the clock's day
    assert "Inget nytt den här veckan." in printed
    assert store.db["digests"].count == 0  # printed, not recorded: the next digest covers it
