"""Rules and macros: lists, the forms that build them, a rule's trial on past tickets and its webhook log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pomoc.accounts.permissions import manage_view
from pomoc.administration.forms_rules import MacroForm, RuleForm
from pomoc.administration.views import _page, _read_only, _write
from pomoc.automation.macros import services as macro_services
from pomoc.automation.macros.models import Macro
from pomoc.automation.rules import conditions as rule_conditions
from pomoc.automation.rules import selectors as rule_selectors
from pomoc.automation.rules import services as rule_services
from pomoc.automation.rules.models import Rule

WEBHOOK_LOG = 20  # latest calls shown on a rule's page


@manage_view(supervisors_may_read=True)
def rules(request):
    return _page(request, "administration/rules.html", "rules", {"rules": Rule.objects.order_by("position", "id")})


@manage_view(supervisors_may_read=True)
def rule_edit(request, pk: int | None = None):
    rule = get_object_or_404(Rule, pk=pk) if pk is not None else None
    data = request.POST if request.method == "POST" else None
    form = RuleForm(data, rule=rule)
    trial = None
    if not request.can_manage:
        _read_only(form)
    elif data is not None and not data.get("more") and form.is_valid():
        values = form.service_values()
        if data.get("try"):  # "Try on past tickets": count, change nothing
            try:
                trial = rule_selectors.rule_try(rule_conditions.clean(values["conditions"]))
            except ValidationError as error:
                form.add_error(None, error.messages)
        else:
            saved = _write(form, lambda: rule_services.rule_create(author=request.user, **values) if rule is None
                           else rule_services.rule_update(rule=rule, author=request.user, changes=values))
            if saved is not None:
                messages.success(request, _("Rule %(name)s saved.") % {"name": saved.name})
                return redirect("administration:rule", saved.pk)
    context = {"form": form, "rule": rule, "trial": trial}
    if rule is not None:
        context["deliveries"] = list(rule.deliveries.select_related("ticket")[:WEBHOOK_LOG])
    status = 400 if data is not None and form.errors else 200
    return _page(request, "administration/rule_form.html", "rules", context, status=status)


@manage_view()
@require_POST
def rule_delete(request, pk: int):
    rule = get_object_or_404(Rule, pk=pk)
    name = rule.name
    rule_services.rule_delete(rule=rule)
    messages.success(request, _("Rule %(name)s deleted.") % {"name": name})
    return redirect("administration:rules")


@manage_view(supervisors_may_read=True)
def macros(request):
    return _page(request, "administration/macros.html", "macros", {"macros": Macro.objects.order_by("name")})


@manage_view(supervisors_may_read=True)
def macro_edit(request, pk: int | None = None):
    macro = get_object_or_404(Macro, pk=pk) if pk is not None else None
    data = request.POST if request.method == "POST" else None
    form = MacroForm(data, macro=macro)
    if not request.can_manage:
        _read_only(form)
    elif data is not None and not data.get("more") and form.is_valid():
        values = form.service_values()
        saved = _write(form, lambda: macro_services.macro_create(**values) if macro is None
                       else macro_services.macro_update(macro=macro, changes=values))
        if saved is not None:
            messages.success(request, _("Macro %(name)s saved.") % {"name": saved.name})
            return redirect("administration:macro", saved.pk)
    status = 400 if data is not None and form.errors else 200
    return _page(request, "administration/macro_form.html", "macros", {"form": form, "macro": macro}, status=status)


@manage_view()
@require_POST
def macro_delete(request, pk: int):
    macro = get_object_or_404(Macro, pk=pk)
    name = macro.name
    macro_services.macro_delete(macro=macro)
    messages.success(request, _("Macro %(name)s deleted.") % {"name": name})
    return redirect("administration:macros")
