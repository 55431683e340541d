"""How received mail looks on the ticket page: inline images, blocked remote images, folded quotes."""

from email.message import EmailMessage

import pytest
from django.urls import reverse

from pomoc.channels.email.tests.helpers import PNG, ingest, mail, make_inbox
from pomoc.core.middleware import AGENT_CSP
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory
from pomoc.tickets import services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import Attachment, Channel, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return DepartmentFactory(name="Support")


@pytest.fixture
def agent(client, settings, tmp_path, department):
    settings.MEDIA_ROOT = tmp_path
    user = UserFactory(username="render-agent")
    department.members.add(user)
    client.force_login(user)
    return user


@pytest.fixture
def inbox(department):
    return make_inbox(department=department)


def related_mail(html: str, parts=()) -> bytes:
    """A mail with an HTML body and inline (``cid:``) parts: (content, maintype, subtype, cid, filename)."""
    msg = EmailMessage()
    msg["From"] = "Jana <jana@example.cz>"
    msg["To"] = "support@pomoc.example"
    msg["Subject"] = "Screenshot"
    msg["Message-ID"] = "<shot-1@example.cz>"
    msg.set_content("see the picture")
    msg.add_alternative(html, subtype="html")
    html_part = msg.get_payload()[1]
    for content, maintype, subtype, cid, filename in parts:
        html_part.add_related(content, maintype=maintype, subtype=subtype, cid=f"<{cid}>", filename=filename)
    return msg.as_bytes()


def received(inbox, raw: bytes) -> Message:
    _raw_mail, result = ingest(inbox, raw)
    return Message.objects.select_related("ticket").get(pk=result.message_id)


def page(client, message: Message, query: str = ""):
    return client.get(reverse("tickets:detail", args=[message.ticket.number]) + query)


def test_cid_image_resolves_to_the_inline_url_which_serves_the_png(client, agent, inbox):
    raw = related_mail('<p>Look:</p><img src="cid:logo@x" alt="screenshot"><img src="cid:missing@x" alt="gone">',
                       [(PNG, "image", "png", "logo@x", "logo.png")])
    message = received(inbox, raw)
    attachment = Attachment.objects.get(message=message, content_id="logo@x")
    url = reverse("tickets:inline-image", args=[attachment.public_id])
    content = page(client, message).content.decode()
    assert f'<img src="{url}" alt="screenshot">' in content
    assert "cid:" not in content  # the unknown cid is not requested at all
    assert '<img alt="gone">' in content
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"].startswith("private")


def test_svg_and_html_images_are_not_served_inline(client, agent, department):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    ticket = services.ticket_create(
        requester=ContactFactory(), subject="Pictures", body_text="x", department=department, channel=Channel.EMAIL,
        body_html='<img src="cid:a@x" alt="svg"><img src="cid:b@x" alt="html">',
        attachments=[NewAttachment("a.svg", svg, "image/svg+xml", content_id="<a@x>"),
                     NewAttachment("b.png", b"<html><script>alert(1)</script>", "image/png",
                                            content_id="<b@x>")],
    )
    message = ticket.messages.get()
    content = page(client, message).content.decode()
    for attachment in message.attachments.all():
        url = reverse("tickets:inline-image", args=[attachment.public_id])
        if attachment.file_name == "a.svg":  # never labelled an image, so never linked
            assert attachment.content_type != "image/svg+xml" and url not in content
        assert client.get(url).status_code == 404
        assert client.get(reverse("tickets:attachment", args=[attachment.public_id])).status_code == 200


def test_another_departments_agent_gets_404_for_the_inline_url(client, agent, inbox):
    message = received(inbox, related_mail('<img src="cid:logo@x">', [(PNG, "image", "png", "logo@x", "l.png")]))
    url = reverse("tickets:inline-image", args=[message.attachments.get().public_id])
    outsider = UserFactory(username="render-outsider")
    DepartmentFactory(name="Sales").members.add(outsider)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_remote_images_are_loaded_only_when_the_agent_asks(client, agent, inbox):
    html = '<p>Hi</p><img src="https://tracker.example/pixel.png?u=jana" alt="logo"><img src="http://t.example/x.gif">'
    first = received(inbox, mail(html=html, message_id="<remote-1@example.cz>"))
    second = received(inbox, mail(html=html, message_id="<remote-2@example.cz>",
                                           in_reply_to="<remote-1@example.cz>"))
    assert first.ticket_id == second.ticket_id
    response = page(client, first)
    content = response.content.decode()
    assert "tracker.example" not in content and "t.example" not in content
    assert '<img alt="logo">' in content
    assert response["Content-Security-Policy"] == AGENT_CSP
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]
    assert content.count("Show remote images") == 2
    assert f"?images={first.pk}#message-{first.pk}" in content

    response = page(client, first, f"?images={first.pk}")
    content = response.content.decode()
    assert content.count('src="https://tracker.example/pixel.png?u=jana"') == 1  # only that message
    assert "img-src 'self' data: https: http:" in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"]

    response = page(client, first, "?images=all")
    assert response.content.decode().count('src="https://tracker.example/pixel.png?u=jana"') == 2
    # the next plain page load is strict again
    assert page(client, first)["Content-Security-Policy"] == AGENT_CSP


def test_quoted_html_reply_is_folded_at_ingest(client, agent, inbox):
    html = ('<div>Still broken, sorry.</div><div class="gmail_quote"><div>On Mon, 4 Mar 2024 at 10:00 Support wrote:'
            '</div><blockquote>Did you restart it?</blockquote></div>')
    message = received(inbox, mail(html=html))
    assert "<details>" in message.body_html
    content = page(client, message).content.decode()
    assert "Still broken, sorry." in content
    visible, folded = content.split("<details>", 1)
    assert "Still broken, sorry." in visible and "Did you restart it?" in folded


def test_quoted_text_reply_shows_the_new_text_and_folds_the_quote(client, agent, inbox):
    text = "New printer arrived, thanks!\n\nOn Mon, 4 Mar 2024 at 10:00, Support <s@pomoc.example> wrote:\n> Ordered."
    message = received(inbox, mail(text=text))
    content = page(client, message).content.decode()
    visible, folded = content.split('<details class="quoted">', 1)
    assert "New printer arrived, thanks!" in visible and "Ordered." not in visible
    assert "Show quoted text" in folded and "&gt; Ordered." in folded


def test_hostile_alt_and_file_names_are_escaped(client, agent, inbox):
    html = '<img src="cid:logo@x" alt="&quot; onerror=&quot;alert(1)"><img alt="<script>alert(2)</script>">'
    raw = related_mail(html, [(PNG, "image", "png", "logo@x", '"><script>alert(3)</script>.png')])
    message = received(inbox, raw)
    content = page(client, message).content.decode()
    assert "<script>alert" not in content
    assert "onerror=" not in content.replace("&quot; onerror=&quot;", "")
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in content
