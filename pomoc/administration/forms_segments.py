"""The segment form: a name and rows of conditions (field, comparison, custom field key, value) as
plain fields, so the page works without scripts. Values are typed as people know them (a company's
name); ``pomoc.contacts.segments`` checks them and turns names into ids."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.administration.forms_rules import MAX_ROWS, _count
from pomoc.contacts import segments


def _row_fields(index: int) -> dict:
    return {
        f"cond_{index}_field": forms.ChoiceField(
            label=_("Field"), required=False, choices=[("", _("— field —")), *segments.FIELD_LABELS.items()]),
        f"cond_{index}_op": forms.ChoiceField(label=_("Comparison"), required=False,
                                              choices=[("", "—"), *segments.OP_LABELS.items()]),
        f"cond_{index}_key": forms.CharField(label=_("Custom field key"), required=False, max_length=100),
        f"cond_{index}_value": forms.CharField(label=_("Value"), required=False, max_length=200),
    }


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)

    def __init__(self, data=None, *, segment=None, **kwargs):
        super().__init__(data, **kwargs)
        conditions = segments.typed(segment.conditions) if segment is not None else []
        self.row_count = min(MAX_ROWS, _count(data, "cond", len(conditions)))
        for index in range(self.row_count):
            self.fields.update(_row_fields(index))
        if segment is not None:
            self.initial["name"] = segment.name
        for index, condition in enumerate(conditions[: self.row_count]):
            for part in ("field", "op", "key", "value"):
                self.initial[f"cond_{index}_{part}"] = condition.get(part, "")

    def rows(self):
        return [[self[f"cond_{i}_{part}"] for part in ("field", "op", "key", "value")] for i in range(self.row_count)]

    def conditions_value(self) -> list[dict]:
        """The filled rows, as typed (``segments.from_typed`` and ``clean`` check them)."""
        data = self.cleaned_data
        return [{"field": data[f"cond_{i}_field"], "op": data[f"cond_{i}_op"], "key": data[f"cond_{i}_key"].strip(),
                 "value": data[f"cond_{i}_value"]}
                for i in range(self.row_count) if data.get(f"cond_{i}_field")]
