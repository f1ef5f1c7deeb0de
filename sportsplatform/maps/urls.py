app_name = "map"
urlpatterns: list = []
