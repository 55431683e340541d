"""Survey answers (see DOMAIN.md, "Survey answer") and the invitations that ask for them.

An invitation is one question put to one person (about a ticket, or in a campaign); its signed link
is the only way to answer it, once. The answer copies what it is about (ticket, agent, department,
channel, contact) so reports read one table, and stays when the ticket is deleted or merged away.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("Customer satisfaction (CSAT)")
    CES = "ces", _("Customer effort (CES)")
    NPS = "nps", _("Net promoter score (NPS)")


# The scale of each kind: lowest and highest score.
SCALES = {SurveyKind.CSAT: (1, 5), SurveyKind.CES: (1, 7), SurveyKind.NPS: (0, 10)}
# A score at or below this opens a follow-up for a supervisor, unless the survey says otherwise.
DEFAULT_LOW_SCORES = {SurveyKind.CSAT: 2, SurveyKind.CES: 3, SurveyKind.NPS: 6}


class Survey(models.Model):
    """The settings of one kind of survey (one row per kind, made on first use)."""

    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=False)
    # {"cs": "Jak jste byli spokojeni…"}: a language left out gets the translated default question.
    questions = models.JSONField(_("questions"), default=dict, blank=True)
    min_interval_days = models.PositiveIntegerField(
        _("ask the same person at most once in (days)"), default=30,
    )
    valid_days = models.PositiveIntegerField(_("links valid for (days)"), default=14)
    low_score = models.PositiveSmallIntegerField(
        _("a score at or below this opens a follow-up"), null=True, blank=True,
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Campaign(models.Model):
    """An NPS campaign: the question sent to chosen customers at once."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices, default=SurveyKind.NPS)
    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.PROTECT, related_name="+", verbose_name=_("send from"))
    company = models.ForeignKey(
        "contacts.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("only the contacts of this company"),
    )
    segment = models.ForeignKey(
        "contacts.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("only the contacts of this segment"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    invited = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="survey_invitations")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations")
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    send_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["contact", "kind", "created_at"], name="survey_invitation_recent")]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], condition=models.Q(ticket__isnull=False),
                                    name="survey_one_invitation_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.contact_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Answer(models.Model):
    invitation = models.OneToOneField(Invitation, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="answer")
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    contact = models.ForeignKey("contacts.Contact", null=True, on_delete=models.SET_NULL, related_name="survey_answers")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    channel = models.CharField(max_length=20, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    commented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [models.Index(fields=["kind", "answered_at"], name="survey_answer_kind_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.score}"
