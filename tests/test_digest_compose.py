"""The digest's one document: what it says (sections, cards, counts, the subject) in plain text,
and what the Slack and Markdown renderers make of it (escaped, links only to http(s))."""

from __future__ import annotations

import json
import re

from helpers.sample_digests import digest_of, item
from monitor.digest.compose import compose
from monitor.digest.document import Link, Text
from monitor.digest.model import Change, Mention, SourceProblem
from monitor.notify.i18n import Words
from monitor.notify.markdown import as_markdown
from monitor.notify.slack_blocks import slack_messages

SV, EN = Words("sv"), Words("en")
EVIL_TITLE = "<script>alert(1)</script> *bold* _it_ [x](https://evil.example) <!channel> & co"


def evil_digest():
    evil = item(
        1,
        title=EVIL_TITLE,
        url="javascript:alert(1)",
        source="<b>Source</b>",
        mentions=(Mention("<img src=x onerror=alert(1)>", "javascript:void(0)", "<i>S</i>"),),
    )
    return digest_of(new_by_area={"klimat-miljo": [evil]})


def test_the_document_has_the_sections_in_the_digests_order_with_their_titles():
    digest = digest_of(
        new_by_area={"klimat-miljo": [item(1), item(2)], "utbildning": [item(3, "utbildning")]},
        maybe=[item(4), item(5)],
        closing_soon=[item(6)],
        news=[item(7, kind="news")],
        unhealthy=[SourceProblem("skr", "SKR", "no items", None)],
    )
    document = compose(digest, SV)
    assert [(s.key, s.title) for s in document.sections] == [
        ("area:klimat-miljo", "Klimat och miljö: 2 nya utlysningar"),
        ("area:utbildning", "Utbildning, barn och unga: 1 ny utlysning"),
        ("maybe", "Kanske också (2)"),
        ("closing_soon", "Stänger snart (1)"),
        ("news", "Nyheter från nätverk och myndigheter (1)"),
        ("unhealthy", "Källor som inte fungerar (1)"),
    ]
    area = document.sections[0]
    assert area.area == "klimat-miljo" and area.area_name == "Klimat och miljö"
    assert document.section("maybe").compact and not area.compact
    assert document.title == "EU-bevakning vecka 48" and document.week == 48
    new_line = document.overview[1]
    assert [r for r in new_line if r.strong] == [Text("Nya utlysningar: 3", strong=True)]


def test_a_call_is_an_entry_of_plain_lines_with_its_mentions_and_note_apart():
    call = item(
        1,
        areas=("klimat-miljo", "kultur"),
        mentions=tuple(Mention(f"News {n}", f"https://skr.se/{n}", "SKR") for n in range(5)),
        changes=(Change("status", "forthcoming", "open"),),
    )
    (entry,) = compose(digest_of(new_by_area={"klimat-miljo": [call]}), SV).sections[0].entries
    assert entry.lines[0] == (
        Link(
            "Climate adaptation in small towns, part 1",
            "https://ec.europa.eu/topic-details/CALL-1",
            strong=True,
        ),
    )
    assert [line[0].text for line in entry.lines[1:]] == [
        "CALL-1 · LIFE · öppen",
        "Sista dag 3 dec 2026 (om 9 dagar)",
        "Budget: 4,5 mn € totalt",
        "Ändrat: status kommande → öppen",
    ]
    assert entry.mentions_label == "Nämns i:"
    assert len(entry.mentions) == 3  # the best three of five
    assert entry.mentions[0] == (Link("News 0", "https://skr.se/0"), Text(" (SKR)"))
    assert entry.note == (
        "Varför: climate adaptation, municipalities · Även inom: Kultur och fritid · "
        "Källa: EU Funding & Tenders Portal"
    )
    assert entry.item_id == "eu-portal:CALL-1"


def test_scraped_markup_stays_plain_text_in_the_document():
    document = compose(evil_digest(), SV)
    (entry,) = document.sections[0].entries
    assert entry.lines[0][0] == Link(EVIL_TITLE, "javascript:alert(1)", strong=True)
    assert entry.note.endswith("Källa: <b>Source</b>")  # not &lt;b&gt;: escaping is a renderer's


def test_slack_escapes_every_scraped_text_and_links_only_http():
    messages = slack_messages(compose(evil_digest(), SV), SV, channel="#eu")
    text = json.dumps([m.payload for m in messages], ensure_ascii=False)
    for raw in ("<script>", "<img", "<b>", "<i>", "<!channel>", "javascript:", "<https://evil"):
        assert raw not in text
    assert "*&lt;script&gt;alert(1)&lt;/script&gt; *bold*" in text
    assert "_Varför: climate adaptation, municipalities · Källa: &lt;b&gt;Source&lt;/b&gt;_" in text


def test_an_area_with_a_channel_of_its_own_gets_a_short_top_and_its_thread_there():
    digest = digest_of(new_by_area={"utbildning": [item(1, "utbildning")]}, maybe=[item(2)])
    routes = {"utbildning": "#eu-skola"}
    messages = slack_messages(compose(digest, SV), SV, channel="#eu", area_channels=routes)
    copies = [m for m in messages if m.target == "#eu-skola"]
    assert [m.parent for m in copies] == [None, copies[0].key]
    assert messages[-1].text == "Utbildning, barn och unga: 1 ny utlysning"
    assert messages[-2].text == "EU-bevakning vecka 48: Utbildning, barn och unga"


def test_titles_and_briefs_are_clipped_in_the_document():
    long = item(1, title="T" * 300, summary="S" * 500, types_of_action=("A" * 200,))
    (entry,) = compose(digest_of(new_by_area={"klimat-miljo": [long]}), SV).sections[0].entries
    title = entry.lines[0][0].text
    assert len(title) == 250 and title.endswith("…")
    texts = [line[0].text for line in entry.lines[1:]]
    assert any(len(t) == 400 and t.startswith("SSS") and t.endswith("…") for t in texts)
    assert any(t.endswith("A…") and len(t.split("Typ av insats: ")[1]) == 120 for t in texts)


def test_the_subject_counts_the_new_calls_or_says_why_there_are_none():
    one = digest_of(new_by_area={"klimat-miljo": [item(1)]})
    three = digest_of(new_by_area={"klimat-miljo": [item(1), item(2)], "kultur": [item(3)]})
    only_news = digest_of(news=[item(4, kind="news")])
    failed = digest_of(
        unhealthy=[SourceProblem("eu", "EU", "", None, failures=2, error="timeout")],
        all_sources_failed=True,
    )
    assert compose(one, SV).subject == "EU-bevakning vecka 48: 1 ny utlysning"
    assert compose(three, SV).subject == "EU-bevakning vecka 48: 3 nya utlysningar"
    assert compose(three, EN).subject == "EU monitoring week 48: 3 new calls"
    assert compose(one, EN).subject == "EU monitoring week 48: 1 new call"
    assert compose(only_news, SV).subject == "EU-bevakning vecka 48: inga nya utlysningar"
    assert compose(digest_of(), SV).subject == "EU-bevakning vecka 48: inget nytt"
    assert compose(failed, SV).subject == "EU-bevakning vecka 48: inga källor kunde läsas"
    assert compose(failed, SV).overview[1][0].text.startswith("Inga nya utlysningar kunde hämtas")


def test_markdown_escapes_scraped_text_and_links_only_http():
    markdown = as_markdown(compose(evil_digest(), SV))
    assert re.findall(r"(?<!\\)<", markdown) == []  # every < escaped: no HTML survives
    assert "javascript" not in markdown
    title = r"\<script\>alert(1)\</script\> \*bold\* \_it\_ \[x\](https://evil.example)"
    assert f"- **{title} \\<!channel\\> \\& co**" in markdown
    # Only the source's own link is a link: the text's "[x](...)" is escaped.
    assert re.findall(r"(?<!\\)\]\(", markdown) == []


def test_markdown_shows_the_digest_as_headings_and_lists():
    call = item(
        1,
        title="Städer & klimat [2030]",
        summary="- 2030. Not a list",
        mentions=(Mention("Nyhet (del 1)", "https://skr.se/a(b)", "SKR"),),
    )
    digest = digest_of(new_by_area={"klimat-miljo": [call]}, maybe=[item(2)])
    markdown = as_markdown(compose(digest, SV))
    assert markdown.startswith("# EU-bevakning vecka 48\n\nNytt sedan 17 nov 2026.\n\n")
    assert "- **Nya utlysningar: 1** (Klimat och miljö 1)\n- Kanske också: 1\n" in markdown
    assert "## Klimat och miljö: 1 ny utlysning\n\n" in markdown
    card = (
        "- **[Städer \\& klimat \\[2030\\]](https://ec.europa.eu/topic-details/CALL-1)**  \n"
        "  CALL-1 · LIFE · öppen  \n"
    )
    assert card in markdown
    assert "  \\- 2030. Not a list  \n" in markdown  # a brief never opens a list
    assert "  Nämns i: [Nyhet (del 1)](https://skr.se/a%28b%29) (SKR)  \n" in markdown
    assert (
        "  *Varför: climate adaptation, municipalities · Källa: EU Funding \\& Tenders" in markdown
    )
    assert "## Kanske också (1)\n\n- [Climate adaptation in small towns, part 2](" in markdown
