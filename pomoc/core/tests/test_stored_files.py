"""Stored files: forum posts' and articles' files share one abstract model without any change to their
tables, and files whose rows an edit deletes go only once it commits."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from pomoc.community import models as community_models
from pomoc.community import services
from pomoc.community.tests.helpers import category, customer
from pomoc.core import models as core
from pomoc.core.transactional_files import delete_after_commit
from pomoc.kb import models as kb_models
from pomoc.kb import services as kb_services
from pomoc.kb.tests.helpers import published

pytestmark = pytest.mark.django_db


def test_post_and_article_files_share_the_stored_file_model_and_keep_their_tables():
    for model, table in ((community_models.PostFile, "community_postfile"), (kb_models.ArticleFile, "kb_articlefile")):
        assert issubclass(model, core.StoredFile) and model._meta.db_table == table
        assert model._meta.ordering == ["id"]
    # the callables the old migrations name are still where they name them, and are the shared ones
    assert community_models._public_id is kb_models.new_public_id is core.new_public_id
    assert community_models._file_path is kb_models.file_path is core.stored_file_path
    out = io.StringIO()
    call_command("makemigrations", "community", "kb", "core", check=True, dry_run=True, stdout=out)
    assert "No changes detected" in out.getvalue()


def test_each_app_keeps_its_own_folder():
    topic = services.topic_create(author=customer(), category=category(), title="Q", body="x", files=[b"notes"])
    post_file = topic.files.get()
    article = published().article
    article_file = kb_services.file_add(article=article, upload=SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n"),
                                        actor=article.author)
    assert post_file.file.name.startswith("community/") and post_file.file.name.endswith(post_file.public_id)
    assert article_file.file.name.startswith("kb/") and article_file.file.name.endswith(article_file.public_id)
    assert str(post_file) == "attachment" and not post_file.is_image
    assert str(article_file) == "a.png" and article_file.is_image


def test_files_are_deleted_after_the_commit_and_kept_on_a_rollback(django_capture_on_commit_callbacks):
    kept = default_storage.save("tests/kept.txt", ContentFile(b"kept"))
    with pytest.raises(RuntimeError), transaction.atomic():
        delete_after_commit(default_storage, [kept])
        raise RuntimeError("rolled back")
    assert default_storage.exists(kept)
    gone = default_storage.save("tests/gone.txt", ContentFile(b"gone"))
    with django_capture_on_commit_callbacks(execute=True):
        delete_after_commit(default_storage, [gone, "tests/never-there.txt"])
        assert default_storage.exists(gone)  # not before the commit
    assert not default_storage.exists(gone) and default_storage.exists(kept)
    default_storage.delete(kept)
