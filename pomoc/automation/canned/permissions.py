"""Who sees and who changes which canned responses: pages and API alike ask here.

Everyone on the staff sees the shared ones, their own personal ones and those of the departments
they belong to; administrators and supervisors also see every department's. Nobody sees another
person's personal ones. A personal one is changed by its owner only; department and shared ones by
administrators and supervisors."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from pomoc.accounts.models import Role
from pomoc.automation.canned.models import CannedAttachment, CannedResponse, Scope
from pomoc.core.text import text_problem
from pomoc.tickets.permissions import PermissionDenied, is_staff_user

MANAGER_ROLES = (Role.ADMINISTRATOR, Role.SUPERVISOR)


def manages_team_canned(user) -> bool:
    """Administrators and supervisors write department and shared canned responses."""
    return is_staff_user(user) and user.role in MANAGER_ROLES


def canned_visibility_q(user) -> Q:
    if not is_staff_user(user):
        return Q(pk__in=[])
    mine = Q(scope=Scope.PERSONAL, owner=user)
    team = Q(scope=Scope.DEPARTMENT) if manages_team_canned(user) else \
        Q(scope=Scope.DEPARTMENT, department__in=user.departments.all())
    return Q(scope=Scope.SHARED) | mine | team


def visible_canned(user, queryset: QuerySet[CannedResponse] | None = None) -> QuerySet[CannedResponse]:
    qs = CannedResponse.objects.all() if queryset is None else queryset
    return qs.filter(canned_visibility_q(user))


def access_canned(user, canned_id, *, for_update: bool = False) -> CannedResponse:
    """The canned response, if ``user`` may see it; Http404 otherwise (hidden and missing alike)."""
    try:
        canned_id = int(canned_id)
    except (TypeError, ValueError):
        raise Http404 from None
    qs = visible_canned(user)
    if for_update:
        qs = qs.select_for_update()
    canned = qs.filter(pk=canned_id).first()
    if canned is None:
        raise Http404
    return canned


def access_canned_attachment(user, public_id) -> CannedAttachment:
    public_id = str(public_id)
    if text_problem(public_id):
        raise Http404
    attachment = CannedAttachment.objects.filter(public_id=public_id).first()
    if attachment is None:
        raise Http404
    access_canned(user, attachment.canned_id)
    return attachment


def may_change_canned(user, canned: CannedResponse) -> bool:
    if canned.scope == Scope.PERSONAL:
        return is_staff_user(user) and canned.owner_id == user.pk
    return manages_team_canned(user)


def require_may_change_canned(user, canned: CannedResponse) -> None:
    if not may_change_canned(user, canned):
        raise PermissionDenied(_("Only its owner can change a personal canned response; department and shared "
                                 "ones are changed by administrators and supervisors."))
