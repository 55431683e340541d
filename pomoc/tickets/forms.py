"""Forms of the agent pages. They parse and show errors; the services decide what is allowed."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import STAFF_ROLES, Department, User
from pomoc.contacts.models import IdentityKind
from pomoc.contacts.services import is_valid_email
from pomoc.core.directory import cached_list
from pomoc.core.ids import MAX_ID, IdModelChoiceField, is_id
from pomoc.core.text import validate_line
from pomoc.tickets import custom_fields, replies, reply_routes
from pomoc.tickets.inbox_columns import COLUMNS
from pomoc.tickets.models import Channel, CustomFieldDefinition, CustomFieldType, Priority, Status
from pomoc.tickets.selectors import SORT_LABELS

NO_CHANGE = ""


def staff_users() -> list[User]:
    """The active agents, supervisors and administrators, by name (cached: pages list them as choices)."""
    return _staff_users()


@cached_list("staff-users", models=("accounts.User",))
def _staff_users():
    return (User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("first_name", "last_name", "username")
            .only("pk", "username", "first_name", "last_name", "role", "email"))


@cached_list("departments", models=("accounts.Department",))
def departments() -> list[Department]:
    """Every department, by name (cached: pages list them as choices)."""
    return Department.objects.order_by("name", "pk")


def split_tags(value: str) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


class IdListField(forms.Field):
    """Several ids (checkboxes of one name). Which of them the user may touch is decided later,
    by visible_tickets(), never by this field."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        if not all(is_id(str(v)) for v in values):
            raise forms.ValidationError(_("Not a valid selection."))
        return sorted({int(v) for v in values})


class QuickSelect(forms.Select):
    """A <select> written in Python: the same HTML as Django's widget templates, without rendering a
    template for every <option>. The inbox shows some 80 options on each page; through the templates
    they cost more than the 50 ticket rows."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups: the templates know them
        selected = set(self.format_value(value))
        options, found = [], False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            is_selected = option_value in selected and (self.allow_multiple_selected or not found)
            found = found or is_selected
            options.append((option_value, SELECTED if is_selected else "", label))
        return format_html('<select name="{}"{}>{}\n</select>', name,
                           html_attrs(self.build_attrs(self.attrs, attrs)),
                           format_html_join("", '\n  <option value="{}"{}>{}</option>\n', options))


SELECTED = format_html(" {}", "selected")


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes written in Python (as ``QuickSelect``): the inbox's column picker on every page."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        base = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        return format_html("<div>{}</div>", format_html_join("", (
            '<div><label for="{}_{}"><input type="checkbox" name="{}" value="{}" id="{}_{}"{}> {}</label></div>'),
            ((base, i, name, key, base, i, CHECKED if str(key) in chosen else "", label)
             for i, (key, label) in enumerate(self.choices))))


CHECKED = format_html(" {}", "checked")


def html_attrs(attrs: dict) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them (in order; True alone, False left out)."""
    return format_html_join("", " {}{}", (
        (key, "" if value is True else format_html('="{}"', value)) for key, value in attrs.items()
        if value is not False
    ))


class FilterForm(forms.Form):
    """The inbox filter bar. Its values are query parameters understood by ``TicketFilters``."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    priority = forms.ChoiceField(label=_("Priority"), required=False, widget=QuickSelect)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=QuickSelect)
    department = forms.ChoiceField(label=_("Department"), required=False, widget=QuickSelect)
    tag = forms.CharField(label=_("Tags"), required=False, max_length=200,
                          widget=forms.TextInput(attrs={"placeholder": _("tag, tag")}))
    channel = forms.ChoiceField(label=_("Channel"), required=False, widget=QuickSelect)
    sort = forms.ChoiceField(label=_("Sort"), required=False, widget=QuickSelect)
    columns = forms.MultipleChoiceField(label=_("Columns"), required=False, widget=QuickCheckboxes,
                                        choices=list(COLUMNS.items()))

    def __init__(self, *args, agents=(), departments=(), custom_field_definitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._add_custom_fields(custom_field_definitions)
        self.fields["status"].choices = [
            ("", _("Any status")), ("active", _("Active (new, open, pending)")), *Status.choices,
            ("resolved,closed", _("Resolved or closed")),
        ]
        self.fields["priority"].choices = [("", _("Any priority"))] + [(p.key, p.label) for p in Priority]
        self.fields["assignee"].choices = [("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody"))] + [
            (str(user.pk), user.display_name) for user in agents
        ]
        self.fields["department"].choices = [("", _("Any department")), ("none", _("No department"))] + [
            (str(d.pk), d.name) for d in departments
        ]
        self.fields["channel"].choices = [("", _("Any channel")), *Channel.choices]
        self.fields["sort"].choices = list(SORT_LABELS.items())
        # A saved view may hold a combination the selects do not offer: show it rather than lose it.
        for name in ("status", "priority", "assignee", "department"):
            value = self.initial.get(name)
            if value and value not in dict(self.fields[name].choices):
                self.fields[name].choices = [*self.fields[name].choices, (value, value)]


    def _add_custom_fields(self, definitions) -> None:
        """A filter per custom field (``cf_<key>``) and the choice of fields shown as columns (``fields``)."""
        for definition in definitions:
            field = custom_field_input(definition)
            if isinstance(field.widget, forms.Select):
                field.widget = QuickSelect(choices=[("", _("Any")), *field.widget.choices[1:]])
            field.label = definition.label
            self.fields[custom_fields.FORM_PREFIX + definition.key] = field
        if definitions:
            self.fields["fields"] = forms.MultipleChoiceField(
                label=_("Field columns"), required=False, choices=[(d.key, d.label) for d in definitions],
                widget=forms.SelectMultiple(attrs={"size": min(3, len(definitions))}))
            if isinstance(self.initial.get("fields"), str):
                self.initial["fields"] = [key for key in self.initial["fields"].split(",") if key]


class SaveViewForm(forms.Form):
    name = forms.CharField(label=_("View name"), max_length=100, validators=[validate_line])
    shared = forms.BooleanField(label=_("Share with all agents"), required=False)


class BulkForm(forms.Form):
    """Changes to apply to every selected ticket; empty fields are left alone."""

    ticket = IdListField(error_messages={"required": _("Select at least one ticket.")})
    assignee = forms.ChoiceField(label=_("Assign to"), required=False, widget=QuickSelect)
    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    priority = forms.ChoiceField(label=_("Priority"), required=False, widget=QuickSelect)
    department = forms.ChoiceField(label=_("Department"), required=False, widget=QuickSelect)
    add_tags = forms.CharField(label=_("Add tags"), required=False, max_length=300,
                               widget=forms.TextInput(attrs={"placeholder": _("add tags: tag, tag")}))
    remove_tags = forms.CharField(label=_("Remove tags"), required=False, max_length=300,
                                  widget=forms.TextInput(attrs={"placeholder": _("remove tags: tag, tag")}))
    snooze_until = forms.DateTimeField(label=_("Snooze until"), required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"))
    action = forms.ChoiceField(label=_("Other action"), required=False, widget=QuickSelect, choices=[
        (NO_CHANGE, _("— other action —")),
        ("merge", _("Merge into the oldest selected")),
        ("spam", _("Mark as spam (closed, tagged “spam”)")),
    ])

    def __init__(self, *args, agents=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(NO_CHANGE, _("— assignee —")), ("me", _("Me")),
                                           ("none", _("Nobody"))] + [(str(u.pk), u.display_name) for u in agents]
        self.fields["status"].choices = [(NO_CHANGE, _("— status —")),
                                         *[(v, label) for v, label in Status.choices if v != Status.SNOOZED]]
        self.fields["priority"].choices = [(NO_CHANGE, _("— priority —")), *Priority.choices]
        self.fields["department"].choices = [(NO_CHANGE, _("— department —")), ("none", _("No department"))] + [
            (str(d.pk), d.name) for d in departments
        ]

    def clean(self):
        data = super().clean()
        keys = ("assignee", "status", "priority", "department", "add_tags", "remove_tags", "snooze_until", "action")
        if not any(data.get(key) for key in keys):
            raise forms.ValidationError(_("Choose at least one change to apply."))
        if data.get("action") == "merge" and len(data.get("ticket") or []) < 2:
            raise forms.ValidationError(_("Select at least two tickets to merge."))
        return data


class MessageForm(forms.Form):
    """A reply or an internal note. Attachments are read from request.FILES["attachments"], pictures
    pasted into the text from request.FILES["inline"] (see ``composer.uploaded_files``).

    ``body`` always holds the plain text; the rich text editor (composer.js) also sends ``body_html``,
    from which the server takes both parts (sanitized HTML, plain text derived from it)."""

    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    body_html = forms.CharField(required=False, widget=forms.HiddenInput)
    seen_message_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    force = forms.BooleanField(required=False, widget=forms.HiddenInput)


def copies_field(label) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=4000, widget=forms.TextInput(attrs={
        "inputmode": "email", "autocomplete": "off", "spellcheck": "false", "autocapitalize": "none",
        "placeholder": _("name@example.com, …")}))


class ReplyForm(MessageForm):
    """A reply: the message, its copies (Cc in the mail's headers, Bcc only in its envelope) and
    whether the signatures go under it. The addresses are checked by the service."""

    cc = copies_field(_("Cc"))
    bcc = copies_field(_("Bcc"))
    signed = forms.BooleanField(label=_("Add my signature"), required=False, initial=True)


class ForwardForm(forms.Form):
    """Forwarding a message (``message``) or the whole ticket by e-mail."""

    to = copies_field(_("To"))
    cc = copies_field(_("Cc"))
    bcc = copies_field(_("Bcc"))
    body = forms.CharField(label=_("Your message"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    body_html = forms.CharField(required=False, widget=forms.HiddenInput)
    message = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    signed = forms.BooleanField(label=_("Add my signature"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].required = True


class MergeForm(forms.Form):
    target = forms.CharField(label=_("Merge into ticket number"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "1234"}))

    def clean_target(self):
        value = self.cleaned_data["target"].strip().lstrip("#")
        if not is_id(value):
            raise forms.ValidationError(_("Enter a ticket number."))
        return int(value)


class SnoozeForm(forms.Form):
    until = forms.DateTimeField(label=_("Snooze until"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class InternationalEmailField(forms.CharField):
    """An e-mail address as contacts and incoming mail accept it (``is_valid_email``), internationalised
    (RFC 6531: ``jdöe@mächine.example``) included, which Django's ``EmailField`` refuses. A text input,
    not ``type="email"``: browsers refuse a local part that is not ASCII there before the form is sent."""

    default_error_messages = {"invalid": _("Not a valid e-mail address.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 320)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email",
                                                            "spellcheck": "false", "autocapitalize": "none"}))
        kwargs.setdefault("validators", [validate_line])
        super().__init__(strip=True, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not is_valid_email(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def custom_field_input(definition: CustomFieldDefinition) -> forms.Field:
    """A form input for one custom field. It takes any text: the value is judged by
    ``custom_fields.validate_custom_fields`` (through the ticket service), as for the API."""
    label = f"{definition.label} *" if definition.required else definition.label
    if definition.type == CustomFieldType.CHOICE:
        widget = forms.Select(choices=[("", "—"), *[(str(c), str(c)) for c in definition.choices]])
    elif definition.type == CustomFieldType.BOOLEAN:
        widget = forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))])
    elif definition.type == CustomFieldType.DATE:
        widget = forms.DateInput(attrs={"type": "date"})
    elif definition.type == CustomFieldType.NUMBER:
        widget = forms.TextInput(attrs={"inputmode": "decimal"})
    else:
        widget = forms.TextInput()
    return forms.CharField(label=label, required=False, widget=widget, validators=[validate_line])


class NewTicketForm(forms.Form):
    OUTBOUND, INBOUND = "outbound", "inbound"

    direction = forms.ChoiceField(label=_("The first message"), initial=INBOUND, required=False,
                                  widget=forms.RadioSelect, choices=[
        (INBOUND, _("The customer's request, as they told it (recorded, not sent)")),
        (OUTBOUND, _("A message to the customer (sent now)")),
    ])
    contact = forms.IntegerField(label=_("Existing contact"), required=False, min_value=1, max_value=MAX_ID,
                                 help_text=_("Its number, or find the contact by typing above."))
    requester_email = InternationalEmailField(label=_("Requester e-mail"), required=False)
    requester_name = forms.CharField(label=_("Requester name"), required=False, max_length=200,
                                     validators=[validate_line])
    requester_phone = forms.CharField(label=_("Requester phone"), required=False, max_length=40,
                                      validators=[validate_line],
                                      widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    subject = forms.CharField(label=_("Subject"), max_length=300, validators=[validate_line])
    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    body_html = forms.CharField(required=False, widget=forms.HiddenInput)
    cc = copies_field(_("Cc"))
    bcc = copies_field(_("Bcc"))
    signed = forms.BooleanField(label=_("Add my signature"), required=False, initial=True)
    department = IdModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int,
                                      initial=Priority.NORMAL)
    assign_to_me = forms.BooleanField(label=_("Assign to me"), required=False, initial=True)
    reply_inbox = forms.ChoiceField(
        label=_("Send from inbox"), required=False,
        help_text=_("A message to the customer and the replies on this ticket leave through it, to the "
                    "requester's address of its kind."),
    )

    AUTOMATIC = ""
    # Fields new.html places one by one; the others (department, priority, custom fields…) follow in order.
    LAID_OUT = ("direction", "contact", "requester_email", "requester_name", "requester_phone", "subject", "body",
                "body_html", "cc", "bcc", "signed", "reply_inbox")

    def other_fields(self):
        return [self[name] for name in self.fields if name not in self.LAID_OUT]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Active inboxes that can send, plus the installation's outgoing mail when there is no e-mail inbox.
        self.reply_inbox_options = {reply_routes.inbox_option_value(o): o for o in replies.reply_inboxes()}
        choices = [(value, reply_routes.inbox_option_label(o)) for value, o in self.reply_inbox_options.items()]
        if any(o.inbox_id for o in self.reply_inbox_options.values()):
            choices.insert(0, (self.AUTOMATIC, _("The department's inbox, else the first")))
        self.fields["reply_inbox"].choices = choices
        # One input per active custom field; what they hold is checked by the ticket service, as for the API.
        self.custom_field_definitions = custom_fields.active_definitions()
        for definition in self.custom_field_definitions:
            self.fields[custom_fields.FORM_PREFIX + definition.key] = custom_field_input(definition)

    def custom_field_values(self) -> dict:
        """The custom fields as the API would send them (empty ones as None: required ones are refused)."""
        return {d.key: custom_fields.value_from_text(d, self.cleaned_data.get(custom_fields.FORM_PREFIX + d.key, ""))
                for d in self.custom_field_definitions}

    def custom_field_aliases(self) -> dict[str, str]:
        """The service's error keys (``custom_fields.<key>``) → this form's fields."""
        return {f"custom_fields.{d.key}": custom_fields.FORM_PREFIX + d.key for d in self.custom_field_definitions}

    def clean(self):
        data = super().clean()
        if not data.get("requester_email") and not data.get("requester_phone") and not data.get("contact"):
            raise forms.ValidationError(_("Find the requester, or give their e-mail address or phone number."))
        return data

    def chosen_reply_inbox(self) -> replies.ReplyInbox | None:
        """The way out chosen (the department's or the first one for "automatic"); None when nothing can send."""
        option = self.reply_inbox_options.get(self.cleaned_data.get("reply_inbox") or "")
        if option is not None:
            return option
        return reply_routes.default_reply_inbox(list(self.reply_inbox_options.values()),
                                                self.cleaned_data.get("department"))


class IdentityForm(forms.Form):
    """Another way to reach a contact (an e-mail address for one who wrote without a usable one)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[(IdentityKind.EMAIL, IdentityKind.EMAIL.label),
                                                       (IdentityKind.PHONE, IdentityKind.PHONE.label)])
    value = forms.CharField(label=_("Address or number"), max_length=320, validators=[validate_line])
