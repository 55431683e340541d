from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from pomoc.contacts.models import Company, Contact, Identity, PrivacyAudit, RetentionPolicy, Segment


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
