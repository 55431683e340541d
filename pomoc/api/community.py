"""The community (forum topics and ideas) for agents: read with filters, moderate, answer and merge ideas;
a post's earlier versions; a post's files.

The same rules as the portal pages: only agents (``pomoc.community.permissions.moderates``) use the
moderation operations and read earlier versions (403 for anybody else). A post's files follow the
pages exactly, so customers use those operations too: whoever may see the post lists and downloads
its files, whoever may edit it (its author within the edit window, agents always:
``pomoc.community.editing``) adds and removes files. Every object is reached through the
``access_*`` helpers (404 for one that does not exist or that the caller may not see), and every
change goes through the community's services."""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import BeforeValidator, Field

from pomoc.api.pagination import id_page
from pomoc.api.schemas import (
    ERRORS,
    Deleted,
    Error,
    Id,
    IdText,
    In,
    PageCursor,
    UserRef,
    _safe_text,
    _schema,
    user_ref,
)
from pomoc.community import editing, idea_services, services
from pomoc.community import files as post_files
from pomoc.community.models import Category, Idea, IdeaStatus, PostFile, Reply, Revision, Topic
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


# --- earlier versions and files of a post ---------------------------------------------------------
class RevisionFileOut(Schema):
    name: str
    content_type: str
    size: int
    sha256: str


class RevisionOut(Schema):
    id: int
    title: str = Field(description="The title this version had (\"\" for a reply).")
    body: str = Field(description="This version's text as written (Markdown).")
    body_html: str = Field(description="Rendered and sanitized.")
    replaced_by: UserRef | None = Field(description="Who made the change that replaced this version.")
    replaced_at: dt.datetime
    files_added: list[RevisionFileOut] = Field(description="Files that change attached.")
    files_removed: list[RevisionFileOut] = Field(description="Files that change took away (their bytes are "
                                                             "deleted; these are what is left of them).")


class PostFileOut(Schema):
    id: int
    topic: int | None = Field(description="The topic it is attached to (else null).")
    reply: int | None = Field(description="The reply it is attached to (else null).")
    idea: int | None = Field(description="The idea it is attached to (else null).")
    file_name: str
    content_type: str = Field(description="What its content showed: image/png, image/jpeg, image/gif, image/webp, "
                                          "application/pdf or text/plain.")
    size: int
    sha256: str
    uploaded_by: UserRef | None
    created_at: dt.datetime
    url: str = Field(description="Where the API serves it (always as a download).")
    page_url: str = Field(description="Where the portal serves it (images shown, the rest downloaded).")


def revision_out(revision: Revision) -> dict:
    def files(items) -> list[dict]:
        return [{"name": str(f.get("name", "")), "content_type": str(f.get("content_type", "")),
                 "size": int(f.get("size") or 0), "sha256": str(f.get("sha256", ""))} for f in items or ()]

    return {"id": revision.pk, "title": revision.title, "body": revision.body, "body_html": revision.body_html,
            "replaced_by": user_ref(revision.replaced_by), "replaced_at": revision.replaced_at,
            "files_added": files(revision.files_added), "files_removed": files(revision.files_removed)}


def post_file_out(item: PostFile, caller) -> dict:
    return {"id": item.pk, "topic": item.topic_id, "reply": item.reply_id, "idea": item.idea_id,
            "file_name": item.file_name, "content_type": item.content_type, "size": item.size, "sha256": item.sha256,
            "uploaded_by": user_ref(item.uploaded_by, for_staff=moderates(caller)), "created_at": item.created_at,
            "url": reverse("api-v1:get_post_file", kwargs={"file_id": item.pk}),
            "page_url": reverse("community:file", args=[item.public_id])}


def _revisions(post) -> list[dict]:
    return [revision_out(r) for r in editing.revisions(post)]


def _files(user, post) -> list[dict]:
    return [post_file_out(f, user) for f in post.files.select_related("uploaded_by")]


def _uploads(request) -> list:
    """The ``files`` parts of a multipart body; anything else in it is refused as an unknown field."""
    if request.content_type != "multipart/form-data":
        return []
    unknown = sorted((set(request.POST) | set(request.FILES)) - {"files"})
    if "files" in request.POST:
        raise ValidationError({"files": _("Send each file as a file part (with a file name).")})
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    return request.FILES.getlist("files")


def _upload(request, post) -> HttpStatus:
    added = editing.files_add(post=post, actor=request.auth, files=_uploads(request))
    return HttpStatus(201, [post_file_out(f, request.auth) for f in added])


UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "additionalProperties": False, "required": ["files"],
    "properties": {"files": {
        "type": "array", "minItems": 1, "maxItems": post_files.max_files(),
        "items": {"type": "string", "format": "binary", "minLength": 1, "maxLength": post_files.max_bytes()},
        "description": "One part per file. Taken by content: PNG, JPEG, GIF and WebP images, PDF and plain text "
                       "(another kind is `invalid_content`); more than the post may carry with the files it "
                       "has is a `conflict`."}},
}}}}}
DOWNLOAD_DOC = {"responses": {"200": {
    "description": "The file, always as application/octet-stream (Content-Disposition: attachment)",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}}
UPLOADED = {201: list[PostFileOut], **ERRORS}


@router.get("/community/topics/{int:topic_id}/revisions", response={200: list[RevisionOut], **ERRORS},
            summary="Earlier versions of a topic")
def list_topic_revisions(request, topic_id: int):
    """Newest first, each with who replaced it, when, and the files that change added and removed."""
    return _revisions(_topic(request.auth, topic_id))


@router.get("/community/replies/{int:reply_id}/revisions", response={200: list[RevisionOut], **ERRORS},
            summary="Earlier versions of a reply")
def list_reply_revisions(request, reply_id: int):
    require_moderator(request.auth)
    return _revisions(access_reply(request.auth, reply_id))


@router.get("/community/ideas/{int:idea_id}/revisions", response={200: list[RevisionOut], **ERRORS},
            summary="Earlier versions of an idea")
def list_idea_revisions(request, idea_id: int):
    return _revisions(_idea(request.auth, idea_id))


@router.get("/community/topics/{int:topic_id}/files", response={200: list[PostFileOut], **ERRORS},
            summary="Files of a topic")
def list_topic_files(request, topic_id: int):
    """For whoever may see the topic (customers too: a hidden one is 404 for them)."""
    return _files(request.auth, access_topic(request.auth, topic_id))


@router.post("/community/topics/{int:topic_id}/files", response=UPLOADED, summary="Attach files to a topic",
             openapi_extra=UPLOAD_DOC)
def upload_topic_files(request, topic_id: int):
    """An edit of the topic: by its author within the edit window, by agents always (else 403); kept in
    the topic's earlier versions."""
    return _upload(request, access_topic(request.auth, topic_id))


@router.get("/community/replies/{int:reply_id}/files", response={200: list[PostFileOut], **ERRORS},
            summary="Files of a reply")
def list_reply_files(request, reply_id: int):
    return _files(request.auth, access_reply(request.auth, reply_id))


@router.post("/community/replies/{int:reply_id}/files", response=UPLOADED, summary="Attach files to a reply",
             openapi_extra=UPLOAD_DOC)
def upload_reply_files(request, reply_id: int):
    return _upload(request, access_reply(request.auth, reply_id))


@router.get("/community/ideas/{int:idea_id}/files", response={200: list[PostFileOut], **ERRORS},
            summary="Files of an idea")
def list_idea_files(request, idea_id: int):
    return _files(request.auth, access_idea(request.auth, idea_id))


@router.post("/community/ideas/{int:idea_id}/files", response=UPLOADED, summary="Attach files to an idea",
             openapi_extra=UPLOAD_DOC)
def upload_idea_files(request, idea_id: int):
    return _upload(request, access_idea(request.auth, idea_id))


@router.get("/community/files/{int:file_id}", response={200: None, 401: Error, 404: Error},
            summary="Download a file of a topic, reply or idea", openapi_extra=DOWNLOAD_DOC)
def get_post_file(request, file_id: int):
    """For whoever may see its post; 404 for everybody else, as for a file that does not exist."""
    return post_files.file_response(post_files.access_post_file_by_id(request.auth, file_id), download=True)


@router.delete("/community/files/{int:file_id}", response={200: Deleted, **ERRORS},
               summary="Remove a file from its topic, reply or idea")
def delete_post_file(request, file_id: int):
    """An edit of its post (by whoever may edit it, else 403), kept in the post's earlier versions; the
    file's bytes are deleted once it has committed."""
    editing.file_remove(item=post_files.access_post_file_by_id(request.auth, file_id), actor=request.auth)
    return {"deleted": True}
