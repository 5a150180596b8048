from pages.accounts import language, views

app_name = "accounts"

urlpatterns = [*views.routes, *language.routes]
