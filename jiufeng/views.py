"""Where a user starts after logging in; the inbox: a user's notifications, and marking them read;
the large-text switch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .navigation import landing_url
from .notifications import notification_mark_read
from .notifications_selectors import notification_list_for_user
from .text_size import SIZES, text_size_remember

PAGE_SIZE = 50


@require_GET
@login_required
def landing(request):
    """Send the user where their work is (LOGIN_REDIRECT_URL: after a login without a ``next``)."""
    return redirect(landing_url(request.user))


@require_GET
@login_required
def inbox(request):
    page = Paginator(notification_list_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jiufeng/inbox.html", {"page": page})


@require_POST
@login_required
def inbox_mark_read(request):
    # One notification (its id from the form) or, without one, all of them. Ids not
    # the user's own simply match nothing.
    raw = request.POST.get("notification", "")
    ids = [int(raw)] if raw.isdigit() and len(raw) < 19 else None
    if raw and ids is None:
        return redirect("inbox")
    notification_mark_read(user=request.user, notification_ids=ids)
    return redirect("inbox")


def _safe_next(request) -> str:
    """Where to go back to: the form's ``next`` or the referring page, if on this site; else home."""
    for target in (request.POST.get("next"), request.headers.get("referer")):
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return "/"


@require_POST
def text_size_set(request):
    """The large-text switch: keep the size chosen in a cookie and go back to the page.

    A plain form post, so it works without JavaScript; like Django's set_language, it needs
    no login. An unknown size changes nothing and says so.
    """
    response = HttpResponseRedirect(_safe_next(request))
    size = request.POST.get("size", "")
    if size not in SIZES:
        messages.error(request, _("That text size does not exist; the text size is unchanged."))
        return response
    text_size_remember(response, size=size)
    return response


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the pages link to. The static address is looked up
    per request: in production it comes from collectstatic's manifest."""
    return redirect(static("favicon.svg"), permanent=True)
