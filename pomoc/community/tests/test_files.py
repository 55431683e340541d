"""Files on forum posts: checked by content, limited in count and size, served only with the post."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pomoc.community import services
from pomoc.community.models import PostFile, Topic
from pomoc.community.tests.helpers import agent, category, customer

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%fake but starts right\n"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_customer_attaches_an_image_and_a_pdf_to_a_topic_and_a_reply(client):
    author = customer()
    client.force_login(author)
    response = client.post(reverse("community:new"), {
        "category": category().pk, "title": "Broken screen", "body": "See the photo.",
        "files": [upload("photo.png", PNG, "image/png"), upload("invoice.pdf", PDF, "application/pdf")]})
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert sorted(f.content_type for f in topic.files.all()) == ["application/pdf", "image/png"]
    reply = client.post(reverse("community:reply", args=[topic.pk]), {
        "body": "And the log.", "files": [upload("log.txt", b"line one\nline two\n", "text/plain")]})
    assert reply.status_code == 302
    page = client.get(reverse("community:topic", args=[topic.pk])).content.decode()
    image = topic.files.get(content_type="image/png")
    assert f'<img class="cm-thumb" src="{reverse("community:file", args=[image.public_id])}"' in page
    assert "invoice.pdf" in page and "log.txt" in page
    # an image is shown inline with its checked type; anything else is a download
    served = client.get(reverse("community:file", args=[image.public_id]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff" and "sandbox" in served["Content-Security-Policy"]
    pdf = client.get(reverse("community:file", args=[topic.files.get(content_type="application/pdf").public_id]))
    assert pdf["Content-Type"] == "application/octet-stream" and pdf["Content-Disposition"].startswith("attachment")
    assert b"".join(pdf.streaming_content) == PDF
    # visitors read public posts' files too
    client.logout()
    assert client.get(reverse("community:file", args=[image.public_id])).status_code == 200


def test_files_are_checked_by_their_content_not_their_name(client):
    author = customer()
    client.force_login(author)
    for name, content in (("photo.png", b"<html><script>alert(1)</script></html>"),
                          ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
                          ("tool.exe", b"MZ\x90\x00\x03"), ("archive.zip", b"PK\x03\x04rest"),
                          ("empty.txt", b"")):
        response = client.post(reverse("community:new"), {
            "category": category().pk, "title": "Look", "body": "Here.", "files": [upload(name, content, "image/png")]})
        assert response.status_code == 400, name
        assert "cannot be attached" in response.content.decode(), name
    assert not Topic.objects.exists() and not PostFile.objects.exists()


def test_the_count_and_size_are_limited(client, settings):
    settings.POMOC_COMMUNITY_MAX_FILES = 2
    settings.POMOC_COMMUNITY_MAX_FILE_BYTES = 100
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="Question", body="How?")
    with pytest.raises(ValidationError) as error:
        services.reply_create(topic=topic, author=author, body="x",
                              files=[upload(f"{n}.png", PNG) for n in range(3)])
    assert "At most 2 files" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.reply_create(topic=topic, author=author, body="x", files=[upload("big.txt", b"a" * 101)])
    assert "larger than the limit" in str(error.value)
    client.force_login(author)
    response = client.post(reverse("community:reply", args=[topic.pk]),
                           {"body": "x", "files": [upload("big.txt", b"a" * 101)]})
    assert response.status_code == 400 and "larger than the limit" in response.content.decode()
    assert not PostFile.objects.exists() and topic.replies.count() == 0


def test_a_hidden_or_held_posts_files_are_not_served_to_the_public(client):
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="Question", body="How?",
                                  files=[upload("photo.png", PNG)])
    reply = services.reply_create(topic=topic, author=customer(), body="Look", files=[upload("reply.png", PNG)])
    topic_file, reply_file = topic.files.get(), reply.files.get()
    moderator = agent()
    services.reply_moderate(reply=reply, actor=moderator, action="hide")
    assert client.get(reverse("community:file", args=[reply_file.public_id])).status_code == 404
    assert client.get(reverse("community:file", args=[topic_file.public_id])).status_code == 200
    services.topic_moderate(topic=topic, actor=moderator, action="hide")
    assert client.get(reverse("community:file", args=[topic_file.public_id])).status_code == 404
    client.force_login(author)  # the author of a hidden topic does not see it either
    assert client.get(reverse("community:file", args=[topic_file.public_id])).status_code == 404
    client.force_login(moderator)
    assert client.get(reverse("community:file", args=[topic_file.public_id])).status_code == 200
    assert client.get(reverse("community:file", args=[reply_file.public_id])).status_code == 200
    # a held post's files: its author and agents only
    newcomer = customer(new=True)
    held = services.topic_create(author=newcomer, category=category(), title="Deal", body="https://example.com",
                                 files=[upload("deal.png", PNG)])
    held_file = held.files.get()
    client.logout()
    assert client.get(reverse("community:file", args=[held_file.public_id])).status_code == 404
    client.force_login(newcomer)
    assert client.get(reverse("community:file", args=[held_file.public_id])).status_code == 200
    assert client.get(reverse("community:file", args=["no-such-file"])).status_code == 404
