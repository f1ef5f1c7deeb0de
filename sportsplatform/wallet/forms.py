from django import forms
from django.utils.translation import gettext_lazy as _

# The amounts offered as one-tap buttons on the top-up form (yuan).
PRESETS = ("50", "100", "200", "500")


class TopupForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "100"}),
    )
