from django.contrib import admin

from pomoc.contacts.models import Company, Contact, Identity


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
