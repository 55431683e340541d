from django.contrib import admin

from pomoc.surveys.models import Answer, Campaign, Invitation, Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("kind", "enabled", "min_interval_days", "valid_days", "low_score")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "created_at", "invited", "skipped", "finished_at")
    raw_id_fields = ("inbox", "company", "created_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("kind", "contact", "ticket", "created_at", "sent_at", "expires_at")
    list_filter = ("kind",)
    raw_id_fields = ("contact", "ticket", "campaign")


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ("kind", "score", "contact", "ticket", "agent", "answered_at")
    list_filter = ("kind",)
    raw_id_fields = ("invitation", "contact", "ticket", "agent", "department")

    def has_change_permission(self, request, obj=None):
        return False  # what a customer answered is not edited
