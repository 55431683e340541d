"""Files on ideas: taken like a topic's (checked by content, the same limits), shown on the idea's page
and served only to whoever may see the idea."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pomoc.community import idea_services
from pomoc.community.models import Idea, PostFile
from pomoc.community.tests.helpers import agent, customer
from pomoc.community.tests.test_files import PDF, PNG, upload

pytestmark = pytest.mark.django_db


def test_a_customer_posts_an_idea_with_a_picture_and_a_pdf(client):
    author = customer()
    client.force_login(author)
    form = client.get(reverse("ideas:new")).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'type="file" name="files"' in form
    response = client.post(reverse("ideas:new"), {
        "title": "Export to CSV", "body": "Like this mock-up.",
        "files": [upload("mockup.png", PNG, "image/png"), upload("spec.pdf", PDF, "application/pdf")]})
    assert response.status_code == 302
    idea = Idea.objects.get()
    image, pdf = idea.files.get(content_type="image/png"), idea.files.get(content_type="application/pdf")
    assert (image.uploaded_by, image.file.name.split("/")[0]) == (author, "community")
    client.logout()  # visitors read a public idea and its files
    page = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    assert f'<img class="cm-thumb" src="{reverse("community:file", args=[image.public_id])}"' in page
    assert "spec.pdf" in page
    served = client.get(reverse("community:file", args=[image.public_id]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    download = client.get(reverse("community:file", args=[pdf.public_id]))
    assert download["Content-Disposition"].startswith("attachment") and b"".join(download.streaming_content) == PDF


def test_an_ideas_files_are_checked_and_limited_like_a_topics(client, settings):
    settings.POMOC_COMMUNITY_MAX_FILES = 2
    settings.POMOC_COMMUNITY_MAX_FILE_BYTES = 100
    author = customer()
    with pytest.raises(ValidationError, match="At most 2 files"):
        idea_services.idea_create(author=author, title="Many", body="x", files=[upload(f"{n}.png", PNG)
                                                                                for n in range(3)])
    with pytest.raises(ValidationError, match="larger than the limit"):
        idea_services.idea_create(author=author, title="Big", body="x", files=[upload("big.txt", b"a" * 101)])
    client.force_login(author)
    response = client.post(reverse("ideas:new"), {"title": "Script", "body": "x",
                                                  "files": [upload("photo.png", b"<script>alert(1)</script>")]})
    assert response.status_code == 400 and "cannot be attached" in response.content.decode()
    assert not Idea.objects.exists() and not PostFile.objects.exists()


def test_a_hidden_or_held_ideas_files_reach_nobody_else_by_their_address(client):
    author, other, moderator = customer(), customer(), agent()
    idea = idea_services.idea_create(author=author, title="Dark mode", body="Please.", files=[upload("a.png", PNG)])
    item = idea.files.get()
    url = reverse("community:file", args=[item.public_id])
    client.force_login(other)
    assert client.get(url).status_code == 200
    idea_services.idea_moderate(idea=idea, actor=moderator, action="hide")
    assert client.get(url).status_code == 404
    client.force_login(author)  # a hidden idea is gone for its author too
    assert client.get(url).status_code == 404
    client.force_login(moderator)
    assert client.get(url).status_code == 200
    newcomer = customer(new=True)
    held = idea_services.idea_create(author=newcomer, title="Deal", body="https://example.com/deal",
                                     files=[upload("deal.png", PNG)])
    held_url = reverse("community:file", args=[held.files.get().public_id])
    client.force_login(other)
    assert client.get(held_url).status_code == 404
    client.force_login(newcomer)
    assert client.get(held_url).status_code == 200
