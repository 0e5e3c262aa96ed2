"""Simple formatting is kept; scripts, event handlers and javascript: links are removed."""

import pytest

from app.services.sanitise import count_links, format_post, plain_text


@pytest.mark.parametrize("attack", [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    '<p onclick="alert(1)">text</p>',
    '<a href="javascript:alert(1)">link</a>',
    '<a href="JaVaScRiPt:alert(1)">link</a>',
    '<a href=" javascript:alert(1)">link</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<style>body{display:none}</style>',
])
def test_dangerous_markup_is_removed(attack):
    html = format_post(f"Before {attack} after")
    for word in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "data:", "<style",
                 "alert(", "<img", "<svg"):
        assert word not in html.lower()
    assert "Before" in html and "after" in html


def test_paragraphs_lists_and_links_are_kept():
    html = format_post("First para\nsecond line\n\n- one\n- two\n\nSee https://example.org/a?b=1&c=2.")
    assert html.startswith("<p>First para<br>second line</p><ul><li>one</li><li>two</li></ul>")
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">' in html
    assert html.endswith("</a>.</p>")


def test_typed_links_get_nofollow_and_only_allowed_schemes():
    html = format_post('<a href="mailto:a@b.org" target="_blank" class="x">mail</a> <em>yes</em> <strong>b</strong>')
    assert html == ('<p><a href="mailto:a@b.org" rel="nofollow ugc noopener">mail</a> <em>yes</em> '
                    '<strong>b</strong></p>')


def test_text_is_escaped_not_interpreted():
    html = format_post("a < b & c > d")
    assert html == "<p>a &lt; b &amp; c &gt; d</p>"
    assert plain_text(html) == "a < b & c > d"


def test_plain_text_and_link_count():
    html = format_post("Hello https://a.example and https://b.example\n\n- x")
    assert count_links(html) == 2
    assert plain_text(html) == "Hello https://a.example and https://b.example\n\nx"
