"""A digest as Slack messages, text and Markdown: within limits, escaped, nothing lost."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from helpers.sample_digests import digest_of, item, slack_parts
from helpers.slack_limits import assert_within_slack_limits
from monitor.config import Config, Settings
from monitor.digest.compose import compose
from monitor.digest.model import Change, Mention, SourceProblem
from monitor.links import safe_url
from monitor.notify.i18n import Words
from monitor.notify.markdown import as_markdown
from monitor.notify.mrkdwn import escape, link
from monitor.notify.plain_text import as_text
from monitor.notify.slack import slack_preview


def all_block_text(parts) -> str:
    return "\n".join(json.dumps(p.blocks, ensure_ascii=False) for p in parts)


def test_top_message_has_the_week_and_counts_per_section_and_area():
    digest = digest_of(
        new_by_area={"klimat-miljo": [item(1), item(2)], "utbildning": [item(3, "utbildning")]},
        closing_soon=[item(4)],
        unhealthy=[SourceProblem("skr", "SKR", "failed 3 runs in a row: HTTP 500", None)],
    )
    top, *replies = slack_parts(digest, Words("sv"), channel="#eu-bevakning")
    assert top.parent is None and top.channel == "#eu-bevakning"
    assert top.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "EU-bevakning vecka 48"},
    }
    summary = top.blocks[1]["text"]["text"]
    assert "Nytt sedan 17 nov 2026." in summary
    assert "*Nya utlysningar: 3* (Klimat och miljö 2, Utbildning, barn och unga 1)" in summary
    assert "Stänger snart: 1" in summary and "Källor som inte fungerar: 1" in summary
    assert [r.key for r in replies] == [
        "area:klimat-miljo:1",
        "area:utbildning:1",
        "closing_soon:1",
        "unhealthy:1",
    ]
    assert all(r.parent == "top" for r in replies)


def test_a_call_shows_link_identifier_programme_status_deadline_budget_phrases_source():
    digest = digest_of(new_by_area={"klimat-miljo": [item(1, areas=("klimat-miljo", "kultur"))]})
    reply = slack_parts(digest, Words("sv"), channel="#eu")[1]
    text = reply.blocks[1]["text"]["text"]
    assert text.splitlines() == [
        "*<https://ec.europa.eu/topic-details/CALL-1|Climate adaptation in small towns, part 1>*",
        "CALL-1 · LIFE · öppen",
        "Sista dag 3 dec 2026 (om 9 dagar)",
        "Budget: 4,5 mn € totalt",
        "_Varför: climate adaptation, municipalities · Även inom: Kultur och fritid · "
        "Källa: EU Funding &amp; Tenders Portal_",
    ]


def test_a_deadline_with_a_known_time_says_brussels_and_one_without_gives_the_date_alone():
    timed = item(1, deadline_time="17:00")
    digest = digest_of(new_by_area={"klimat-miljo": [timed, item(2)]})
    reply = slack_parts(digest, Words("sv"), channel="#eu")[1]
    first, second = (block["text"]["text"] for block in reply.blocks[1:])
    assert "Sista dag 3 dec 2026 kl. 17:00 (Bryssel) (om 9 dagar)" in first
    assert "Sista dag 3 dec 2026 (om 9 dagar)" in second and "kl." not in second


def test_english_on_request():
    digest = digest_of(new_by_area={"klimat-miljo": [item(1)]})
    top, reply = slack_parts(digest, Words("en"), channel="#eu")
    assert top.blocks[0]["text"]["text"] == "EU monitoring week 48"
    text = reply.blocks[1]["text"]["text"]
    assert "Deadline 3 Dec 2026 (in 9 days)" in text and "Budget: €4.5m in total" in text


def test_three_hundred_calls_are_split_within_the_limits_and_none_is_lost():
    calls = [
        item(n, title=f"Call number {n} " + "with a long descriptive title " * 6)
        for n in range(300)
    ]
    digest = digest_of(new_by_area={"klimat-miljo": calls})
    parts = slack_parts(digest, Words("sv"), channel="#eu")
    assert_within_slack_limits(parts)
    replies = parts[1:]
    assert len(replies) >= 7  # 300 calls cannot fit under 50 blocks a message
    assert replies[0].text.endswith(f"(1/{len(replies)})") and "forts." not in replies[0].text
    assert replies[1].text.endswith(f"(forts. 2/{len(replies)})")
    shown = re.findall(r"CALL-(\d+)\|Call", all_block_text(replies))  # the linked titles
    assert sorted(map(int, shown)) == list(range(300))  # each call exactly once


def test_mrkdwn_from_sources_pings_nobody_and_only_http_links_link():
    evil = item(
        1,
        title="<!channel> Free money <@U123> <https://evil.example|click> & more",
        url="javascript:alert(1)",
        source="<!here>",
        phrases=("<@U999>",),
    )
    digest = digest_of(new_by_area={"klimat-miljo": [evil]})
    text = all_block_text(slack_parts(digest, Words("sv"), channel="#eu"))
    for dangerous in ("<!channel>", "<@U123>", "<https://evil", "<!here>", "<@U999>", "javascript"):
        assert dangerous not in text
    assert "&lt;!channel&gt; Free money &lt;@U123&gt;" in text
    assert safe_url("https://x.se/a|b>c d") == "https://x.se/a%7Cb%3Ec%20d"
    assert link("ftp://x.se/f", "F & G") == "F &amp; G"
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_changes_news_and_mentions_are_shown():
    changed = item(
        1,
        changes=(
            Change("deadlines", "2026-11-05", "2026-12-03"),
            Change("status", "forthcoming", "open"),
        ),
    )
    news = item(
        2,
        kind="news",
        title="Nu kan kommuner söka vänortsstöd",
        url="https://skr.se/n1",
        published=datetime(2026, 11, 19, 9, tzinfo=UTC),
        mentions=(Mention("Town twinning", "https://ec.europa.eu/tt", "EU-portalen"),),
    )
    digest = digest_of(changed=[changed], news=[news])
    parts = slack_parts(digest, Words("sv"), channel="#eu")
    text = all_block_text(parts)
    assert "Ändrat: sista dag 5 nov 2026 → 3 dec 2026; status kommande → öppen" in text
    assert "Gäller utlysningen: <https://ec.europa.eu/tt|Town twinning> (EU-portalen)" in text
    assert "19 nov 2026" in text


def test_an_area_with_its_own_channel_gets_its_thread_there_too():
    digest = digest_of(new_by_area={"utbildning": [item(1, "utbildning")]})
    parts = slack_parts(
        digest, Words("sv"), channel="#eu", area_channels={"utbildning": "#eu-skola"}
    )
    local = [p for p in parts if p.channel == "#eu-skola"]
    assert [p.key for p in local] == ["top@#eu-skola", "area:utbildning@#eu-skola:1"]
    assert local[1].parent == "top@#eu-skola"


def test_an_empty_digest_says_so():
    top, *rest = slack_parts(digest_of(), Words("sv"), channel="#eu")
    assert rest == []
    assert "Inget nytt den här veckan." in top.blocks[1]["text"]["text"]


def test_text_and_markdown_show_the_same_digest():
    digest = digest_of(new_by_area={"klimat-miljo": [item(1, title="Städer & klimat <2030>")]})
    parts = slack_parts(digest, Words("sv"), channel="#eu")
    document = compose(digest, Words("sv"))
    text = as_text(document)
    assert text.startswith("EU-bevakning vecka 48\n=====================\n")
    assert "  - Städer & klimat <2030> (https://ec.europa.eu/topic-details/CALL-1)" in text
    markdown = as_markdown(document)
    assert markdown.startswith("# EU-bevakning vecka 48\n")
    assert "## Klimat och miljö: 1 ny utlysning" in markdown
    # Markdown escapes what could become markup or HTML; a reader sees "Städer & klimat <2030>"
    assert (
        "- **[Städer \\& klimat \\<2030\\>](https://ec.europa.eu/topic-details/CALL-1)**"
        in markdown
    )
    preview = slack_preview(document, Config(path=None, settings=Settings()), Words("sv"))
    assert preview[1]["thread_of"] == "top" and preview[1]["blocks"] == parts[1].blocks
