"""Forms of the booking pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class HoldForm(forms.Form):
    """The grid's 去结算: the ticked slots (`slot`, repeated) and, per session slot, `qty_<id>`."""

    slot = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": _("Choose at least one time.")})
    idempotency_key = forms.CharField(max_length=64, required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Any id is a valid choice here; create_booking decides whether it can be booked.
        values = data.getlist("slot") if data is not None else []
        self.fields["slot"].choices = [(v, v) for v in values if str(v).isdecimal()]

    def slot_ids(self) -> list[int]:
        if self.is_bound and self.is_valid():
            return list(self.cleaned_data["slot"])
        return [int(v) for v in (self.data.getlist("slot") if self.is_bound else []) if str(v).isdecimal()]

    def quantities(self) -> dict[int, int]:
        out = {}
        for pk in self.slot_ids():
            raw = self.data.get(f"qty_{pk}", "") if self.is_bound else ""
            if str(raw).isdecimal():
                out[pk] = int(raw)
        return out
