"""The plain-text part derived from HTML, and bare addresses made clickable."""

import re

from pomoc.core.linkify import linkify_html
from pomoc.core.plain_text import plain_text
from pomoc.core.sanitize import sanitize_html


def test_the_plain_part_keeps_lines_lists_and_link_addresses():
    html = ('<div>Hello <b>Jana</b>,</div><div><br></div><div>see <a href="https://x.example/a">the page</a> '
            'and <a href="https://y.example">https://y.example</a>.</div><ul><li>one</li><li>two<ol><li>a</li>'
            '</ol></li></ul><p>Write to <a href="mailto:help@x.example">help@x.example</a></p>'
            '<img src="cid:a" alt="Chart"><blockquote><p>quoted</p></blockquote>')
    assert plain_text(html) == (
        "Hello Jana,\n\nsee the page <https://x.example/a> and https://y.example.\n\n- one\n- two\n  1. a\n\n"
        "Write to help@x.example\n\n[Chart]\n\nquoted")


def test_the_plain_part_of_nothing_is_nothing():
    assert plain_text("") == "" and plain_text("<div><br></div>") == ""


def test_preformatted_text_keeps_its_spaces():
    assert plain_text("<pre>a    b\n  c</pre>") == "a    b\n  c"


def test_bare_addresses_become_links_and_existing_links_stay():
    html = sanitize_html('<p>See https://x.example/a?b=1&c=2. Or www.pomoc.example, mail jana@example.cz!</p>'
                         '<p><a href="https://kept.example">https://kept.example</a> <code>https://code.example</code>'
                         ' (https://en.wikipedia.org/wiki/Foo_(bar))</p>')
    linked = linkify_html(html)
    assert '<a href="https://x.example/a?b=1&amp;c=2">https://x.example/a?b=1&amp;c=2</a>.' in linked
    assert '<a href="https://www.pomoc.example">www.pomoc.example</a>,' in linked
    assert '<a href="mailto:jana@example.cz">jana@example.cz</a>!' in linked
    assert linked.count("https://kept.example") == 2  # its href and its text, not linked again
    assert "<code>https://code.example</code>" in linked
    assert '<a href="https://en.wikipedia.org/wiki/Foo_(bar)">https://en.wikipedia.org/wiki/Foo_(bar)</a>)' in linked


def test_links_cannot_smuggle_markup_or_schemes():
    hostile = '<p>https://x.example/"onmouseover="alert(1) javascript:alert(2)</p>'
    linked = sanitize_html(linkify_html(sanitize_html(hostile)))
    tags = re.findall(r"<[^>]+>", linked)
    assert '<a href="https://x.example/" rel="noopener noreferrer nofollow">' in tags
    assert not any("onmouseover" in tag or "javascript" in tag for tag in tags)  # only text, never markup
