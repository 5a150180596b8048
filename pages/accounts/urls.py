from django.urls import path

from pages.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("accounts/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("accounts/two-factor/reset/", views.two_factor_reset_list, name="two_factor_reset_list"),
    path("accounts/two-factor/reset/<int:pk>/", views.two_factor_reset, name="two_factor_reset"),
]
