from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from pomoc.contacts.models import (
    Company,
    Contact,
    ContactChange,
    ContactMerge,
    ContactTag,
    Identity,
    MergeProposal,
    PrivacyAudit,
    RetentionPolicy,
    Segment,
)


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0
    fields = ("kind", "value", "verified", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "domains", "created_at")
    search_fields = ("name", "notes")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("__str__", "company", "user", "language", "created_at")
    list_filter = ("language", "identities__bounced")
    search_fields = ("name", "identities__value", "company__name")
    list_select_related = ("company", "user")
    raw_id_fields = ("company", "user")
    inlines = [IdentityInline]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ("value", "kind", "contact", "verified", "bounced", "created_at")
    list_filter = ("kind", "verified", "bounced")
    search_fields = ("value", "contact__name")
    list_select_related = ("contact",)
    raw_id_fields = ("contact",)


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["name", "conditions"]

    def clean_conditions(self):
        from pomoc.contacts.segments import clean

        try:  # a wrong condition is refused here as everywhere
            return clean(self.cleaned_data["conditions"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    form = SegmentForm
    list_display = ("name", "created_by", "created_at")
    search_fields = ("name",)


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "years", "action", "segment", "active")


@admin.register(PrivacyAudit)
class PrivacyAuditAdmin(admin.ModelAdmin):
    list_display = ("action", "contact_id", "actor", "at")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ContactTag)
class ContactTagAdmin(admin.ModelAdmin):
    list_display = ("name", "contact")
    search_fields = ("name",)
    raw_id_fields = ("contact",)


@admin.register(ContactChange)
class ContactChangeAdmin(admin.ModelAdmin):
    """The contact history: read only, it records what people did."""

    list_display = ("contact", "company", "actor", "at")
    raw_id_fields = ("contact", "company")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MergeProposal)
class MergeProposalAdmin(admin.ModelAdmin):
    list_display = ("first", "second", "reason", "status", "created_at")
    list_filter = ("reason", "status")
    raw_id_fields = ("first", "second", "decided_by")


@admin.register(ContactMerge)
class ContactMergeAdmin(admin.ModelAdmin):
    """What each merge moved (undone through the contact page or the API, never edited here)."""

    list_display = ("source", "target", "merged_at")
    raw_id_fields = ("source", "target")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
