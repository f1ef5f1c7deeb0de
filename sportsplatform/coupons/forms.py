from django import forms
from django.utils.translation import gettext_lazy as _

from sportsplatform.regions.models import Region, RegionLevel
from sportsplatform.venues.models import Sport


class BatchFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Where"), required=False)
    sport = forms.ChoiceField(label=_("Sport"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cities = Region.objects.current().filter(level=RegionLevel.PREFECTURE, parent_id="510000").order_by("code")
        self.fields["region"].choices = [("", _("All of Sichuan"))] + [(r.code, r.name) for r in cities]
        self.fields["sport"].choices = [("", _("Every sport"))] + [
            (s.code, s.name) for s in Sport.objects.order_by("order", "code")
        ]
