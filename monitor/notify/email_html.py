"""The digest document as one HTML e-mail body that desktop Outlook shows as intended.

Desktop Outlook renders mail with Word's engine: no <style> blocks or classes to rely on, no
flexbox or grid, `max-width` ignored. So every element carries its own inline style, the page
is a 680-pixel table (the `width` attribute is what Outlook obeys; `max-width` lets phones
shrink it), and fonts are the system's. Every text from a source is escaped; only an http(s)
URL becomes a link, so no scraped markup or `javascript:` link reaches the reader.
"""

from __future__ import annotations

from html import escape

from monitor.digest.document import DigestDocument, Entry, Line, Link, Run, Section
from monitor.links import safe_url

WIDTH = 680
FONT = "font-family:'Segoe UI',Calibri,Arial,Helvetica,sans-serif"
# Styles, each said once here so the 100-odd entries of a long digest share the same words.
BODY = f"{FONT};font-size:15px;line-height:1.45;color:#1f1f1f"
H1 = f"margin:0 0 12px 0;{FONT};font-size:24px;line-height:1.25;color:#1f1f1f"
H2 = (
    f"margin:28px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #d0d7de;{FONT};"
    "font-size:19px;line-height:1.3;color:#1f1f1f"
)
P = "margin:0 0 4px 0"
HEADLINE = "margin:18px 0 4px 0;font-size:16px"
LIST = "margin:2px 0 4px 0;padding-left:22px"
ITEM = "margin:0 0 2px 0"
NOTE = "margin:4px 0 0 0;font-size:13px;line-height:1.4;color:#666666"
FOOTER = (
    "margin:28px 0 0 0;padding-top:8px;border-top:1px solid #d0d7de;"
    "font-size:13px;line-height:1.4;color:#666666"
)
A = "color:#0b57d0"  # underlined by default, in Outlook too


# Gmail clips a message whose HTML passes ~102 KB ("[Message clipped]"), hiding the rest behind
# a link; past this budget the later calls are listed with their title and link only.
MAX_HTML = 95_000  # bytes of UTF-8
SHORTENED = {
    "sv": "Resten av utlysningarna visas med titel och länk, så att e-postprogrammet inte klipper "
    "meddelandet; detaljerna finns i textdelen och i `monitor digest`.",
    "en": "The remaining calls are shown with their title and link, so that mail programs do not "
    "clip the message; the details are in the text part and in `monitor digest`.",
}


def as_html(document: DigestDocument) -> str:
    """The page, every call in full if it fits MAX_HTML, else as many as fit (in order) and the
    rest listed compactly: every call is still there and linked."""
    total = sum(len(s.entries) for s in document.sections if not s.compact)
    page = _page(document, total)
    if len(page.encode()) <= MAX_HTML:
        return page
    fits, over = 0, total  # the most calls in full that fit: fewer never make it longer
    while over - fits > 1:
        middle = (fits + over) // 2
        if len(_page(document, middle).encode()) <= MAX_HTML:
            fits = middle
        else:
            over = middle
    return _page(document, fits)


def _page(document: DigestDocument, in_full: int) -> str:
    body = [f'<h1 style="{H1}">{_text(document.title)}</h1>']
    body += [f'<p style="{P}">{line_html(line)}</p>' for line in document.overview]
    left, noted = in_full, False
    for section in document.sections:
        shown = 0 if section.compact else min(left, len(section.entries))  # compact: a list
        if not (section.compact or noted) and shown < len(section.entries):
            noted = True  # said once, where the calls begin to be listed compactly
            language = document.language if document.language in SHORTENED else "en"
            body.append(f'<p style="{NOTE}">{_text(SHORTENED[language])}</p>')
        body += _section(section, shown)
        left -= shown
    if document.footer:
        body.append(f'<p style="{FOOTER}">{_text(document.footer)}</p>')
    inner = "\n".join(body)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(document.language)}">\n'
        "<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(document.title)}</title>\n"
        "</head>\n"
        '<body style="margin:0;padding:0;background-color:#f3f4f6">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="background-color:#f3f4f6">\n'
        '<tr><td align="center" style="padding:16px 8px">\n'
        f'<table role="presentation" width="{WIDTH}" cellpadding="0" cellspacing="0" border="0" '
        f'style="width:100%;max-width:{WIDTH}px;background-color:#ffffff">\n'
        f'<tr><td style="padding:24px 28px;{BODY}">\n'
        f"{inner}\n"
        "</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n"
    )


def line_html(line: Line) -> str:
    return "".join(_run_html(run) for run in line)


def _run_html(run: Run) -> str:
    shown = _text(run.text)
    if run.strong:
        shown = f"<strong>{shown}</strong>"
    url = safe_url(run.url) if isinstance(run, Link) else None
    if url is None:
        return shown
    return f'<a href="{escape(url, quote=True)}" style="{A}">{shown}</a>'


def _section(section: Section, in_full: int) -> list[str]:
    """The section's heading, its first `in_full` entries in full and the rest compactly."""
    out = [f'<h2 style="{H2}">{_text(section.title)}</h2>']
    for entry in section.entries[:in_full]:
        out += _entry(entry)
    rest = [e for e in section.entries[in_full:] if e.lines]
    if rest:
        out.append(f'<ul style="{LIST}">')
        out += [f'<li style="{ITEM}">{line_html(e.lines[0])}</li>' for e in rest]
        out.append("</ul>")
    return out


def _entry(entry: Entry) -> list[str]:
    if not entry.lines:
        return []
    out = [f'<p style="{HEADLINE}">{line_html(entry.lines[0])}</p>']
    facts = [line_html(line) for line in entry.lines[1:]]
    label = _text(entry.mentions_label)
    if len(entry.mentions) == 1:  # said on one line, as in the text part
        facts.append(" ".join(part for part in (label, line_html(entry.mentions[0])) if part))
    if facts:
        # One paragraph, the facts a line each: a 120-call digest stays well under the ~100 KB
        # after which Gmail cuts a message short.
        out.append(f'<p style="{P}">' + "<br>\n".join(facts) + "</p>")
    if len(entry.mentions) > 1:
        if label:
            out.append(f'<p style="{P}">{label}</p>')
        out.append(f'<ul style="{LIST}">')
        out += [f'<li style="{ITEM}">{line_html(m)}</li>' for m in entry.mentions]
        out.append("</ul>")
    if entry.note:
        out.append(f'<p style="{NOTE}">{_text(entry.note)}</p>')
    return out


def _text(text: str) -> str:
    return escape(text, quote=True)
