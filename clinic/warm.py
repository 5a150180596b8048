"""What an app server loads once at start, before it takes requests, and then sets aside from
Python's garbage collector.

Django loads most of the app on the first requests (views, forms, services through the URLconf;
each language's catalogue). Those objects live as long as the process, yet every full collection
walked all of them again, about 140,000, every few dozen requests: 60-80 ms pauses on a heavy
page, and a third of the logged-in constant page's average time (docs/PERFORMANCE.md, A/B in one
run). `gc.freeze()` moves everything alive at that moment into a generation the collector never
walks; objects made while serving requests are collected as before. The price is that garbage
already unreachable at start would never be collected: `gc.collect()` runs first, so there is
none. CLINIC_GC_FREEZE=0 turns it off (the benchmark's A/B)."""

import gc
import os
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from clinic.catalogues import empty_catalogues_unchained


def freeze_enabled() -> bool:
    return os.environ.get("CLINIC_GC_FREEZE", "1") != "0"


def app_load_and_freeze() -> None:
    """Import every view (and what it imports) through the URLconf, load each language's
    catalogue (without its empty fallbacks: clinic.catalogues), compile the app's own templates
    into the template cache, then collect and freeze. Called by clinic.wsgi once the app is loaded."""
    reverse("reception:day_board")  # populates the URLconf, importing every view
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Day board")
    empty_catalogues_unchained()
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(directory).rglob("*")):
            if path.suffix in {".html", ".txt"}:
                get_template(str(path.relative_to(directory)))
    gc.collect()
    gc.freeze()
