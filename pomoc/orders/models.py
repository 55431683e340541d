"""Orders a customer placed in a shop, their lines, and returns (RMAs) opened from them.

An order comes from one ``OrderSource`` (a shop, an ERP, a CSV file); its ``external_id`` is unique
per source, so the API, a re-run import and a redelivered webhook update the same row. A return is a
ticket of its own kind: ``ReturnRequest`` is linked one-to-one to the ticket that carries its
conversation and history (docs/decisions/0027-orders-returns-and-customer-value.md).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.core import crypto


class OrderSource(models.Model):
    """Where orders come from. Webhooks of a source are signed with its secret (stored encrypted)."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    secret_encrypted = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("order source")
        verbose_name_plural = _("order sources")

    def __str__(self) -> str:
        return self.name

    def set_secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt(value) if value else ""

    def get_secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted) if self.secret_encrypted else ""


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending payment")
    PAID = "paid", _("Paid")
    FULFILLED = "fulfilled", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


# Orders whose money we received (refunds are subtracted separately): what realised CLV adds up.
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.DELIVERED, OrderStatus.REFUNDED)


class Order(models.Model):
    source = models.ForeignKey(OrderSource, on_delete=models.PROTECT, related_name="orders",
                               verbose_name=_("source"))
    external_id = models.CharField(_("id in the source"), max_length=100)
    number = models.CharField(_("order number"), max_length=100, blank=True)
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="orders",
                                verbose_name=_("customer"))
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    refunded = models.DecimalField(_("refunded"), max_digits=14, decimal_places=2, default=Decimal("0"))
    placed_at = models.DateTimeField(_("placed"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="order_unique_external_id")]
        indexes = [models.Index(fields=["contact", "placed_at"], name="order_contact_placed")]

    def __str__(self) -> str:
        return self.number or self.external_id


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # The line's id in the source ("" becomes the line's position): a re-import updates, never doubles.
    external_id = models.CharField(_("line id in the source"), max_length=100)
    product = models.CharField(_("product"), max_length=300)
    sku = models.CharField(_("SKU"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [models.UniqueConstraint(fields=["order", "external_id"], name="order_line_unique_external_id")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class ReturnKind(models.TextChoices):
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")


class ReturnState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    RECEIVED = "received", _("Item received")
    REFUNDED = "refunded", _("Refunded")
    REPLACED = "replaced", _("Replaced")
    REJECTED = "rejected", _("Rejected")


class ReturnReason(models.TextChoices):
    DAMAGED = "damaged", _("Arrived damaged")
    DEFECTIVE = "defective", _("Does not work")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    SIZE = "size", _("Wrong size or fit")
    UNWANTED = "unwanted", _("No longer wanted")
    OTHER = "other", _("Other")


class ReturnRequest(models.Model):
    """A return or exchange (RMA): a ticket of its own kind, with its own states."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="return_request",
                                  verbose_name=_("ticket"))
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns", verbose_name=_("order"))
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="returns",
                                verbose_name=_("customer"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReturnKind.choices, default=ReturnKind.RETURN)
    state = models.CharField(_("state"), max_length=20, choices=ReturnState.choices, default=ReturnState.REQUESTED)
    refund_amount = models.DecimalField(_("refunded amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        indexes = [models.Index(fields=["contact", "created_at"], name="return_contact_created")]

    def __str__(self) -> str:
        return f"RMA-{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in (ReturnState.REFUNDED, ReturnState.REPLACED, ReturnState.REJECTED)


class ReturnLine(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="return_lines",
                                   verbose_name=_("order line"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    reason = models.CharField(_("reason"), max_length=20, choices=ReturnReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("returned line")
        verbose_name_plural = _("returned lines")


class ImportKind(models.TextChoices):
    CONTACTS = "contacts", _("Contacts")
    ORDERS = "orders", _("Orders")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One uploaded CSV file being imported. ``offset``/``rows_done`` are committed with each batch, so
    a worker that crashed resumes after the last committed row."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    source = models.ForeignKey(OrderSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(default=0)
    state = models.CharField(_("state"), max_length=10, choices=ImportState.choices, default=ImportState.QUEUED)
    offset = models.BigIntegerField(default=0)  # bytes of the file committed
    rows_done = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first refused rows: {"row": n, "error": "…"}
    failure = models.TextField(blank=True)
    # The run allowed to write: resuming hands the job to a new run, and a stale one stops at its next batch.
    runner = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    @property
    def percent(self) -> int:
        if self.state == ImportState.DONE:
            return 100
        return min(99, int(self.offset * 100 / self.size)) if self.size else 0


class WebhookDelivery(models.Model):
    """Every webhook request as it arrived, accepted or not: nothing a shop sends is lost."""

    source = models.ForeignKey(OrderSource, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    accepted = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["source", "event_id"], condition=models.Q(accepted=True),
                                               name="webhook_unique_accepted_event")]
