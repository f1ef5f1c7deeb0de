"""Results, judging, certificates and the summary (events.views_results). Mounted under /events/."""

from django.urls import path

from . import views_results as views

urlpatterns = [
    # Public.
    path("<int:pk>/results/", views.public_results, name="results"),
    path("certificates/verify/", views.certificate_verify, name="certificate_verify"),
    path("certificates/<int:pk>.pdf", views.certificate_pdf, name="certificate_pdf"),
    # Back office: the organiser's results desk (bureau officials read-only).
    path("results-desk/", views.results_desk, name="office_results"),
    path("results-desk/<int:pk>/", views.results_entry, name="results_entry"),
    path("results-desk/<int:pk>/template.xlsx", views.results_template, name="results_template"),
    path("results-desk/<int:pk>/import/", views.results_import, name="results_import"),
    path("results-desk/<int:pk>/publish/", views.results_publish, name="results_publish"),
    path("results-desk/<int:pk>/judges/", views.judges, name="judges"),
    path("results-desk/<int:pk>/scores/", views.score_sheet, name="score_sheet"),
    path("results-desk/<int:pk>/certificates/", views.certificates_office, name="certificates_office"),
    path("results-desk/<int:pk>/summary/", views.summary_edit, name="summary_edit"),
    path("results-desk/<int:pk>/export/<slug:report>.xlsx", views.export, name="export"),
    # Back office: the judge's own page.
    path("judging/", views.judging_list, name="judge_home"),
    path("judging/<int:pk>/", views.judging_event, name="judging_event"),
]
