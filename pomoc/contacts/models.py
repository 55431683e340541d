from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PortalVisibility(models.TextChoices):
    """Whether a company's contacts see each other's tickets in the portal."""

    INHERIT = "inherit", _("As the portal's setting says")
    YES = "yes", _("Yes: colleagues see each other's tickets")
    NO = "no", _("No: each contact sees only their own")


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    domains = models.JSONField(_("e-mail domains"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # values of the custom fields whose definition targets companies (pomoc.tickets.custom_fields)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # "inherit" follows PortalSettings.company_sees_tickets (the organisation's default)
    portal_visibility = models.CharField(
        _("colleagues see each other's tickets in the portal"), max_length=10,
        choices=PortalVisibility.choices, default=PortalVisibility.INHERIT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person who asks us for help, however many channels they use."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts",
        verbose_name=_("company"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="contact", verbose_name=_("portal login"),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # values of the custom fields whose definition targets contacts (pomoc.tickets.custom_fields)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # set while this contact is merged into another (everything of it moved there): undoing the
    # merge clears it (pomoc.contacts.merging)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_contacts",
        verbose_name=_("merged into"),
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["name", "id"])]

    def __str__(self) -> str:
        return self.name or self.primary_identity_value or f"#{self.pk}"

    @property
    def primary_identity_value(self) -> str:
        identity = self.identities.first()
        return identity.value if identity else ""

    @property
    def bounced(self) -> bool:
        """Mail to one of this contact's addresses bounces (each identity keeps its own mark)."""
        return any(identity.bounced for identity in self.identities.all())

    @property
    def email(self) -> str:
        identity = self.identities.filter(kind=IdentityKind.EMAIL).first()
        return identity.value if identity else ""


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    CHAT = "chat", _("Chat visitor")
    SOCIAL = "social", _("Social handle")


class Identity(models.Model):
    """One way to reach a contact. A (kind, value) belongs to exactly one contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=20, choices=IdentityKind.choices)
    value = models.CharField(_("value"), max_length=320, help_text=_("Normalized value."))
    verified = models.BooleanField(_("verified"), default=False)
    # Delivery to this identity fails for good (a permanent bounce): replies to it are not sent. Per
    # identity, so a bouncing address never stops an SMS to the same person.
    bounced = models.BooleanField(_("bounces"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_kind_value")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ContactTag(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("tag"), max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["contact", "name"], name="contact_tag_unique")]

    def __str__(self) -> str:
        return self.name


class ContactChange(models.Model):
    """One change of a contact or company (who, when, what): the history shown on their page."""

    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    field = models.CharField(max_length=50)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["contact", "at"]), models.Index(fields=["company", "at"])]


class ProposalReason(models.TextChoices):
    SAME_EMAIL = "same_email", _("The same e-mail address")
    SAME_PHONE = "same_phone", _("The same phone number")
    CHAT_IDENTIFIED = "chat_identified", _("A chat visitor gave this e-mail address")
    SIMILAR_NAME = "similar_name", _("A similar name at the same company")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Merged")
    DISMISSED = "dismissed", _("Dismissed")


class MergeProposal(models.Model):
    """Two contacts that look like one person; ``first`` has the lower id (one row per pair)."""

    first = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=ProposalReason.choices)
    detail = models.CharField(_("detail"), max_length=320, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="merge_proposal_pair")]
        indexes = [models.Index(fields=["status", "created_at", "id"])]


class ContactMerge(models.Model):
    """One merge of ``source`` into ``target`` and exactly what it moved (so it can be undone)."""

    source = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges_away")
    target = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges_in")
    # {"identities": [ids], "tickets": [ids], …}: one key per personal-data source (pomoc.contacts.registry)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]


class Segment(models.Model):
    """A saved filter over contacts (pomoc.contacts.segments): rules, survey campaigns and reports use it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    # [{"field": "company", "op": "is", "value": 3}, …]: all must hold
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonymise")
    DELETE = "delete", _("Delete")


class RetentionPolicy(models.Model):
    """Contacts with no activity for ``years`` are anonymised (or deleted) by the worker."""

    name = models.CharField(_("name"), max_length=200)
    years = models.PositiveSmallIntegerField(_("after years without activity"))
    action = models.CharField(_("action"), max_length=10, choices=RetentionAction.choices,
                              default=RetentionAction.ANONYMISE)
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("only the contacts of this segment"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["years", "id"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return self.name


class PrivacyAction(models.TextChoices):
    EXPORT = "export", _("Data export")
    ERASURE = "erasure", _("Erasure")
    RETENTION = "retention", _("Retention policy")


class PrivacyAudit(models.Model):
    """One export or erasure of a person's data: who, when, and how many rows of which table (never
    the data itself, so it outlives the erasure)."""

    action = models.CharField(_("action"), max_length=10, choices=PrivacyAction.choices)
    contact_id = models.BigIntegerField(_("contact"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    counts = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["contact_id", "at"])]
