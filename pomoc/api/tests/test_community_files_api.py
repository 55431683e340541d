"""A community post's earlier versions (agents) and files (the pages' rules) in the API: whoever may
see a post lists and downloads its files, whoever may edit it adds and removes them; a hidden or
held post's files are 404 for everybody else, by id as by anything."""

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from pomoc.api.api import api
from pomoc.api.tests.conftest import Api
from pomoc.community import editing, idea_services, services
from pomoc.community.models import PostFile, Revision, Topic
from pomoc.community.tests.helpers import category, customer

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def posts(world):
    author = customer("files-author")
    topic = services.topic_create(author=author, category=category(), title="Printer", body="Jams.",
                                  files=[upload("jam.png", PNG)])
    reply = services.reply_create(topic=topic, author=author, body="Log.", files=[upload("log.txt", b"line\n")])
    idea = idea_services.idea_create(author=author, title="Dark mode", body="Please.",
                                     files=[upload("mockup.png", PNG)])
    return {"author": author, "topic": topic, "reply": reply, "idea": idea,
            "as_author": Api(author), "as_stranger": Api(customer("files-stranger"))}


def paths(posts) -> dict[str, str]:
    return {"topic": f"/community/topics/{posts['topic'].pk}", "reply": f"/community/replies/{posts['reply'].pk}",
            "idea": f"/community/ideas/{posts['idea'].pk}"}


def test_whoever_sees_a_post_lists_and_downloads_its_files(posts):
    for kind, path in paths(posts).items():
        listed = posts["as_stranger"].get(f"{path}/files")
        assert listed.status_code == 200, kind
        [item] = listed.json()
        row = PostFile.objects.get(pk=item["id"])
        assert item[kind] == posts[kind].pk and item["file_name"] == row.file_name and item["sha256"] == row.sha256
        assert item["uploaded_by"] == {"id": posts["author"].pk, "username": "", "name": posts["author"].display_name}
        assert item["page_url"] == f"/community/files/{row.public_id}/"
        served = posts["as_stranger"].get(item["url"])
        assert served.status_code == 200 and b"".join(served.streaming_content) == row.file.open("rb").read()
        # always a download through the API, pictures too
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"].startswith("attachment") and served["X-Content-Type-Options"] == "nosniff"
    assert Api().get(f"/community/files/{posts['topic'].files.get().pk}").status_code == 401


def test_another_customer_cannot_fetch_a_hidden_or_held_posts_file_by_id(world, posts, as_agent):
    agent = world["agent"]
    services.reply_moderate(reply=posts["reply"], actor=agent, action="hide")
    idea_services.idea_moderate(idea=posts["idea"], actor=agent, action="hide")
    other_topic = services.topic_create(author=customer("files-other"), category=category(), title="Other",
                                        body="x", files=[upload("other.png", PNG)])
    services.topic_moderate(topic=other_topic, actor=agent, action="hide")
    newcomer = customer("files-newcomer", new=True)
    held = idea_services.idea_create(author=newcomer, title="Deal", body="https://example.com/deal",
                                     files=[upload("deal.png", PNG)])
    stranger = posts["as_stranger"]
    missing = stranger.get("/community/files/999999")
    assert missing.status_code == 404
    for item in (posts["reply"].files.get(), posts["idea"].files.get(), other_topic.files.get(), held.files.get()):
        for answer in (stranger.get(f"/community/files/{item.pk}"), stranger.delete(f"/community/files/{item.pk}")):
            assert (answer.status_code, answer.json()) == (404, missing.json()), item.file_name
        assert as_agent.get(f"/community/files/{item.pk}").status_code == 200
    assert PostFile.objects.count() == 5
    for path in (f"/community/replies/{posts['reply'].pk}/files", f"/community/ideas/{posts['idea'].pk}/files",
                 f"/community/topics/{other_topic.pk}/files", f"/community/ideas/{held.pk}/files"):
        assert stranger.get(path).status_code == 404, path
        assert stranger.multipart(path, {"files": [upload("x.png", PNG)]}).status_code == 404, path
    # a held post's files: its author and agents
    assert Api(newcomer).get(f"/community/files/{held.files.get().pk}").status_code == 200
    assert Api(newcomer).get(f"/community/ideas/{held.pk}/files").json()[0]["file_name"] == "deal.png"
    # the author of a hidden idea does not see it any more either
    assert posts["as_author"].get(f"/community/files/{posts['idea'].files.get().pk}").status_code == 404


def test_the_author_adds_and_removes_files_within_the_window(posts, as_agent, django_capture_on_commit_callbacks):
    topic, author = posts["topic"], posts["as_author"]
    path = f"/community/topics/{topic.pk}/files"
    added = author.multipart(path, {"files": [upload("second.png", PNG), upload("notes.txt", b"notes\n")]})
    assert added.status_code == 201, added.content
    assert [f["file_name"] for f in added.json()] == ["second.png", "notes.txt"]
    assert [f["file_name"] for f in author.get(path).json()] == ["jam.png", "second.png", "notes.txt"]
    first = topic.files.get(file_name="jam.png")
    assert posts["as_stranger"].multipart(path, {"files": [upload("x.png", PNG)]}).status_code == 403
    assert posts["as_stranger"].delete(f"/community/files/{first.pk}").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        removed = author.delete(f"/community/files/{first.pk}")
    assert removed.status_code == 200 and removed.json() == {"deleted": True}
    assert not PostFile.objects.filter(pk=first.pk).exists() and not default_storage.exists(first.file.name)
    assert author.get(f"/community/files/{first.pk}").status_code == 404
    # once the window is over only agents change the files
    Topic.objects.filter(pk=topic.pk).update(created_at=topic.created_at.replace(year=2020))
    late = author.multipart(path, {"files": [upload("late.png", PNG)]})
    assert late.status_code == 403 and "can no longer be edited" in late.json()["detail"]
    assert as_agent.multipart(path, {"files": [upload("late.png", PNG)]}).status_code == 201
    assert as_agent.delete(f"/community/files/{topic.files.get(file_name='notes.txt').pk}").status_code == 200
    assert Revision.objects.filter(topic=topic).count() == 4


def test_agents_read_the_earlier_versions_of_a_topic_a_reply_and_an_idea(world, posts, as_agent):
    author = posts["author"]
    editing.topic_edit(topic=posts["topic"], actor=author, title="Printer jams", body="Jams.",
                       add_files=[upload("more.txt", b"more\n")], remove_files=[posts["topic"].files.get().pk])
    editing.reply_edit(reply=posts["reply"], actor=author, body="The log.")
    editing.idea_edit(idea=posts["idea"], actor=world["agent"], title="Dark mode", body="Please, soon.")
    versions = {kind: as_agent.get(f"{path}/revisions") for kind, path in paths(posts).items()}
    assert all(answer.status_code == 200 for answer in versions.values())
    [topic_version] = versions["topic"].json()
    assert (topic_version["title"], topic_version["body"], topic_version["replaced_by"]["id"]) == (
        "Printer", "Jams.", author.pk)
    assert [f["name"] for f in topic_version["files_added"]] == ["more.txt"]
    assert [(f["name"], f["content_type"], f["size"]) for f in topic_version["files_removed"]] == [
        ("jam.png", "image/png", len(PNG))]
    assert versions["reply"].json()[0]["body"] == "Log." and versions["reply"].json()[0]["title"] == ""
    assert versions["idea"].json()[0]["replaced_by"]["username"] == world["agent"].username
    for path in paths(posts).values():  # earlier versions are for moderators: the author included gets 403
        assert posts["as_author"].get(f"{path}/revisions").status_code == 403
    assert as_agent.get("/community/replies/999999/revisions").status_code == 404


def test_refused_uploads_say_why_and_write_nothing(posts, as_agent, settings):
    path = f"/community/ideas/{posts['idea'].pk}/files"
    before = (PostFile.objects.count(), Revision.objects.count())

    def refusal(data, **kwargs):
        answer = as_agent.multipart(path, data) if not kwargs else as_agent.post(path, kwargs["json"])
        assert answer.status_code == 422, answer.content
        return [(item["type"], item["loc"]) for item in answer.json()["detail"]]

    assert refusal({}) == [("value_error", ["body", "files"])]
    assert refusal(None, json={"files": ["x"]}) == [("value_error", ["body", "files"])]
    assert refusal({"files": [upload("page.png", b"<html><script></script>")]}) == [
        ("invalid_content", ["body", "files"])]
    assert refusal({"files": [upload("empty.txt", b"")]}) == [("value_error", ["body", "files"])]
    assert refusal({"files": [upload("x.png", PNG)], "title": "x"}) == [("value_error", ["body", "title"])]
    assert refusal({"files": "not a file"}) == [("value_error", ["body", "files"])]
    settings.POMOC_COMMUNITY_MAX_FILES = 2
    settings.POMOC_COMMUNITY_MAX_FILE_BYTES = 100
    assert refusal({"files": [upload(f"{n}.png", PNG) for n in range(3)]}) == [("value_error", ["body", "files"])]
    assert refusal({"files": [upload("big.txt", b"a" * 101)]}) == [("value_error", ["body", "files"])]
    # the idea has one file: two more are more than it may carry, a data refusal
    assert refusal({"files": [upload("a.png", PNG), upload("b.png", PNG)]}) == [("conflict", ["body", "files"])]
    assert (PostFile.objects.count(), Revision.objects.count()) == before


def test_the_schema_states_the_upload_rules():
    schema = api.get_openapi_schema()
    for kind in ("topics/{topic_id}", "replies/{reply_id}", "ideas/{idea_id}"):
        body = schema["paths"][f"/api/v1/community/{kind}/files"]["post"]["requestBody"]
        form = body["content"]["multipart/form-data"]["schema"]
        assert list(body["content"]) == ["multipart/form-data"] and form["required"] == ["files"]
        assert form["additionalProperties"] is False
        files = form["properties"]["files"]
        assert (files["minItems"], files["maxItems"]) == (1, settings.POMOC_COMMUNITY_MAX_FILES)
        assert files["items"] == {"type": "string", "format": "binary", "minLength": 1,
                                  "maxLength": settings.POMOC_COMMUNITY_MAX_FILE_BYTES}
    download = schema["paths"]["/api/v1/community/files/{file_id}"]["get"]["responses"]["200"]
    assert list(download["content"]) == ["application/octet-stream"]
