"""Value syntaxes the API server and controllers check but JSON schemas do not.

Each function returns None when ``value`` is fine, else a short reason.
Sources: Kubernetes apimachinery validation (names, labels, quantities,
ports), robfig/cron as Longhorn parses ``RecurringJob.spec.cron``, Go's
``time.ParseDuration`` as MetalLB parses BGP timers.
"""

from __future__ import annotations

import re

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_RFC1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_QUANTITY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$")
_DURATION = re.compile(r"^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def dns_label(value: str) -> str | None:
    if len(value) > 63 or not _LABEL.match(value):
        return "must be a DNS-1123 label: at most 63 lower-case letters, digits and '-'"
    return None


def dns_subdomain(value: str) -> str | None:
    if len(value) > 253 or not _SUBDOMAIN.match(value):
        return "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'"
    return None


def rfc1035_label(value: str) -> str | None:
    if len(value) > 63 or not _RFC1035.match(value):
        return "must be a DNS-1035 label: start with a letter; lower-case letters, digits, '-'"
    return None


def qualified_name(key: str) -> str | None:
    """A label or annotation key: ``[prefix/]name``."""
    prefix, _, name = key.rpartition("/")
    if prefix and dns_subdomain(prefix):
        return f"prefix {prefix!r} must be a DNS-1123 subdomain"
    if len(name) > 63 or not _QUALIFIED.match(name):
        return "name part must be at most 63 of letters, digits, '-', '_', '.' (alphanumeric ends)"
    return None


def label_value(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if value and (len(value) > 63 or not _QUALIFIED.match(value)):
        return "must be empty or at most 63 of letters, digits, '-', '_', '.' (alphanumeric ends)"
    return None


def port_name(value: str) -> str | None:
    if (
        len(value) > 15
        or not _PORT_NAME.match(value)
        or "--" in value
        or not re.search("[a-z]", value)
    ):
        return "must be an IANA service name: at most 15 of a-z, 0-9, '-', with a letter"
    return None


def port_number(value: object, low: int = 1, high: int = 65535) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{value!r} is not a port number ({low}..{high})"
    return None


def quantity(value: object) -> str | None:
    if isinstance(value, bool):
        return f"{value!r} is not a quantity"
    if isinstance(value, int | float):
        return None
    if not isinstance(value, str) or not _QUANTITY.match(value):
        return f"{value!r} is not a quantity (e.g. 500m, 1.5, 64Mi, 10Gi)"
    return None


def duration_seconds(value: str) -> float | None:
    """Seconds of a Go duration (``"90s"``, ``"1m30s"``, ``"0"``); None if it does not parse."""
    if value == "0":
        return 0.0
    if not _DURATION.match(value):
        return None
    sign = -1.0 if value.startswith("-") else 1.0
    return sign * sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(value))


_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    (
        "month",
        1,
        12,
        {m: i + 1 for i, m in enumerate(_MONTHS)},
    ),
    ("day of week", 0, 7, {d: i for i, d in enumerate(_WEEKDAYS)}),
)
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


def _cron_number(text: str, names: dict[str, int]) -> int | None:
    if text.upper() in names:
        return names[text.upper()]
    return int(text) if text.isdigit() else None


def _cron_field(text: str, low: int, high: int, names: dict[str, int]) -> bool:
    for item in text.split(","):
        span, _, step = item.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            return False
        if span in ("*", "?"):
            continue
        first, _, last = span.partition("-")
        a = _cron_number(first, names)
        b = _cron_number(last, names) if last else a
        if a is None or b is None or not low <= a <= b <= high:
            return False
    return True


def cron(value: str) -> str | None:
    """A five-field cron expression or a descriptor, as robfig/cron's standard parser reads it."""
    text = value.strip()
    if text.startswith(("CRON_TZ=", "TZ=")):
        text = text.split(None, 1)[1] if " " in text else ""
    if text in _DESCRIPTORS:
        return None
    if text.startswith("@every "):
        seconds = duration_seconds(text[len("@every ") :].strip())
        return None if seconds and seconds > 0 else f"{value!r}: @every needs a positive duration"
    fields = text.split()
    if len(fields) != 5:
        return f"{value!r} has {len(fields)} fields; cron needs 5 (minute hour day month weekday)"
    for part, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        if not _cron_field(part, low, high, names):
            return f"{value!r}: {name} field {part!r} is not valid ({low}..{high})"
    return None
