"""Pages for a real-name petitioner who proves their phone by SMS code and sees all their cases.

Thin: the rules are in complaints.phone_login; a case opened from the list is proven in the
session exactly as by its tracking code (views.public.case_prove), so the case pages need
nothing else.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import phone_login
from ..forms.phone import PhoneCodeForm, PhoneForm
from . import public


def _throttled(request):
    return render(request, "complaints/public/phone_throttled.html", {"hotline": settings.JIUFENG_HOTLINE}, status=429)


def _show_errors(form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


@never_cache
@require_http_methods(["GET", "POST"])
def phone_login_page(request):
    """Step 1: the number; step 2: the code texted to it. The answer never says whether the number filed."""
    if phone_login.phone_verified(request):
        return redirect("complaints:phone-cases")
    phone_form, code_form = PhoneForm(), None
    if request.method == "POST" and "code" not in request.POST:
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                phone_login.phone_code_send(request=request, phone=phone_form.cleaned_data["phone"])
            except phone_login.PhoneCodeThrottled:
                return _throttled(request)
            except ValidationError as error:
                _show_errors(phone_form, error)
            else:
                code_form = PhoneCodeForm(initial={"phone": phone_form.cleaned_data["phone"]})
    elif request.method == "POST":
        code_form = PhoneCodeForm(request.POST)
        if code_form.is_valid():
            try:
                phone_login.phone_code_verify(
                    request=request, phone=code_form.cleaned_data["phone"], code=code_form.cleaned_data["code"]
                )
            except ValidationError as error:
                _show_errors(code_form, error)
            else:
                return redirect("complaints:phone-cases")
    return render(request, "complaints/public/phone_login.html", {"phone_form": phone_form, "code_form": code_form})


@never_cache
def phone_cases(request):
    phone = phone_login.phone_verified(request)
    if phone is None:
        return redirect("complaints:phone-login")
    cases = phone_login.complaints_of_phone(phone)
    return render(request, "complaints/public/phone_cases.html", {"cases": cases, "phone": phone})


@require_POST
def phone_case_open(request, pk: int):
    """Open one of this number's cases: it joins the session's proven cases, as a code would."""
    phone = phone_login.phone_verified(request)
    if phone is None or not phone_login.complaints_of_phone(phone).filter(pk=pk).exists():
        return redirect("complaints:phone-login")
    public.case_prove(request, pk)
    return redirect("complaints:complaint-track-detail", pk=pk)


@require_POST
def phone_logout(request):
    phone_login.phone_logout(request)
    return redirect("complaints:complaint-track")
