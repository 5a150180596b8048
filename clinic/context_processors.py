from django.conf import settings

from clinic import roles


def clinic(request):
    user_roles = roles.user_roles(request.user) if hasattr(request, "user") else set()
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "user_roles": user_roles,
        "is_receptionist": roles.RECEPTIONIST in user_roles,
        "is_therapist": roles.THERAPIST in user_roles,
        "is_patient": roles.PATIENT in user_roles,
        "is_manager": roles.MANAGER in user_roles,
    }
