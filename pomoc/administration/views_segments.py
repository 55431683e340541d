"""Segments (saved filters over contacts) outside the Django admin: list, build with a preview of
the matching contacts, save, delete. Rules, survey campaigns and reports pick them by name."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pomoc.accounts.permissions import manage_view
from pomoc.administration.forms_segments import SegmentForm
from pomoc.administration.views import _page, _read_only, _write
from pomoc.contacts import segments
from pomoc.contacts.models import Segment
from pomoc.contacts.selectors import segment_preview, segments_list


@manage_view(supervisors_may_read=True)
def segment_list(request):
    return _page(request, "administration/segments.html", "segments", {"segments": segments_list()})


@manage_view(supervisors_may_read=True)
def segment_edit(request, pk: int | None = None):
    segment = get_object_or_404(Segment, pk=pk) if pk is not None else None
    data = request.POST if request.method == "POST" else None
    form = SegmentForm(data, segment=segment)
    preview = None
    if not request.can_manage:
        _read_only(form)
    elif data is not None and not data.get("more") and form.is_valid():
        try:
            conditions = segments.clean(segments.from_typed(form.conditions_value()))
        except ValidationError as error:
            form.add_error(None, error.messages)
            conditions = None
        if conditions is not None and data.get("preview"):  # "Preview": count and show, save nothing
            preview = segment_preview(conditions)
        elif conditions is not None:
            saved = _write(form, lambda: segments.segment_save(name=form.cleaned_data["name"], conditions=conditions,
                                                               segment=segment, actor=request.user))
            if saved is not None:
                messages.success(request, _("Segment %(name)s saved.") % {"name": saved.name})
                return redirect("administration:segment", saved.pk)
    if preview is None and segment is not None and data is None:
        preview = segment_preview(segment.conditions)
    status = 400 if data is not None and form.errors else 200
    context = {"form": form, "segment": segment}
    if preview is not None:
        context["preview_count"], context["preview_sample"] = preview
    return _page(request, "administration/segment_form.html", "segments", context, status=status)


@manage_view()
@require_POST
def segment_delete(request, pk: int):
    segment = get_object_or_404(Segment, pk=pk)
    try:
        segments.segment_delete(segment=segment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("administration:segment", segment.pk)
    messages.success(request, _("Segment %(name)s deleted.") % {"name": segment.name})
    return redirect("administration:segments")
