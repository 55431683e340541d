"""The community (forum topics and ideas) for agents: read with filters, moderate, answer and merge ideas.

The same rules as the portal pages: only agents (``pomoc.community.permissions.moderates``) use these
operations (403 for anybody else), every object is reached through the ``access_*`` helpers (404 for
one that does not exist), and every change goes through the community's services."""

import datetime as dt
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import BeforeValidator, Field

from pomoc.api.pagination import id_page
from pomoc.api.schemas import (
    ERRORS,
    Id,
    IdText,
    In,
    PageCursor,
    UserRef,
    _safe_text,
    _schema,
    user_ref,
)
from pomoc.community import idea_services, services
from pomoc.community.models import Category, Idea, IdeaStatus, Reply, Topic
from pomoc.community.permissions import access_idea, access_reply, access_topic, moderates
from pomoc.community.services import BODY_MAX
from pomoc.core import refusals
from pomoc.core.ids import parse_id
from pomoc.tickets.permissions import PermissionDenied

router = Router(tags=["community"])

IdeaStatusName = Literal[tuple(IdeaStatus.values)]  # type: ignore[valid-type]
TOPIC_STATES = ("public", "held", "locked", "pinned", "answered", "unanswered")
TopicState = Literal[("", *TOPIC_STATES)]  # type: ignore[valid-type]
IdeaStatusFilter = Literal[("", *IdeaStatus.values)]  # type: ignore[valid-type]
TopicAction = Literal["hide", "show", "approve", "lock", "unlock", "pin", "unpin"]
PostAction = Literal["hide", "show", "approve"]
AnswerText = Annotated[str, BeforeValidator(_safe_text), Field(max_length=BODY_MAX), _schema(pattern=r"^[^\x00]*$")]


def require_moderator(user) -> None:
    if not moderates(user):
        raise PermissionDenied(_("Only agents moderate the community."))


class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    position: int


class ModerationOut(Schema):
    hidden: bool
    held: bool


class ReplyOut(Schema):
    id: int
    topic: int
    author: UserRef
    by_staff: bool
    body: str = Field(description="As written (Markdown).")
    body_html: str = Field(description="Rendered and sanitized.")
    vote_count: int
    hidden: bool
    held: bool
    created_at: dt.datetime
    edited_at: dt.datetime | None


class TopicOut(Schema):
    id: int
    category: CategoryOut
    title: str
    author: UserRef
    by_staff: bool
    reply_count: int = Field(description="Public replies.")
    vote_count: int
    hidden: bool
    held: bool
    locked: bool
    pinned: bool
    accepted_reply: int | None
    ticket: int | None = Field(description="Number of the ticket the topic was turned into.")
    url: str
    created_at: dt.datetime
    last_activity_at: dt.datetime
    edited_at: dt.datetime | None


class TopicDetailOut(TopicOut):
    body: str = Field(description="As written (Markdown).")
    body_html: str = Field(description="Rendered and sanitized.")
    replies: list[ReplyOut] = Field(description="Every reply, hidden and held ones too, oldest first.")


class TopicPage(Schema):
    items: list[TopicOut]
    next_cursor: str | None


class IdeaOut(Schema):
    id: int
    title: str
    author: UserRef
    status: IdeaStatusName
    vote_count: int
    hidden: bool
    held: bool
    merged_into: int | None
    official_answer: str
    answered_by: UserRef | None
    answered_at: dt.datetime | None
    url: str
    created_at: dt.datetime
    edited_at: dt.datetime | None


class IdeaDetailOut(IdeaOut):
    body: str = Field(description="As written (Markdown).")
    body_html: str = Field(description="Rendered and sanitized.")
    official_answer_html: str


class IdeaPage(Schema):
    items: list[IdeaOut]
    next_cursor: str | None


class TopicModerateIn(In):
    action: TopicAction = Field(description="hide, show, approve (a held one), lock, unlock, pin or unpin.")


class TopicMoveIn(In):
    category: Id = Field(description="The category to move the topic to (an unknown one: `invalid_reference`).")


class AcceptIn(In):
    reply: Id | None = Field(description="A public reply of this topic (else `invalid_reference`), or null to take "
                                         "the mark away.")


class PostModerateIn(In):
    action: PostAction = Field(description="hide, show or approve (a held one).")


class IdeaStatusIn(In):
    status: IdeaStatusName
    answer: AnswerText | None = Field(None, description="The official answer (Markdown) shown on top of the idea; "
                                                        "left out keeps the current one, \"\" removes it.")


class IdeaMergeIn(In):
    into: Id = Field(description="The idea the duplicate is merged into: its votes move there. Merging into "
                                 "itself or into a merged idea, or an already merged one, is a `conflict`.")


def category_out(category: Category) -> dict:
    return {"id": category.pk, "name": category.name, "slug": category.slug, "description": category.description,
            "position": category.position}


def _topic_fields(topic: Topic) -> dict:
    from django.urls import reverse

    return {
        "id": topic.pk, "category": category_out(topic.category), "title": topic.title,
        "author": user_ref(topic.author), "by_staff": topic.by_staff, "reply_count": topic.reply_count,
        "vote_count": topic.vote_count, "hidden": topic.hidden, "held": topic.held, "locked": topic.locked,
        "pinned": topic.pinned, "accepted_reply": topic.accepted_reply_id,
        "ticket": topic.ticket.number if topic.ticket_id else None,
        "url": reverse("community:topic", args=[topic.pk]), "created_at": topic.created_at,
        "last_activity_at": topic.last_activity_at, "edited_at": topic.edited_at,
    }


def reply_out(reply: Reply) -> dict:
    return {"id": reply.pk, "topic": reply.topic_id, "author": user_ref(reply.author), "by_staff": reply.by_staff,
            "body": reply.body, "body_html": reply.body_html, "vote_count": reply.vote_count,
            "hidden": reply.hidden, "held": reply.held, "created_at": reply.created_at,
            "edited_at": reply.edited_at}


def topic_detail_out(topic: Topic) -> dict:
    replies = topic.replies.select_related("author").order_by("created_at", "pk")
    return {**_topic_fields(topic), "body": topic.body, "body_html": topic.body_html,
            "replies": [reply_out(r) for r in replies]}


def _idea_fields(idea: Idea) -> dict:
    from django.urls import reverse

    return {
        "id": idea.pk, "title": idea.title, "author": user_ref(idea.author), "status": idea.status,
        "vote_count": idea.vote_count, "hidden": idea.hidden, "held": idea.held,
        "merged_into": idea.merged_into_id, "official_answer": idea.official_answer,
        "answered_by": user_ref(idea.answered_by), "answered_at": idea.answered_at,
        "url": reverse("ideas:idea", args=[idea.pk]), "created_at": idea.created_at, "edited_at": idea.edited_at,
    }


def idea_detail_out(idea: Idea) -> dict:
    return {**_idea_fields(idea), "body": idea.body, "body_html": idea.body_html,
            "official_answer_html": idea.official_answer_html}


def _topic(user, topic_id: int) -> Topic:
    require_moderator(user)
    return access_topic(user, topic_id)


def _idea(user, idea_id: int) -> Idea:
    require_moderator(user)
    return access_idea(user, idea_id)


# --- topics -----------------------------------------------------------------------------------
@router.get("/community/categories", response={200: list[CategoryOut], **ERRORS}, summary="List forum categories")
def list_categories(request):
    require_moderator(request.auth)
    return [category_out(c) for c in Category.objects.all()]


@router.get("/community/topics", response={200: TopicPage, **ERRORS}, summary="List forum topics")
def list_topics(request, category: IdText | None = Query(None, description="A category id."),
                state: TopicState | None = Query(None, description="public (neither hidden nor held), held, locked, "
                                                                  "pinned, answered or unanswered."),
                hidden: bool | None = Query(None, description="Only hidden topics (true) or only the others (false)."),
                cursor: PageCursor | None = None, limit: int | None = Query(None, ge=1, le=200)):
    """Every topic, hidden and held ones too, oldest first (by id)."""
    require_moderator(request.auth)
    qs = Topic.objects.select_related("category", "author", "ticket")
    if category:
        qs = qs.filter(category_id=parse_id(category, field="category"))
    if state == "public":
        qs = qs.filter(hidden=False, held=False)
    elif state in ("held", "locked", "pinned"):
        qs = qs.filter(**{state: True})
    elif state == "answered":
        qs = qs.filter(accepted_reply__isnull=False)
    elif state == "unanswered":
        qs = qs.filter(accepted_reply__isnull=True)
    if hidden is not None:
        qs = qs.filter(hidden=hidden)
    rows, next_cursor = id_page(qs, cursor=cursor, limit=limit)
    return {"items": [_topic_fields(t) for t in rows], "next_cursor": next_cursor}


@router.get("/community/topics/{int:topic_id}", response={200: TopicDetailOut, **ERRORS},
            summary="Read a forum topic with its replies")
def get_topic(request, topic_id: int):
    return topic_detail_out(_topic(request.auth, topic_id))


@router.post("/community/topics/{int:topic_id}/moderate", response={200: TopicDetailOut, **ERRORS},
             summary="Hide, show, approve, lock, unlock, pin or unpin a topic")
def moderate_topic(request, topic_id: int, payload: TopicModerateIn):
    topic = _topic(request.auth, topic_id)
    services.topic_moderate(topic=topic, actor=request.auth, action=payload.action)
    return topic_detail_out(_topic(request.auth, topic_id))


@router.post("/community/topics/{int:topic_id}/move", response={200: TopicDetailOut, **ERRORS},
             summary="Move a topic to another category")
def move_topic(request, topic_id: int, payload: TopicMoveIn):
    topic = _topic(request.auth, topic_id)
    category = Category.objects.filter(pk=payload.category).first()
    if category is None:
        raise refusals.invalid_reference("category", _("There is no such category."))
    services.topic_moderate(topic=topic, actor=request.auth, action="move", category=category)
    return topic_detail_out(_topic(request.auth, topic_id))


@router.post("/community/topics/{int:topic_id}/accept", response={200: TopicDetailOut, **ERRORS},
             summary="Mark a reply as the topic's answer (or take the mark away)")
def accept_answer(request, topic_id: int, payload: AcceptIn):
    topic = _topic(request.auth, topic_id)
    reply = None
    if payload.reply is not None:
        reply = Reply.objects.filter(pk=payload.reply, topic=topic).first()
        if reply is None:
            raise refusals.invalid_reference("reply", _("That reply is not part of this topic."))
    services.answer_accept(topic=topic, reply=reply, actor=request.auth)
    return topic_detail_out(_topic(request.auth, topic_id))


@router.post("/community/replies/{int:reply_id}/moderate", response={200: ReplyOut, **ERRORS},
             summary="Hide, show or approve a reply")
def moderate_reply(request, reply_id: int, payload: PostModerateIn):
    require_moderator(request.auth)
    reply = access_reply(request.auth, reply_id)
    services.reply_moderate(reply=reply, actor=request.auth, action=payload.action)
    return reply_out(access_reply(request.auth, reply_id))


# --- ideas ------------------------------------------------------------------------------------
@router.get("/community/ideas", response={200: IdeaPage, **ERRORS}, summary="List ideas")
def list_ideas(request, status: IdeaStatusFilter | None = Query(None, description="One of the statuses."),
               hidden: bool | None = Query(None, description="Only hidden ideas (true) or only the others (false)."),
               merged: bool | None = Query(None, description="Only merged duplicates (true) or only the others "
                                                             "(false)."),
               cursor: PageCursor | None = None, limit: int | None = Query(None, ge=1, le=200)):
    """Every idea, hidden, held and merged ones too, oldest first (by id)."""
    require_moderator(request.auth)
    qs = Idea.objects.select_related("author", "answered_by")
    if status:
        qs = qs.filter(status=status)
    if hidden is not None:
        qs = qs.filter(hidden=hidden)
    if merged is not None:
        qs = qs.filter(merged_into__isnull=not merged)
    rows, next_cursor = id_page(qs, cursor=cursor, limit=limit)
    return {"items": [_idea_fields(i) for i in rows], "next_cursor": next_cursor}


@router.get("/community/ideas/{int:idea_id}", response={200: IdeaDetailOut, **ERRORS}, summary="Read an idea")
def get_idea(request, idea_id: int):
    return idea_detail_out(_idea(request.auth, idea_id))


@router.post("/community/ideas/{int:idea_id}/status", response={200: IdeaDetailOut, **ERRORS},
             summary="Set an idea's status, with an official answer")
def set_idea_status(request, idea_id: int, payload: IdeaStatusIn):
    """A changed status is mailed to the idea's voters (once); the same status again sends nothing."""
    idea = _idea(request.auth, idea_id)
    idea_services.idea_status_set(idea=idea, actor=request.auth, status=payload.status, answer=payload.answer)
    return idea_detail_out(_idea(request.auth, idea_id))


@router.post("/community/ideas/{int:idea_id}/moderate", response={200: IdeaDetailOut, **ERRORS},
             summary="Hide, show or approve an idea")
def moderate_idea(request, idea_id: int, payload: PostModerateIn):
    idea = _idea(request.auth, idea_id)
    idea_services.idea_moderate(idea=idea, actor=request.auth, action=payload.action)
    return idea_detail_out(_idea(request.auth, idea_id))


@router.post("/community/ideas/{int:idea_id}/merge", response={200: IdeaDetailOut, **ERRORS},
             summary="Merge a duplicate idea into another (its votes move)")
def merge_idea(request, idea_id: int, payload: IdeaMergeIn):
    """Answers the idea merged into, with its new vote count."""
    source = _idea(request.auth, idea_id)
    target = Idea.objects.filter(pk=payload.into).first()
    if target is None:
        raise refusals.invalid_reference("into", _("There is no idea with that number."))
    target = idea_services.idea_merge(source=source, target=target, actor=request.auth)
    return idea_detail_out(_idea(request.auth, target.pk))
