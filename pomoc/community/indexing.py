"""Topics and ideas in the portal search (``pomoc.search``, kinds "topic" and "idea").

Called after commit. A hidden, held or merged one stays in the index as not public (agents still
find it); a failure of the index never undoes a post (it is logged, and the next change refreshes)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse

from pomoc.core.sanitize import html_to_text

logger = logging.getLogger(__name__)


def _backend():
    try:
        from pomoc.search import services as search_index
    except ImportError:  # the search app is not installed: nothing to keep up to date
        return None
    return search_index


def index_topic(topic) -> None:
    backend = _backend()
    if backend is None:
        return
    try:
        backend.index("topic", str(topic.pk), language=topic.language, title=topic.title,
                      body=html_to_text(topic.body_html),
                      url=reverse("community:topic", args=[topic.pk]), public=topic.public)
    except Exception:
        logger.exception("topic %s could not be indexed", topic.pk)


def index_idea(idea) -> None:
    backend = _backend()
    if backend is None:
        return
    try:
        if idea.merged_into_id is not None:
            backend.unindex("idea", str(idea.pk))
            return
        backend.index("idea", str(idea.pk), language=idea.language, title=idea.title,
                      body=html_to_text(idea.body_html),
                      url=reverse("ideas:idea", args=[idea.pk]), public=idea.public,
                      boost=1.0 + min(idea.vote_count, 100) / 100)
    except Exception:
        logger.exception("idea %s could not be indexed", idea.pk)


def topic_changed(topic_id: int) -> None:
    def run():
        from pomoc.community.models import Topic

        topic = Topic.objects.filter(pk=topic_id).first()
        if topic is not None:
            index_topic(topic)
    transaction.on_commit(run)


def idea_changed(idea_id: int) -> None:
    def run():
        from pomoc.community.models import Idea

        idea = Idea.objects.filter(pk=idea_id).first()
        if idea is not None:
            index_idea(idea)
    transaction.on_commit(run)
