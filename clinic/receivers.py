"""Deactivating an account ends its access at once, on whatever path saved it (the admin, a
script): clinic.accounts.user_access_end deletes the user's sessions and tells whatever else
grants access. A deactivation that bypasses save() (QuerySet.update) is still refused at the next
request, since the authentication backends refuse an inactive user's session."""

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from clinic.accounts import user_access_end


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="clinic_user_deactivation_seen")
def user_deactivation_see(sender, instance, update_fields=None, **kwargs):
    instance._clinic_deactivated = False
    if instance.pk is None or instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    was_active = sender._default_manager.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    instance._clinic_deactivated = bool(was_active)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="clinic_user_deactivation_end_access")
def user_deactivation_end_access(sender, instance, created, **kwargs):
    if getattr(instance, "_clinic_deactivated", False):
        instance._clinic_deactivated = False
        user_access_end(user=instance)
