"""Forms say how much text a field takes: below each multi-line text field, "Up to 4,000
characters.", and the browser stops typing there (the limits are the models', which the database
enforces too)."""

from django import forms
from django.utils.formats import number_format
from django.utils.translation import ngettext


class TextLimitsShown:
    """Mixin for a form: every Textarea with a max_length shows its limit in the help text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea) and field.max_length:
                field.widget.attrs["maxlength"] = str(field.max_length)
                limit = ngettext("Up to %(limit)s character.", "Up to %(limit)s characters.", field.max_length) % {
                    "limit": number_format(field.max_length, force_grouping=True)
                }
                field.help_text = f"{field.help_text} {limit}" if field.help_text else limit


def model_max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length
