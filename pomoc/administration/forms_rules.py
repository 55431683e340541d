"""Forms of the rules and macros pages: a rule's when, its conditions and its actions as rows of
plain fields (field, comparison, value / action, value), so the page works without scripts. Values
are typed as people know them (department and agent names, "high"); the services check them and
turn names into ids."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pomoc.automation.rules import actions as rule_actions
from pomoc.automation.rules import conditions as rule_conditions
from pomoc.automation.rules.models import Trigger
from pomoc.core.text import validate_line

EXTRA_ROWS = 2  # empty rows after the filled ones
MAX_ROWS = 30


def _condition_fields(index: int) -> dict:
    return {
        f"cond_{index}_field": forms.ChoiceField(
            label=_("Field"), required=False,
            choices=[("", _("— field —")), *((k, v[0]) for k, v in rule_conditions.FIELDS.items())]),
        f"cond_{index}_op": forms.ChoiceField(label=_("Comparison"), required=False,
                                              choices=[("", "—"), *rule_conditions.OPS.items()]),
        f"cond_{index}_value": forms.CharField(label=_("Value"), required=False, max_length=500),
    }


def _action_fields(index: int, allowed) -> dict:
    return {
        f"act_{index}_type": forms.ChoiceField(
            label=_("Action"), required=False,
            choices=[("", _("— action —")), *((k, v[0]) for k, v in rule_actions.ACTIONS.items() if k in allowed)]),
        f"act_{index}_value": forms.CharField(label=_("Value"), required=False, max_length=10_000,
                                              widget=forms.Textarea(attrs={"rows": 1})),
    }


def _count(data, prefix: str, filled: int) -> int:
    """Rows to show: the filled ones and ``EXTRA_ROWS`` empty (at least one empty after a submit, two
    more when "More rows" was pressed)."""
    if data is None:
        return min(MAX_ROWS, filled + EXTRA_ROWS)
    posted = [key.split("_") for key in data if key.startswith(f"{prefix}_")]
    rows = {int(parts[1]) for parts in posted if len(parts) == 3 and parts[1].isdigit()}
    used = {int(parts[1]) for parts in posted if len(parts) == 3 and parts[1].isdigit()
            and parts[2] in ("field", "type") and data.get("_".join(parts))}
    count = max(max(rows, default=-1) + 1, max(used, default=-1) + 2)
    if data.get("more"):  # "More rows" pressed
        count += EXTRA_ROWS
    return min(MAX_ROWS, count)


ACTIONS_HELP = format_lazy(
    _("Values as you know them: a department's or agent's name, a status, a priority (low, normal, high, urgent), "
      "a tag. Reply and note texts may use placeholders such as {first_name} or {number}."),
    first_name="{{ customer.first_name }}", number="{{ ticket.number }}")


class _ActionsMixin:
    allowed_actions: tuple[str, ...] = tuple(rule_actions.ACTIONS)
    actions_help = ACTIONS_HELP

    def _add_actions(self, data, initial_actions: list[dict], names: dict):
        self.action_count = _count(data, "act", len(initial_actions))
        for index in range(self.action_count):
            self.fields.update(_action_fields(index, self.allowed_actions))
        for index, action in enumerate(initial_actions):
            self.initial[f"act_{index}_type"] = action.get("type")
            self.initial[f"act_{index}_value"] = rule_actions.display_value(action, names)

    def action_rows(self):
        return [(self[f"act_{i}_type"], self[f"act_{i}_value"]) for i in range(self.action_count)]

    def actions_value(self) -> list[dict]:
        data = self.cleaned_data
        return [{"type": data[f"act_{i}_type"], "value": data[f"act_{i}_value"]}
                for i in range(self.action_count) if data.get(f"act_{i}_type")]


class RuleForm(_ActionsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, validators=[validate_line])
    trigger = forms.ChoiceField(label=_("When"), choices=Trigger.choices)
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=1_000_000, required=False,
                                  help_text=_("Rules run from the lowest number up."))
    active = forms.BooleanField(label=_("Switched on"), required=False)

    def __init__(self, data=None, *, rule=None, **kwargs):
        initial_conditions = list(rule.conditions) if rule else []
        initial_actions = list(rule.actions) if rule else []
        initial = {"name": rule.name, "trigger": rule.trigger, "position": rule.position,
                   "active": rule.active} if rule else {"trigger": Trigger.CREATED}
        super().__init__(data, initial=initial, **kwargs)
        names = rule_conditions.reference_names(
            initial_conditions, lambda c: rule_conditions.FIELDS.get(c.get("field"), ("", (), ""))[2])
        names.update(rule_actions.reference_names(initial_actions))
        self.condition_count = _count(data, "cond", len(initial_conditions))
        for index in range(self.condition_count):
            self.fields.update(_condition_fields(index))
        for index, condition in enumerate(initial_conditions):
            self.initial[f"cond_{index}_field"] = condition.get("field")
            self.initial[f"cond_{index}_op"] = condition.get("op")
            self.initial[f"cond_{index}_value"] = rule_conditions.display_value(condition, names)
        self._add_actions(data, initial_actions, names)

    def condition_rows(self):
        return [(self[f"cond_{i}_field"], self[f"cond_{i}_op"], self[f"cond_{i}_value"])
                for i in range(self.condition_count)]

    def conditions_value(self) -> list[dict]:
        data = self.cleaned_data
        return [{"field": data[f"cond_{i}_field"], "op": data[f"cond_{i}_op"], "value": data[f"cond_{i}_value"]}
                for i in range(self.condition_count) if data.get(f"cond_{i}_field")]

    def service_values(self) -> dict:
        data = self.cleaned_data
        values = {"name": data["name"], "trigger": data["trigger"], "active": data["active"],
                  "conditions": self.conditions_value(), "actions": self.actions_value()}
        if data.get("position") is not None:
            values["position"] = data["position"]
        return values


class MacroForm(_ActionsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, validators=[validate_line])
    allowed_actions = rule_actions.MACRO_ACTIONS

    def __init__(self, data=None, *, macro=None, **kwargs):
        super().__init__(data, initial={"name": macro.name} if macro else {}, **kwargs)
        initial_actions = list(macro.actions) if macro else []
        self._add_actions(data, initial_actions, rule_actions.reference_names(initial_actions))

    def service_values(self) -> dict:
        return {"name": self.cleaned_data["name"], "actions": self.actions_value()}
