"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

if os.environ.get("PANHUO_WARM_LANDSCAPE", "1") == "1":
    from panhuo.navigation.store import warm_in_background

    warm_in_background()  # each web worker loads the 专利导航 facts while it waits for its first requests
