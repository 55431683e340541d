"""Tags: created on the fly from ticket changes, or managed by admins."""

import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pomoc.core import refusals
from pomoc.tickets.models import Tag

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def tags_get_or_create(names: Iterable[str]) -> list[Tag]:
    cleaned = sorted({" ".join(str(n).split()).lower()[:50] for n in names if str(n).strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned)}
    missing = [Tag(name=n) for n in cleaned if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned)}
    return [existing[n] for n in cleaned]


def _clean_tag_name(name: str, *, exclude_pk: int | None = None) -> str:
    normalized = " ".join(str(name or "").split()).lower()[:50]
    if not normalized:
        raise ValidationError({"name": _("This field cannot be blank.")})
    if Tag.objects.filter(name=normalized).exclude(pk=exclude_pk).exists():
        raise refusals.conflict("name", _("A tag with this name already exists."))
    return normalized


def _clean_tag_color(color: str) -> str:
    color = (color or "").strip()
    if color and not COLOR_RE.match(color):
        raise ValidationError({"color": _("Use a colour like #1e90ff.")})
    return color.lower()


def tag_create(*, name: str, color: str = "") -> Tag:
    """A new tag; names are stored lowercase with single spaces, like ``tags_get_or_create`` does."""
    color = _clean_tag_color(color)
    (tag,) = tags_get_or_create([_clean_tag_name(name)])
    if color:
        tag.color = color
        tag.save(update_fields=["color"])
    return tag


def tag_update(*, tag: Tag, changes: Mapping) -> Tag:
    """Rename or recolour a tag (only the keys given: ``name``, ``color``); tickets keep it."""
    fields = []
    if "color" in changes:
        color = _clean_tag_color(changes["color"])
        if color:
            tag.color = color
            fields.append("color")
    if "name" in changes:
        tag.name = _clean_tag_name(changes["name"], exclude_pk=tag.pk)
        fields.append("name")
    if fields:
        tag.save(update_fields=fields)
    return tag
