app_name = "venues"
urlpatterns: list = []
