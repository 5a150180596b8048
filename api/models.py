"""A personal API token: a user's key to the REST API, with that user's role and no more."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class TokenScope(models.TextChoices):
    READ = "read", gettext_lazy("Read only")
    READ_WRITE = "read-write", gettext_lazy("Read and write")


class ApiToken(models.Model):
    """Only the SHA-256 of the secret is stored: a copy of the table opens nothing. The secret is
    shown once, when the token is created; `prefix` lets its owner tell tokens apart."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        gettext_lazy("name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, for example: the clinic's scheduler."),
    )
    scope = models.CharField(gettext_lazy("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    secret_hash = models.CharField(gettext_lazy("secret hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(gettext_lazy("prefix"), max_length=12, editable=False)
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(gettext_lazy("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(gettext_lazy("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=["read", "read-write"]),
                name="apitoken_scope_known",
                violation_error_message=gettext_lazy("A token's scope is read or read-write."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="apitoken_name_required",
                violation_error_message=gettext_lazy("Give the token a name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def writes(self) -> bool:
        return self.scope == TokenScope.READ_WRITE
