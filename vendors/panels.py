"""What other apps show on the vendor page, registered by them so this app does not import theirs.

A panel is (template, context function); a warning source returns sentences shown at the top.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Vendor


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[Vendor, object], dict]
    order: int = 100


_PANELS: list[Panel] = []
_WARNINGS: list[Callable[[Vendor], list[str]]] = []


def vendor_panel(template: str, *, order: int = 100):
    def register(context: Callable[[Vendor, object], dict]):
        if all(p.template != template for p in _PANELS):
            _PANELS.append(Panel(template, context, order))
            _PANELS.sort(key=lambda p: p.order)
        return context

    return register


def vendor_warning(source: Callable[[Vendor], list[str]]):
    if source not in _WARNINGS:
        _WARNINGS.append(source)
    return source


def rendered_panels(vendor: Vendor, user) -> list[dict]:
    return [{"template": panel.template, **panel.context(vendor, user)} for panel in _PANELS]


def vendor_warnings(vendor: Vendor) -> list[str]:
    return [message for source in _WARNINGS for message in source(vendor)]
