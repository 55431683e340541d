"""Editing a post adds files and removes them: the author within the edit window, moderators always.
The revision says which files the edit added and removed, and a removed file's bytes go once the edit
has committed (a rolled back edit keeps them)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pomoc.community import editing, idea_services, services
from pomoc.community.models import PostFile, Reply, Revision, Topic
from pomoc.community.tests.helpers import agent, category, customer
from pomoc.community.tests.test_files import PDF, PNG, upload
from pomoc.tickets.permissions import PermissionDenied

pytestmark = pytest.mark.django_db


def test_the_author_adds_and_removes_files_on_the_idea_edit_page(client, django_capture_on_commit_callbacks):
    author = customer()
    idea = idea_services.idea_create(author=author, title="Dark mode", body="Please.",
                                     files=[upload("old.png", PNG), upload("notes.txt", b"first notes\n")])
    old, notes = idea.files.get(file_name="old.png"), idea.files.get(file_name="notes.txt")
    client.force_login(author)
    form = client.get(reverse("ideas:edit", args=[idea.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'type="file" name="files"' in form
    assert f'name="remove_files" value="{old.pk}"' in form and "Remove old.png" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ideas:edit", args=[idea.pk]), {
            "title": "Dark mode", "body": "Please.", "remove_files": [old.pk],
            "files": [upload("mockup.pdf", PDF)]})
    assert response.status_code == 302
    assert sorted(idea.files.values_list("file_name", flat=True)) == ["mockup.pdf", "notes.txt"]
    assert not default_storage.exists(old.file.name) and default_storage.exists(notes.file.name)
    idea.refresh_from_db()
    assert idea.edited_by == author and idea.edited_at is not None
    revision = Revision.objects.get(idea=idea)
    assert [f["name"] for f in revision.files_added] == ["mockup.pdf"]
    assert revision.files_removed == [{"name": "old.png", "content_type": "image/png", "size": len(PNG),
                                       "sha256": old.sha256}]
    page = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    assert "mockup.pdf" in page and "old.png" not in page and "cm-edited" in page
    # the moderators' list of earlier versions says which files the change added and removed
    client.force_login(agent())
    edit_page = client.get(reverse("ideas:edit", args=[idea.pk])).content.decode()
    assert "This change added the file mockup.pdf" in edit_page
    assert "This change removed the file old.png" in edit_page


def test_a_removed_file_is_deleted_on_commit_and_kept_on_rollback(django_capture_on_commit_callbacks):
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="Printer", body="Jams.",
                                  files=[upload("a.png", PNG), upload("b.png", PNG)])
    first, second = topic.files.all()
    with pytest.raises(RuntimeError), transaction.atomic():
        editing.topic_edit(topic=topic, actor=author, title="Printer", body="Jams.", remove_files=[first.pk])
        raise RuntimeError("the request failed after the edit")
    assert PostFile.objects.filter(pk=first.pk).exists() and default_storage.exists(first.file.name)
    with django_capture_on_commit_callbacks() as callbacks:
        editing.topic_edit(topic=topic, actor=author, title="Printer", body="Jams.", remove_files=[second.pk])
    assert default_storage.exists(second.file.name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(second.file.name) and default_storage.exists(first.file.name)


def test_a_reply_and_a_topic_take_and_lose_files_through_their_edit_pages(client, django_capture_on_commit_callbacks):
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="Printer", body="Jams.")
    reply = services.reply_create(topic=topic, author=author, body="Still jams.", files=[upload("log.txt", b"x\n")])
    client.force_login(author)
    response = client.post(reverse("community:topic-edit", args=[topic.pk]), {
        "title": "Printer", "body": "Jams.", "files": [upload("photo.png", PNG)]})
    assert response.status_code == 302 and topic.files.get().file_name == "photo.png"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("community:reply-edit", args=[reply.pk]), {
            "body": "Still jams.", "remove_files": [reply.files.get().pk]})
    assert response.status_code == 302 and not reply.files.exists()
    assert Revision.objects.get(reply=reply).files_removed[0]["name"] == "log.txt"
    assert Revision.objects.get(topic=topic).files_added[0]["name"] == "photo.png"
    # a file of another post is no choice on this page, and the service refuses it by id
    photo = topic.files.get()
    response = client.post(reverse("community:reply-edit", args=[reply.pk]), {
        "body": "Still jams.", "remove_files": [photo.pk]})
    assert response.status_code == 400 and topic.files.exists()
    with pytest.raises(ValidationError) as error:
        editing.reply_edit(reply=reply, actor=author, body="Still jams.", remove_files=[photo.pk])
    assert error.value.error_dict["remove_files"][0].code == "invalid_reference"


def test_the_limits_count_the_files_a_post_has(settings):
    settings.POMOC_COMMUNITY_MAX_FILES = 2
    settings.POMOC_COMMUNITY_MAX_FILE_BYTES = 100
    author = customer()
    idea = idea_services.idea_create(author=author, title="Dark mode", body="Please.", files=[upload("a.png", PNG)])
    with pytest.raises(ValidationError) as error:
        editing.idea_edit(idea=idea, actor=author, title="Dark mode", body="Please.",
                          add_files=[upload("b.png", PNG), upload("c.png", PNG)])
    assert "At most 2 files" in str(error.value) and error.value.error_dict["files"][0].code == "conflict"
    with pytest.raises(ValidationError, match="larger than the limit"):
        editing.idea_edit(idea=idea, actor=author, title="Dark mode", body="Please.",
                          add_files=[upload("big.txt", b"a" * 101)])
    with pytest.raises(ValidationError) as error:
        editing.idea_edit(idea=idea, actor=author, title="Dark mode", body="Please.",
                          add_files=[upload("page.png", b"<html>")])
    assert error.value.error_dict["files"][0].code == "invalid_content"
    # removing one makes room for another in the same edit
    editing.idea_edit(idea=idea, actor=author, title="Dark mode", body="Please.",
                      add_files=[upload("b.png", PNG), upload("c.png", PNG)], remove_files=[idea.files.get().pk])
    assert sorted(idea.files.values_list("file_name", flat=True)) == ["b.png", "c.png"]
    assert Revision.objects.filter(idea=idea).count() == 1  # the refused edits kept nothing


def test_only_the_author_within_the_window_or_a_moderator_changes_files(client, settings):
    settings.POMOC_COMMUNITY_EDIT_HOURS = 24
    author, stranger, moderator = customer(), customer(), agent()
    topic = services.topic_create(author=author, category=category(), title="Printer", body="Jams.",
                                  files=[upload("a.png", PNG)])
    item = topic.files.get()
    client.force_login(stranger)
    response = client.post(reverse("community:topic-edit", args=[topic.pk]), {
        "title": "Printer", "body": "Jams.", "remove_files": [item.pk], "files": [upload("b.png", PNG)]})
    assert response.status_code == 403 and list(topic.files.all()) == [item]
    with pytest.raises(PermissionDenied):
        editing.file_remove(item=item, actor=stranger)
    Topic.objects.filter(pk=topic.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    topic.refresh_from_db()
    with pytest.raises(PermissionDenied):
        editing.files_add(post=topic, actor=author, files=[upload("b.png", PNG)])
    added = editing.files_add(post=topic, actor=moderator, files=[upload("b.png", PNG)])
    editing.file_remove(item=item, actor=moderator)
    assert list(topic.files.all()) == added
    assert [(r.replaced_by, len(r.files_added), len(r.files_removed)) for r in Revision.objects.filter(topic=topic)
            ] == [(moderator, 0, 1), (moderator, 1, 0)]
    assert Topic.objects.get(pk=topic.pk).body == "Jams."  # files-only edits leave the text as it was


def test_an_edit_that_changes_nothing_keeps_no_version():
    author = customer()
    reply = services.reply_create(topic=services.topic_create(author=author, category=category(), title="Q",
                                                              body="How?"), author=author, body="Detail.")
    editing.reply_edit(reply=reply, actor=author, body="Detail.", add_files=[], remove_files=[])
    assert not Revision.objects.filter(reply=reply).exists() and Reply.objects.get(pk=reply.pk).edited_at is None
