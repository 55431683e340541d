"""Merge proposals: pairs of contacts that look like one person, for an agent to accept or dismiss.

Found by a periodic job over all identities (and for one contact after its identities change):

- the same e-mail address after normalisation beyond case (``jana.novak+shop@gmail.com`` and
  ``jananovak@gmail.com``: Gmail ignores dots and ``+tags``; other services ``+tags`` only);
- the same phone number by its last nine digits (``+420 777 123 456`` and ``777123456`` typed
  without the country code);
- a chat visitor who gives an e-mail address another contact has (``propose_for_claim``);
- similar names at the same company (the same words, case, accents and order aside).

A dismissed pair is never proposed again; merged contacts drop out.
"""

from __future__ import annotations

import logging
import unicodedata
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from pomoc.contacts.models import Contact, Identity, IdentityKind, MergeProposal, ProposalReason, ProposalStatus

logger = logging.getLogger(__name__)

DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
PHONE_DIGITS = 9


def email_key(value: str) -> str:
    local, _at, domain = value.lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def phone_key(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else digits


def name_key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    words = sorted(w for w in "".join(ch if ch.isalnum() else " " for ch in plain).split() if len(w) > 1)
    return " ".join(words) if len(words) >= 2 else ""


def propose(first_id: int, second_id: int, reason: str, detail: str = "") -> MergeProposal | None:
    """Record a proposal for the pair (once per pair, whatever the reason)."""
    if first_id == second_id:
        return None
    first_id, second_id = sorted((first_id, second_id))
    try:
        with transaction.atomic():
            proposal, _created = MergeProposal.objects.get_or_create(
                first_id=first_id, second_id=second_id, defaults={"reason": reason, "detail": detail[:320]})
    except IntegrityError:  # another process proposed it a moment ago
        return MergeProposal.objects.filter(first_id=first_id, second_id=second_id).first()
    return proposal


def propose_for_claim(*, contact: Contact, owner_id: int, kind: str, value: str) -> None:
    """``contact`` gave an identity ``owner_id`` has: propose the two (a chat visitor identified)."""
    chat = contact.identities.filter(kind=IdentityKind.CHAT).exists()
    reason = ProposalReason.CHAT_IDENTIFIED if chat else (
        ProposalReason.SAME_PHONE if kind == IdentityKind.PHONE else ProposalReason.SAME_EMAIL)
    propose(contact.pk, owner_id, reason, value)


def _live_contacts():
    return Contact.objects.filter(merged_into__isnull=True, erased_at__isnull=True)


def _candidates(contact_ids: list[int]):
    """The identities that could match those of ``contact_ids``: the same number's last digits, or an
    address starting like theirs (what comes before a dot or "+") at the same domain, through the
    (kind, value) index instead of a scan of every identity."""
    q = Q(contact_id__in=contact_ids)
    for kind, value in Identity.objects.filter(contact_id__in=contact_ids).values_list("kind", "value"):
        if kind == IdentityKind.PHONE:
            q |= Q(kind=kind, value__endswith=phone_key(value))
        elif kind == IdentityKind.EMAIL:
            local, _at, domain = email_key(value).rpartition("@")
            domains = DOTLESS_DOMAINS if domain == "gmail.com" else {domain}
            start = value.split("@")[0].split("+")[0].split(".")[0]
            for each in domains:
                q |= Q(kind=kind, value__startswith=start[:3], value__endswith="@" + each)
    return q


def find_proposals(*, contact_ids: list[int] | None = None) -> int:
    """Propose every pair found (among all contacts, or those touching ``contact_ids``); returns how
    many proposals are new."""
    before = MergeProposal.objects.count()
    live = _live_contacts()
    identities = Identity.objects.filter(kind__in=[IdentityKind.EMAIL, IdentityKind.PHONE], contact__in=live)
    if contact_ids:
        identities = identities.filter(_candidates(contact_ids))
    groups: dict[tuple[str, str], set[int]] = defaultdict(set)
    shown: dict[tuple[str, str], str] = {}
    for kind, value, contact_id in identities.values_list("kind", "value", "contact_id").iterator(chunk_size=2000):
        key = (kind, email_key(value) if kind == IdentityKind.EMAIL else phone_key(value))
        groups[key].add(contact_id)
        shown.setdefault(key, value)
    wanted = set(contact_ids or [])
    for key, ids in groups.items():
        if len(ids) < 2 or (wanted and not ids & wanted):
            continue
        reason = ProposalReason.SAME_EMAIL if key[0] == IdentityKind.EMAIL else ProposalReason.SAME_PHONE
        ordered = sorted(ids)
        for other in ordered[1:]:
            propose(ordered[0], other, reason, shown[key])
    names: dict[tuple[int, str], list[int]] = defaultdict(list)
    people = live.filter(company__isnull=False)
    if contact_ids:
        people = people.filter(company__in=Contact.objects.filter(pk__in=contact_ids).values("company_id"))
    for pk, name, company_id in people.values_list("pk", "name", "company_id").iterator(
            chunk_size=2000):
        if key := name_key(name):
            names[(company_id, key)].append(pk)
    for (_company, _key), ids in names.items():
        if len(ids) < 2 or (wanted and not set(ids) & wanted):
            continue
        ordered = sorted(ids)
        for other in ordered[1:]:
            propose(ordered[0], other, ProposalReason.SIMILAR_NAME)
    return MergeProposal.objects.count() - before


def proposals_for_contact_later(contact_id: int) -> None:
    """After an identity change: look for proposals about this contact in the background."""
    try:
        from pomoc.contacts.tasks import find_merge_proposals_for

        find_merge_proposals_for.enqueue(contact_id)
    except Exception:  # the proposal waits for the periodic job; the identity is stored
        logger.exception("could not queue merge proposals for contact %s", contact_id)


def proposals_for_contacts_later(contact_ids: list[int]) -> None:
    """``proposals_for_contact_later`` for many contacts (an import's batch) in one task."""
    if not contact_ids:
        return
    try:
        from pomoc.contacts.tasks import find_merge_proposals_for_contacts

        find_merge_proposals_for_contacts.enqueue(list(contact_ids))
    except Exception:  # the proposals wait for the periodic job; the identities are stored
        logger.exception("could not queue merge proposals for %s contacts", len(contact_ids))


PROPOSAL_CHUNK = 100  # contacts per search: their identities make one OR each (SQLite allows 1,000 deep)


def find_proposals_for_contacts(contact_ids: list[int]) -> int:
    """``find_proposals`` about these contacts, a hundred at a time."""
    ordered = sorted(set(contact_ids))
    return sum(find_proposals(contact_ids=ordered[start:start + PROPOSAL_CHUNK])
               for start in range(0, len(ordered), PROPOSAL_CHUNK))


def proposal_dismiss(*, proposal: MergeProposal, actor=None) -> MergeProposal:
    proposal.status = ProposalStatus.DISMISSED
    proposal.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal


def proposal_accept(*, proposal: MergeProposal, actor=None):
    """Merge the pair: the newer contact into the older (the older one's tickets keep their links)."""
    from pomoc.contacts.merging import contact_merge

    if proposal.status != ProposalStatus.OPEN:
        from django.utils.translation import gettext as _

        from pomoc.core import refusals

        raise refusals.conflict("proposal", _("This proposal has already been decided."))
    return contact_merge(source=proposal.second, target=proposal.first, actor=actor)
