"""Web pages for the document kinds: decoding with the right charset, the text of a page's main
content with its lines kept, links made absolute, and the checks on a kind's `url` option."""

from __future__ import annotations

import codecs
import re
import warnings
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from monitor.errors import FetchError
from monitor.options import OptionError
from monitor.sources.dated_url import check_placeholders

# BeautifulSoup (and soupsieve, ~0.1 s to import) only where a page is parsed: a feed source
# loads it for its first detail page, not at start-up for check_url and http_link.
if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Elements that start a new line of text; inline ones (span, a, strong) do not.
_BLOCKS = (
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
)  # fmt: skip
_SPACES = re.compile(r"[^\S\n]+")


def check_url(url: str, key: str = "url") -> None:
    """For an options dataclass's __post_init__: config loading then names the key and line.
    A day placeholder (`{today-730d}`, see dated_url) is allowed and checked."""
    check_placeholders(url, key)
    try:
        parts = urlsplit(url)
        web = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. "http://[::1"
        web = False
    if not web:
        raise OptionError(f"{url!r} is not a web address; write it as https://…", key)


def decode_markup(content: bytes, declared: str | None) -> str:
    """A page's bytes as text: a BOM, else valid UTF-8, else the HTTP header's charset, else the
    page's own <meta charset>, else Windows-1252. Text that no charset decodes cleanly is an error
    rather than stored with replacement characters.

    Valid UTF-8 wins over a declared single-byte charset: a UTF-8 page declared as Latin-1 (a
    common server default) would otherwise become "Ã¶" for "ö", and Latin-1 Swedish text is
    practically never valid UTF-8. Latin-1 and ASCII labels are read as Windows-1252, as browsers
    do (the WHATWG Encoding Standard): pages so labelled use its en dash and curly quotes.
    """
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return _decode(content, codec, "dess byte order mark (BOM)")
    header = _codec(declared)
    if header and header.startswith(("utf-16", "utf-32")):
        return _decode(content, header, f"den angivna teckenkodningen {declared}")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from bs4.dammit import EncodingDetector

    in_page = _codec(EncodingDetector.find_declared_encoding(content, is_html=True))
    if in_page and in_page.startswith(("utf-16", "utf-32")):
        in_page = None  # a page that can say so in ASCII is not in UTF-16
    for codec in dict.fromkeys(c for c in (header, in_page, "cp1252") if c):
        try:
            return content.decode(codec)
        except UnicodeDecodeError:
            continue
    said = f"angiven: {declared}" if declared else "ingen angiven"
    raise FetchError(f"texten kan inte avkodas med någon teckenkodning ({said})")


def html_soup(content: bytes, declared: str | None) -> BeautifulSoup:
    """The page parsed with the standard library's parser, which expands no entities."""
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
    from bs4.builder import ParserRejectedMarkup, XMLParsedAsHTMLWarning

    text = decode_markup(content, declared)
    with warnings.catch_warnings():
        # An XML or very short document is still read as HTML, quietly.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        try:
            return BeautifulSoup(text, "html.parser")
        except (ParserRejectedMarkup, AssertionError) as exc:
            raise FetchError(f"sidan är inte läsbar HTML ({exc})") from exc


def block_text(element: Tag) -> str:
    """An element's text with a line per block element (a status chip stays one line)."""
    for br in element.find_all("br"):
        br.replace_with("\n")
    for block in element.find_all(_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    lines = (_SPACES.sub(" ", line).strip() for line in element.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def page_text(soup: BeautifulSoup) -> str:
    """The text of a page's main content: <main> when there is one, else the body less its
    navigation, header, footer and asides (a menu link "Stängda utlysningar" is not a status)."""
    for hidden in soup.find_all(["script", "style", "noscript", "template", "svg"]):
        hidden.decompose()
    root = soup.find("main") or soup.find(None, {"role": "main"})
    if root is None:
        root = soup.body or soup
        for chrome in root.find_all(["nav", "header", "footer", "aside"]):
            if chrome.find_parent("article") is None:
                chrome.decompose()
    return block_text(root)


def http_link(href: str | None, base: str) -> str | None:
    """`href` made absolute against `base`; None unless it is an http(s) address."""
    if not href or not href.strip():
        return None
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def document_base(soup: BeautifulSoup, url: str) -> str:
    """What relative links resolve against: the page's <base href>, else its address."""
    from bs4 import Tag

    base = soup.find("base", href=True)
    if isinstance(base, Tag):
        return http_link(str(base["href"]), url) or url
    return url


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None  # an unknown charset name is as good as none
    return "cp1252" if codec in ("iso8859-1", "ascii") else codec


def _decode(content: bytes, codec: str, why: str) -> str:
    try:
        return content.decode(codec)
    except UnicodeDecodeError as exc:
        raise FetchError(f"texten stämmer inte med {why} ({exc.reason})") from exc
