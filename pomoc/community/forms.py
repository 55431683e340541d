from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.community.models import Category, IdeaStatus


class HoneypotMixin(forms.Form):
    # Hidden from people (CSS and aria-hidden); bots that fill every field give themselves away.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class TopicForm(HoneypotMixin):
    category = forms.ModelChoiceField(queryset=Category.objects.all(), label=_("Category"), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Your question or post"), widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Markdown or plain text."))


class EditFilesMixin(forms.Form):
    """An edit page's files: the post's current ones, each with a box to remove it (new files come as
    ``files`` uploads, checked by the service)."""

    remove_files = forms.TypedMultipleChoiceField(label=_("Remove"), coerce=int, required=False,
                                                  widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, post_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.post_files = list(post_files)
        self.fields["remove_files"].choices = [(item.pk, item.file_name) for item in self.post_files]


class TopicEditForm(EditFilesMixin, HoneypotMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Your question or post"), widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Markdown or plain text."))


class ReplyForm(HoneypotMixin):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("Markdown or plain text."))


class ReplyEditForm(EditFilesMixin, ReplyForm):
    pass


class IdeaForm(HoneypotMixin):
    title = forms.CharField(label=_("Your idea in a sentence"), max_length=200)
    body = forms.CharField(label=_("Describe it"), widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("What would it help you do? Markdown or plain text."))


class IdeaEditForm(EditFilesMixin, IdeaForm):
    pass


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=IdeaStatus.choices)
    answer = forms.CharField(label=_("Official answer"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    slug = forms.SlugField(label=_("Address"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)
