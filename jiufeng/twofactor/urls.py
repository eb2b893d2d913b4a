from django.urls import path

from . import views

urlpatterns = [
    path("", views.setup, name="twofactor-setup"),
    path("verify/", views.verify, name="twofactor-verify"),
    path("recovery-codes/", views.recovery_codes, name="twofactor-recovery-codes"),
]
