"""Home: each role's starting points."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from panhuo.common.permissions import signed_in


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {})
