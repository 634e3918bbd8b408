"""What a fetched page says about the site behind it: the platform it runs and the feeds and
APIs it offers. Pure; `monitor sources check` shows it beside each source.

Why: the usual reason an `html` source finds nothing is a selector written for another CMS
(Sitevision's `.sv-channel-item` on a Drupal site). The page itself names its platform (a
generator tag, the platform's asset paths) and often a better way in: a feed in
`<link rel="alternate">`, WordPress's REST root (`<link rel="https://api.w.org/">`), a
Sitevision list's RSS portlet (`….portlet?state=rss`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from monitor.errors import FetchError
from monitor.sources.markup import html_soup, http_link

SITEVISION, WORDPRESS, DRUPAL, OPTIMIZELY = "Sitevision", "WordPress", "Drupal", "Optimizely"

# Words in <meta name="generator"> (or a feed's <generator>) -> platform.
_GENERATORS = (
    (re.compile(r"wordpress", re.I), WORDPRESS),
    (re.compile(r"drupal", re.I), DRUPAL),
    (re.compile(r"sitevision", re.I), SITEVISION),
    (re.compile(r"episerver|optimizely", re.I), OPTIMIZELY),
)
# Paths each platform serves its files and assets from, seen in src/href attributes.
_ASSET_PATHS = (
    (re.compile(r"/wp-(?:content|includes)/|/wp-json/"), WORDPRESS),
    (re.compile(r"/sites/[^/]+/files/|/core/misc/|/modules/contrib/"), DRUPAL),
    (re.compile(r"/sitevision/|/webdav/files/|/download/18\.|\.portlet\?"), SITEVISION),
    (re.compile(r"/globalassets/|/contentassets/|/episerver/", re.I), OPTIMIZELY),
)
# Class names a selector may use that only one platform writes.
_SELECTOR_CLASSES = (
    (re.compile(r"\.sv-"), SITEVISION),
    (re.compile(r"\.views-|\.node--"), DRUPAL),
    (re.compile(r"\.wp-block-|\.hentry\b"), WORDPRESS),
)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_SITEVISION_RSS = re.compile(r"\.portlet\?(?:[^\"'\s]*&)?state=rss", re.I)


@dataclass(frozen=True)
class Offer:
    what: str  # "RSS feed", "WordPress REST API", "Sitevision RSS portlet"
    url: str


@dataclass(frozen=True)
class PageSignals:
    platform: str | None = None
    why: str = ""  # what gave the platform away: "generator tag", "/wp-content/ paths"
    offers: tuple[Offer, ...] = ()


def read_signals(content: bytes, content_type: str, charset: str | None, url: str) -> PageSignals:
    """The platform and offers of a fetched document; nothing for what is not a page or feed."""
    head = content[:4096].lstrip().lower()
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")):
        try:
            soup = html_soup(content, charset)
        except FetchError:
            return PageSignals()
        return _page_signals(soup, url)
    if "xml" in content_type or head.startswith(b"<?xml") or b"<rss" in head:
        generator = re.search(rb"<generator[^>]*>([^<]{1,200})</generator>", content[:8192])
        said = generator.group(1).decode("utf-8", "replace") if generator else ""
        platform = _generator_platform(said)
        return PageSignals(platform, "the feed's generator" if platform else "")
    return PageSignals()


def _page_signals(soup: BeautifulSoup, url: str) -> PageSignals:
    platform, why = None, ""
    for meta in soup.find_all("meta", attrs={"name": re.compile(r"^generator$", re.I)}):
        platform = _generator_platform(str(meta.get("content") or ""))
        if platform:
            why = "generator tag"
            break
    if platform is None and soup.find("link", rel="https://api.w.org/") is not None:
        platform, why = WORDPRESS, "its REST API link"
    if platform is None:
        platform, why = _asset_platform(soup)
    return PageSignals(platform, why, _offers(soup, url))


def _generator_platform(text: str) -> str | None:
    return next((name for words, name in _GENERATORS if words.search(text)), None)


def _asset_platform(soup: BeautifulSoup) -> tuple[str | None, str]:
    """The platform whose asset paths the page uses most (a page may embed another's widget)."""
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for element in soup.find_all(src=True) + soup.find_all(href=True):
        value = str(element.get("src") or element.get("href") or "")
        for pattern, name in _ASSET_PATHS:
            found = pattern.search(value)
            if found:
                counts[name] = counts.get(name, 0) + 1
                first.setdefault(name, found.group(0))
    if not counts:
        return None, ""
    name = max(counts, key=lambda n: counts[n])
    return name, f"{first[name]} paths"


def _offers(soup: BeautifulSoup, url: str) -> tuple[Offer, ...]:
    found: list[Offer] = []

    def add(what: str, href: object) -> None:
        link = http_link(str(href), url) if isinstance(href, str) else None
        if link and all(o.url != link for o in found):
            found.append(Offer(what, link))

    for link in soup.find_all("link", href=True):
        rel = " ".join(link.get("rel") or []).lower()
        kind = str(link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel.split() and kind in _FEED_TYPES:
            add("Atom feed" if "atom" in kind else "RSS feed", link["href"])
        elif rel == "https://api.w.org/":
            add("WordPress REST API", link["href"])
    for element in soup.find_all(["a", "link"], href=_SITEVISION_RSS):
        if isinstance(element, Tag):
            add("Sitevision RSS portlet", element["href"])
    return tuple(found)


def selector_platform(selectors: tuple[str | None, ...]) -> str | None:
    """The platform whose own class names the selectors use (`.sv-channel-item`), if any."""
    text = " ".join(s for s in selectors if s)
    return next((name for pattern, name in _SELECTOR_CLASSES if pattern.search(text)), None)
