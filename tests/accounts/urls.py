"""The project's URLs with the admin behind the accounts sign-in flow, on an admin site of its
own so that installing the flow here does not change the global admin.site for other tests."""

from django.contrib import admin
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from sportsplatform.accounts.admin_auth import install

# Same class and models as the project's site (django-unfold's), so the admin templates and the
# dashboard find every URL they link to.
back_office = type(admin.site)(name="admin")
back_office._registry = admin.site._registry
install(back_office)

urlpatterns = [
    path("admin/", back_office.urls),
    *[p for p in project_urlpatterns if getattr(p, "app_name", None) != "admin"],
]
