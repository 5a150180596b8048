from pages.accounts import views

app_name = "accounts"

urlpatterns = [*views.routes]
