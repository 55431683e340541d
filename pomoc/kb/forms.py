from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pomoc.kb.models import ArticleKind, Section


class SectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Section) -> str:
        return f"{obj.category} › {obj.name_in(settings.LANGUAGE_CODE)}"


class ArticleForm(forms.Form):
    """The editor: one translation's text, and (for a new article) where it lives."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False,
                              help_text=_("One or two sentences; search engines and lists show it."))
    body = forms.CharField(label=_("Text (Markdown)"), required=False, max_length=200_000,
                           widget=forms.Textarea(attrs={"rows": 18, "class": "kb-markdown"}))
    note = forms.CharField(label=_("What changed (optional)"), max_length=200, required=False)


class ArticleSettingsForm(forms.Form):
    section = SectionChoiceField(label=_("Section"), queryset=Section.objects.select_related("category"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500, help_text=_("Separated by commas."))
    internal = forms.BooleanField(label=_("Internal: only agents may read it"), required=False)

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class NewArticleForm(ArticleForm, ArticleSettingsForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name of the new category"), max_length=100)
    language = forms.ChoiceField(label=_("Language of the name"), choices=settings.LANGUAGES)


class SectionForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=None)
    name = forms.CharField(label=_("Name of the new section"), max_length=100)
    language = forms.ChoiceField(label=_("Language of the name"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        from pomoc.kb.models import Category

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.all()
