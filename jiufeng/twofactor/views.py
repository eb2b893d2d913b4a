"""The second factor's pages: set up an authenticator, pass the step, renew recovery codes."""

from base64 import b32encode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device

from ..qr import qr_svg
from . import services
from .forms import CodeForm
from .policy import device_known_forget, second_factor_required


def safe_next(request) -> str:
    """Where the step was asked from (``next`` of the query or the form), if on this site; else the landing page."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("landing")


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Scan the QR code (or type the key), enter a code from the app: the authenticator is set up."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(request=request, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error("token", error.message_dict["token"])
        else:
            return render(
                request, "jiufeng/two_factor/recovery_codes.html", {"codes": codes, "next": safe_next(request)}
            )
    device = services.totp_device_pending(user=request.user)
    return render(
        request,
        "jiufeng/two_factor/setup.html",
        {
            "form": form,
            "qr_svg": qr_svg(device.config_url),
            # The secret in groups of four, for typing into an app without a camera.
            "key": " ".join(b32encode(device.bin_key).decode()[i : i + 4] for i in range(0, 32, 4)),
            "required": second_factor_required(request.user),
            "replacing": user_has_device(request.user),
            "next": safe_next(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in: a code from the app or a recovery code."""
    if not user_has_device(request.user):
        # Removed by an administrator since this session looked: set up a new one.
        device_known_forget(request)
        return redirect("twofactor-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if services.second_factor_verify(request=request, token=token):
            return redirect(safe_next(request))
        wait = services.second_factor_wait(user=request.user, token=token)
        form.add_error(
            "token",
            _("That code is not right. Wait %(seconds)s seconds before trying again.") % {"seconds": wait}
            if wait
            else _("That code is not right."),
        )
    return render(request, "jiufeng/two_factor/verify.html", {"form": form, "next": safe_next(request)})


@login_required
@require_POST
def recovery_codes(request):
    """New recovery codes, shown once; only from a session that passed the second factor."""
    if not request.user.is_verified():
        return HttpResponseForbidden()
    codes = services.recovery_codes_renew(request=request)
    messages.success(request, _("New recovery codes: the old ones no longer work."))
    return render(request, "jiufeng/two_factor/recovery_codes.html", {"codes": codes, "next": safe_next(request)})
