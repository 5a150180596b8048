from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from clinic import roles
from clinic.decorators import role_required
from sessions.models import Appointment


@require_GET
@role_required(roles.RECEPTIONIST, roles.MANAGER)
def day_board(request):
    return render(request, "sessions/day_board.html")


@require_GET
@role_required(roles.THERAPIST)
def my_day(request):
    return render(request, "sessions/my_day.html")


@require_GET
@role_required(roles.PATIENT)
def portal_home(request):
    return render(request, "sessions/portal_home.html")


@require_GET
@role_required(roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER)
def appointment_detail(request, pk: int):
    appointment = get_object_or_404(Appointment, pk=pk)
    return render(request, "sessions/appointment_detail.html", {"appointment": appointment})
