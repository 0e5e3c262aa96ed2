"""Simple formatting for people's posts, made safe by nh3 (the Rust `ammonia` sanitiser).

People type plain text: blank lines make paragraphs, lines starting "- " or "* " make a list,
web addresses become links. A few inline tags typed by hand (<em>, <strong>, <a href>) are kept.
Everything else — scripts, event handlers, javascript: links, styles, images — is removed.
"""

import html
import re

import nh3

ALLOWED_TAGS = frozenset({"p", "br", "a", "ul", "ol", "li", "em", "strong"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
MAX_BODY_CHARS = 10_000

_LIST_ITEM = re.compile(r"^\s*[-*]\s+")
_BARE_URL = re.compile(r"(?<![\"'=>/\w])(https?://[^\s<>\"']+[^\s<>\"'.,;:!?)])")


def clean(fragment: str) -> str:
    """The allowed subset of an HTML fragment (safe to mark up as-is)."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


def format_post(text: str) -> str:
    """A person's typed text as sanitised HTML."""
    blocks = [block for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if block.strip()]
    return clean("".join(_block_html(block) for block in blocks))


def _block_html(block: str) -> str:
    lines = [line for line in block.split("\n") if line.strip()]
    if all(_LIST_ITEM.match(line) for line in lines):
        items = "".join(f"<li>{_linkify(_LIST_ITEM.sub('', line))}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    return "<p>" + "<br>".join(_linkify(line) for line in lines) + "</p>"


def _linkify(line: str) -> str:
    return _BARE_URL.sub(r'<a href="\1">\1</a>', line)


def plain_text(sanitised_html: str) -> str:
    """The words of a sanitised post, for search and analysis (paragraphs kept as blank lines)."""
    spaced = re.sub(r"</(p|li|ul|ol)>|<br>", lambda m: "\n" if m.group(0) in ("<br>", "</li>") else "\n\n",
                    sanitised_html)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def count_links(sanitised_html: str) -> int:
    return sanitised_html.count("<a href=")
