"""The customer pages: a contact's profile (edited in place), a company, the merge proposals, and a
person's data export and erasure. Thin: parse, ``access_*``, one service, respond."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pomoc.contacts import merging, privacy, proposals, services
from pomoc.contacts.models import Company, Identity, IdentityKind
from pomoc.contacts.permissions import (
    access_company,
    access_contact,
    access_contact_privacy,
    access_merge,
    access_proposal,
    may_manage_privacy,
)
from pomoc.contacts.registry import Cursor
from pomoc.core.form_errors import add_service_errors, error_messages
from pomoc.core.ids import is_id
from pomoc.customers import selectors
from pomoc.customers.forms import CompanyForm, ContactForm, EraseForm, IdentityForm, MergeForm, TagForm
from pomoc.tickets.views_common import staff_required


def _contact_forms(contact, data=None):
    definitions = selectors.registry.field_definitions("contact")
    initial = {"name": contact.name, "company": contact.company.name if contact.company_id else "",
               "language": contact.language, "time_zone": contact.time_zone, "notes": contact.notes}
    return ContactForm(data, initial=initial, definitions=definitions, values=contact.custom_fields)


def _profile(request, contact, *, status=200, **forms):
    context = selectors.profile(contact, request.user)
    context.update({
        "edit_form": forms.get("edit_form") or _contact_forms(contact),
        "identity_form": forms.get("identity_form") or IdentityForm(),
        "tag_form": forms.get("tag_form") or TagForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "erase_form": forms.get("erase_form") or EraseForm(),
        "may_manage_privacy": may_manage_privacy(request.user),
        "open_panel": forms.get("open_panel", ""),
    })
    return render(request, "customers/contact.html", context, status=status)


@staff_required
@require_GET
def contact_detail(request, contact_id):
    contact = access_contact(request.user, contact_id)
    if contact.merged_into_id:
        messages.info(request, _("That contact was merged into this one."))
        return redirect("customers:contact", contact_id=contact.merged_into_id)
    add = request.GET.get("add", "")
    if add in IdentityKind.values:  # "?add=email": the identity form open, that kind chosen (from the reply route)
        return _profile(request, contact, identity_form=IdentityForm(initial={"kind": add}), open_panel="identity")
    return _profile(request, contact)


@staff_required
@require_GET
def contact_timeline(request, contact_id):
    """The next page of the timeline (htmx "Show older")."""
    contact = access_contact(request.user, contact_id)
    before = Cursor.decode(request.GET.get("before"))
    if request.GET.get("before") and before is None:
        return HttpResponse(_("This page link is not valid."), status=400)
    page = selectors.timeline(contact, request.user, before=before)
    return render(request, "customers/_timeline.html", {"contact": contact, "timeline": page})


@staff_required
@require_POST
def contact_edit(request, contact_id):
    contact = access_contact(request.user, contact_id)
    form = _contact_forms(contact, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            company = _company_by_name(data["company"])
            services.contact_update(contact=contact, actor=request.user, changes={
                "name": data["name"], "company": company.pk if company else None, "language": data["language"],
                "time_zone": data["time_zone"], "notes": data["notes"], "custom_fields": form.custom_field_values()})
        except ValidationError as error:
            add_service_errors(form, error, aliases=form.custom_field_aliases())
        else:
            messages.success(request, _("Contact saved."))
            return redirect("customers:contact", contact_id=contact.pk)
    contact.refresh_from_db()
    return _profile(request, contact, status=400, edit_form=form, open_panel="edit")


def _company_by_name(name: str) -> Company | None:
    name = (name or "").strip()
    if not name:
        return None
    company = Company.objects.filter(name__iexact=name).order_by("pk").first()
    if company is None:
        raise ValidationError({"company": _("There is no company of this name; create it first.")})
    return company


@staff_required
@require_POST
def identity_add(request, contact_id):
    contact = access_contact(request.user, contact_id)
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            services.identity_add(contact=contact, kind=form.cleaned_data["kind"], value=form.cleaned_data["value"],
                                  actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added to the contact."))
            return redirect("customers:contact", contact_id=contact.pk)
    return _profile(request, contact, status=400, identity_form=form, open_panel="identity")


@staff_required
@require_POST
def identity_remove(request, contact_id, identity_id):
    contact = access_contact(request.user, contact_id)
    identity = Identity.objects.filter(pk=identity_id, contact=contact).first() if is_id(identity_id) else None
    if identity is None:
        raise Http404
    services.identity_remove(identity=identity, actor=request.user)
    messages.success(request, _("Removed from the contact."))
    return redirect("customers:contact", contact_id=contact.pk)


@staff_required
@require_POST
def tag_add(request, contact_id):
    contact = access_contact(request.user, contact_id)
    form = TagForm(request.POST)
    if form.is_valid():
        try:
            services.tag_add(contact=contact, name=form.cleaned_data["name"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error, aliases={"name": "name"})
        else:
            return redirect("customers:contact", contact_id=contact.pk)
    return _profile(request, contact, status=400, tag_form=form)


@staff_required
@require_POST
def tag_remove(request, contact_id):
    contact = access_contact(request.user, contact_id)
    services.tag_remove(contact=contact, name=request.POST.get("name", "")[:50], actor=request.user)
    return redirect("customers:contact", contact_id=contact.pk)


@staff_required
@require_POST
def contact_merge(request, contact_id):
    """Merge another contact (by its number) into this one."""
    contact = access_contact(request.user, contact_id)
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            other = access_contact(request.user, form.cleaned_data["other"])
        except Http404:
            form.add_error("other", _("There is no contact with this number."))
        else:
            try:
                merging.contact_merge(source=other, target=contact, actor=request.user)
            except ValidationError as error:
                form.add_error("other", " ".join(m for ms in error_messages(error).values() for m in ms))
            else:
                messages.success(request, _("Merged. You can undo it below."))
                return redirect("customers:contact", contact_id=contact.pk)
    return _profile(request, contact, status=400, merge_form=form, open_panel="merge")


@staff_required
@require_POST
def merge_undo(request, merge_id):
    merge = access_merge(request.user, merge_id)
    try:
        source = merging.contact_unmerge(merge=merge, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error_messages(error).values() for m in ms))
        return redirect("customers:contact", contact_id=merge.target_id)
    messages.success(request, _("The merge was undone: both contacts are back."))
    return redirect("customers:contact", contact_id=source.pk)


@staff_required
@require_POST
def contact_export(request, contact_id):
    contact = access_contact_privacy(request.user, contact_id)
    try:
        data = privacy.contact_export(contact=contact, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error_messages(error).values() for m in ms))
        return redirect("customers:contact", contact_id=contact.pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.zip"'
    return response


@staff_required
@require_POST
def contact_erase(request, contact_id):
    contact = access_contact_privacy(request.user, contact_id)
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            privacy.contact_erase(contact=contact, actor=request.user)
        except ValidationError as error:
            form.add_error(None, " ".join(m for ms in error_messages(error).values() for m in ms))
        else:
            messages.success(request, _("The contact's personal data was erased."))
            return redirect("customers:contact", contact_id=contact.pk)
    return _profile(request, contact, status=400, erase_form=form, open_panel="privacy")


# --- companies ----------------------------------------------------------------------------------------
def _company_form(company, data=None):
    definitions = selectors.registry.field_definitions("company")
    initial = {"name": company.name, "domains": ", ".join(company.domains), "notes": company.notes,
               "portal_visibility": company.portal_visibility}
    return CompanyForm(data, initial=initial, definitions=definitions, values=company.custom_fields)


@staff_required
@require_GET
def company_detail(request, company_id):
    company = access_company(request.user, company_id)
    after = request.GET.get("after")
    context = selectors.company_page(company, request.user, after_contact=int(after) if is_id(after) else None)
    context["edit_form"] = _company_form(company)
    return render(request, "customers/company.html", context)


@staff_required
@require_POST
def company_edit(request, company_id):
    company = access_company(request.user, company_id)
    form = _company_form(company, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.company_update(company=company, actor=request.user, changes={
                    "name": form.cleaned_data["name"], "domains": form.domain_list(),
                    "notes": form.cleaned_data["notes"], "custom_fields": form.custom_field_values(),
                    "portal_visibility": form.cleaned_data["portal_visibility"]})
        except ValidationError as error:
            add_service_errors(form, error, aliases=form.custom_field_aliases())
        else:
            messages.success(request, _("Company saved."))
            return redirect("customers:company", company_id=company.pk)
    company.refresh_from_db()
    context = selectors.company_page(company, request.user)
    context.update({"edit_form": form, "open_panel": "edit"})
    return render(request, "customers/company.html", context, status=400)


# --- merge proposals -------------------------------------------------------------------------------------
@staff_required
@require_GET
def proposal_list(request):
    after = request.GET.get("after")
    found, next_after = selectors.open_proposals(after=int(after) if is_id(after) else None)
    return render(request, "customers/proposals.html", {"proposals": found, "next_after": next_after})


@staff_required
@require_POST
def proposal_accept(request, proposal_id):
    proposal = access_proposal(request.user, proposal_id)
    try:
        merge = proposals.proposal_accept(proposal=proposal, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error_messages(error).values() for m in ms))
        return redirect("customers:proposals")
    messages.success(request, _("Merged. You can undo it on the contact's page."))
    return redirect("customers:contact", contact_id=merge.target_id)


@staff_required
@require_POST
def proposal_dismiss(request, proposal_id):
    proposal = access_proposal(request.user, proposal_id)
    proposals.proposal_dismiss(proposal=proposal, actor=request.user)
    messages.success(request, _("Dismissed: these two will not be proposed again."))
    return redirect("customers:proposals")
