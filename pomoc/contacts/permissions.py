"""Who may see and change contacts and companies: every agent (they answer anyone); exports and
erasures only supervisors and administrators. 404 for customers and for ids that name nothing."""

from django.http import Http404

from pomoc.accounts.models import Role
from pomoc.contacts.models import Company, Contact, ContactMerge, MergeProposal
from pomoc.core.ids import is_id

PRIVACY_ROLES = (Role.ADMINISTRATOR, Role.SUPERVISOR)


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role != Role.CUSTOMER)


def may_manage_privacy(user) -> bool:
    return is_staff(user) and user.role in PRIVACY_ROLES


def _get(user, model, pk, **related):
    if not is_staff(user) or not is_id(pk):
        raise Http404
    found = model.objects.filter(pk=pk).select_related(*related.get("select", ())).first()
    if found is None:
        raise Http404
    return found


def access_contact(user, contact_id, *, for_update: bool = False) -> Contact:
    if for_update:
        if not is_staff(user) or not is_id(contact_id):
            raise Http404
        contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            raise Http404
        return contact
    return _get(user, Contact, contact_id, select=("company", "user", "merged_into"))


def access_company(user, company_id) -> Company:
    return _get(user, Company, company_id)


def access_proposal(user, proposal_id) -> MergeProposal:
    return _get(user, MergeProposal, proposal_id, select=("first", "second"))


def access_merge(user, merge_id) -> ContactMerge:
    return _get(user, ContactMerge, merge_id, select=("source", "target"))


def access_contact_privacy(user, contact_id) -> Contact:
    """A contact whose data ``user`` may export or erase (supervisors and administrators)."""
    contact = access_contact(user, contact_id)
    if not may_manage_privacy(user):
        raise Http404
    return contact
