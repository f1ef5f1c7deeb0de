"""Public and back-office pages of the training app. Each part keeps its patterns in its own module
(listed below) so parts built at the same time do not edit one file; URL names are stable."""

from importlib import import_module
from importlib.util import find_spec

app_name = "training"

PART_MODULES = [
    "sportsplatform.training.urls_public",  # lists, detail, sign-up, my training
    "sportsplatform.training.urls_office",  # organiser and bureau pages outside the admin
    "sportsplatform.training.urls_results",  # results, judging, certificates (events)
    "sportsplatform.training.urls_finder",  # venue finder and enquiries (events)
]

urlpatterns: list = []
for _name in PART_MODULES:
    if find_spec(_name) is not None:
        urlpatterns += import_module(_name).urlpatterns
