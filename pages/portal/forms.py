from django import forms

from pages.text_limits import TextLimitsShown


class PortalCancelForm(TextLimitsShown, forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=200,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The clinic reads it; you do not have to give one.",
    )
