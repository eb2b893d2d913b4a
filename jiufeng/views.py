"""Where a user starts after logging in; the inbox: a user's notifications, and marking them read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .navigation import landing_url
from .notifications import notification_mark_read
from .notifications_selectors import notification_list_for_user

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
