"""The REST API's personal tokens (api/models.py): the SHA-256 of the secret, never the secret."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

from clinic.migrations._frozen import check, link, model, moment

SCOPES = [("read", "Read only"), ("read-write", "Read and write")]


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        model("ApiToken", [
            ("user", link(settings.AUTH_USER_MODEL, "api_tokens", on_delete=models.CASCADE)),
            ("name", models.CharField(help_text="What the token is for, for example: the clinic's scheduler.", max_length=100)),
            ("scope", models.CharField(choices=SCOPES, default="read", max_length=10)),
            ("secret_hash", models.CharField(editable=False, max_length=64, unique=True)),
            ("prefix", models.CharField(editable=False, max_length=12)),
            ("created_at", models.DateTimeField(auto_now_add=True)),
            ("last_used_at", moment(optional=True, editable=False)),
            ("revoked_at", moment(optional=True, editable=False)),
        ], ordering=["-created_at", "-pk"], constraints=[
            check("apitoken_scope_known", "A token's scope is read or read-write.", Q(scope__in=["read", "read-write"])),
            check("apitoken_name_required", "Give the token a name.", ~Q(name="")),
        ]),
    ]  # fmt: skip
