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


# robfig/cron v3.0.1 (parser.go, spec.go), which Kubernetes CronJobs and
# Longhorn's RecurringJobs parse schedules with (cron.ParseStandard).
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}),
    # 0..6: robfig/cron does not take 7 for Sunday, unlike Vixie cron.
    ("day of week", 0, 6, {d: i for i, d in enumerate(_WEEKDAYS)}),
)
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_GO_ATOI = re.compile(r"^[+-]?[0-9]+$")


def _cron_int(text: str) -> int:
    """Go's strconv.Atoi, refusing negatives as robfig's mustParseInt does."""
    if not _GO_ATOI.match(text) or not -(2**63) <= int(text) < 2**63:
        raise ValueError(f"failed to parse int from {text!r}")
    if int(text) < 0:
        raise ValueError(f"negative number ({int(text)}) not allowed: {text!r}")
    return int(text)


def _cron_range(expr: str, low: int, high: int, names: dict[str, int]) -> None:
    """robfig's getRange: ``number | number "-" number [ "/" number ]``, ``*`` or ``?``."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        named = names.get(low_and_high[0].lower())
        start = _cron_int(low_and_high[0]) if named is None else named
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            named = names.get(low_and_high[1].lower())
            end = _cron_int(low_and_high[1]) if named is None else named
        else:
            raise ValueError(f"too many hyphens: {expr!r}")
    step = 1
    if len(range_and_step) == 2:
        step = _cron_int(range_and_step[1])
        if len(low_and_high) == 1:  # "N/step" means "N-max/step"
            end = high
    elif len(range_and_step) > 2:
        raise ValueError(f"too many slashes: {expr!r}")
    if start < low:
        raise ValueError(f"beginning of range ({start}) below minimum ({low}): {expr!r}")
    if end > high:
        raise ValueError(f"end of range ({end}) above maximum ({high}): {expr!r}")
    if start > end:
        raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {expr!r}")
    if step == 0:
        raise ValueError(f"step of range should be a positive number: {expr!r}")


def cron(value: str) -> str | None:
    """A five-field cron expression or a descriptor, as robfig/cron v3's standard
    parser reads it (day of week 0..6, names jan..dec and sun..sat, ``?`` as ``*``)."""
    if not value:
        return "empty schedule"
    text = value
    if text.startswith(("TZ=", "CRON_TZ=")):
        if " " not in text:
            return f"{value!r}: a time zone must be followed by the schedule"
        text = text[text.index(" "):].strip()
    if text.startswith("@"):
        if text in _DESCRIPTORS:
            return None
        if text.startswith("@every "):
            if duration_seconds(text[len("@every "):]) is None:
                return f"{value!r}: @every needs a duration such as 1h30m"
            return None
        return f"{value!r}: unrecognized descriptor"
    fields = text.split()
    if len(fields) != 5:
        return f"{value!r} has {len(fields)} fields; cron needs 5 (minute hour day month weekday)"
    for part, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        try:
            for expr in (piece for piece in part.split(",") if piece):
                _cron_range(expr, low, high, names)
        except ValueError as error:
            return f"{value!r}: {name} field {part!r} ({low}..{high}): {error}"
    return None
