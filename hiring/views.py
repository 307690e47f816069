from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the page they work from."""
    user = request.user
    if user.sees_all_loops and not user.is_committee:  # type: ignore[union-attr]
        return redirect("hiring:pipeline")
    if user.is_committee:  # type: ignore[union-attr]
        return redirect("scorecards:committee-loops")
    return redirect("scorecards:my-interviews")
