"""The admins' integrations pages: endpoints (list, add, edit, switch off and on, delete, new secret), each
endpoint's delivery log, and one delivery's attempts with "redeliver"."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hiring.errors import ApplicationError, NotFound, PermissionRefused
from hiring.forms import apply_error
from hiring.templatetags.isolation import html_message, isolate
from hiring.types import AuthenticatedHttpRequest
from integrations.forms import DeliveryFilterForm, EndpointForm
from integrations.models import Endpoint
from integrations.selectors import delivery_for_admin, endpoint_deliveries, endpoint_for_admin, endpoints_for_admin
from integrations.services.common import delivery_settings
from integrations.services.endpoints import (
    delivery_redeliver,
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_enable,
    endpoint_secret_rotate,
    endpoint_update,
)

View = Callable[..., HttpResponse]
LOG_PAGE_SIZE = 50


def admins_only(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_hireloop_admin:
            raise PermissionDenied(gettext("Only admins manage webhooks and Slack channels."))
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionRefused as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapped


def _kind(value: str | None) -> str:
    if value not in Endpoint.Kind.values:
        raise Http404(gettext("No such kind of endpoint."))
    return str(value)


@admins_only
def endpoint_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "integrations/endpoint_list.html", {"endpoints": list(endpoints_for_admin())})


def _detail(request: AuthenticatedHttpRequest, endpoint_id: int, *, new_secret: str = "",
            status: int = 200) -> HttpResponse:
    endpoint = endpoint_for_admin(endpoint_id)
    filters = DeliveryFilterForm(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    page = Paginator(endpoint_deliveries(endpoint.pk, state=state), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(request, "integrations/endpoint_detail.html", {
        "endpoint": endpoint, "page": page, "filters": filters, "state": state, "new_secret": new_secret,
        "page_query": f"state={state}" if state else "", "settings": delivery_settings(),
    }, status=status)
    if new_secret:
        # The only time the secret leaves Hireloop: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@admins_only
def endpoint_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@admins_only
def endpoint_create_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = _kind(request.GET.get("kind", Endpoint.Kind.WEBHOOK))
    form = EndpointForm(request.POST if request.method == "POST" else None, kind=kind)
    if form.is_bound and form.is_valid():
        try:
            created = endpoint_create(actor=request.user, kind=kind, data=form.endpoint_input(),
                                      secret=form.cleaned_data.get("secret") or "")
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, html_message(
                    gettext("“%(name)s” is registered; new events go to it from now on."),
                    name=isolate(created.endpoint.name),
                ),
            )
            if created.secret:
                # Rendered, never redirected through the session: the plaintext is stored nowhere but the row.
                return _detail(request, created.endpoint.pk, new_secret=created.secret, status=201)
            return redirect("integrations:endpoint-detail", pk=created.endpoint.pk)
    return render(request, "integrations/endpoint_form.html", {"form": form, "kind": kind, "endpoint": None},
                  status=400 if form.is_bound else 200)


@admins_only
def endpoint_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_for_admin(pk)
    if request.method == "POST":
        form = EndpointForm(request.POST, kind=endpoint.kind, editing=endpoint)
        if form.is_valid():
            try:
                endpoint_update(actor=request.user, endpoint_id=pk, data=form.endpoint_input(),
                                expected_version=form.cleaned_data.get("version"))
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, gettext("Endpoint saved."))
                return redirect("integrations:endpoint-detail", pk=pk)
    else:
        form = EndpointForm.for_endpoint(endpoint)
    return render(request, "integrations/endpoint_form.html", {"form": form, "kind": endpoint.kind,
                                                               "endpoint": endpoint},
                  status=400 if form.is_bound else 200)


@admins_only
@require_POST
def endpoint_enable_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_enable(actor=request.user, endpoint_id=pk)
    messages.success(
        request, html_message(
            gettext("“%(name)s” is on: new events go to it, and what was waiting resumes."), name=isolate(endpoint.name)
        ),
    )
    return redirect("integrations:endpoint-detail", pk=pk)


@admins_only
@require_POST
def endpoint_disable_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_disable(actor=request.user, endpoint_id=pk)
    messages.success(
        request, html_message(
            gettext("“%(name)s” is off: nothing is sent to it until you switch it on."), name=isolate(endpoint.name)
        ),
    )
    return redirect("integrations:endpoint-detail", pk=pk)


@admins_only
@require_POST
def endpoint_rotate_secret_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        rotated = endpoint_secret_rotate(actor=request.user, endpoint_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("integrations:endpoint-detail", pk=pk)
    messages.success(request, gettext("New secret made: every request is signed with it from now on."))
    return _detail(request, pk, new_secret=rotated.secret)


@admins_only
def endpoint_delete_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_for_admin(pk)
    if request.method == "POST":
        endpoint_delete(actor=request.user, endpoint_id=pk)
        messages.success(
            request, html_message(
                gettext("“%(name)s” and its delivery log are deleted."), name=isolate(endpoint.name)
            ),
        )
        return redirect("integrations:endpoint-list")
    return render(request, "integrations/endpoint_delete.html", {"endpoint": endpoint})


@admins_only
def delivery_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render(request, "integrations/delivery_detail.html", {"delivery": delivery_for_admin(pk)})


@admins_only
@require_POST
def delivery_redeliver_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        delivery_redeliver(actor=request.user, delivery_id=pk)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, gettext("Redelivery queued: the same event, with the same event id, is sent again now.")
        )
    return redirect("integrations:delivery-detail", pk=pk)
