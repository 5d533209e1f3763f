"""How go-yaml v2 writes a document: the decisions behind :mod:`kustgen.yamlio`'s dumps.

kubectl prints every resource through JSON and ``sigs.k8s.io/yaml`` (a
go-yaml **v2** encoder, itself a port of libyaml); this module reproduces
that encoder's decisions on plain data:

* map keys in go-yaml v2's "natural" order (``keyList.Less``: digit runs
  compare numerically, non-letters sort before digits before letters), not
  byte order;
* go-yaml v2's choice of scalar style: strings YAML 1.1 would read as
  something else (``yes``, ``0777``, ``1e3``, ``2024-01-01``, ``1:20``...)
  are double-quoted, multi-line strings become literal blocks, and the rest is
  plain, single- or double-quoted according to libyaml's scalar analysis;
* numbers as kubectl prints them after its JSON round trip (integral floats
  become ints, other floats use Go's shortest ``%g``);
* 80-column folding of long plain and quoted scalars, 2-space indentation,
  sequences not indented under their key.

The style of every scalar is decided here (and cached: the same strings recur
in every object), so the PyYAML emitter only lays the events out.  libyaml's C
emitter is used when PyYAML has it; otherwise a pure-Python emitter whose
writers are aligned with go-yaml's.  Both paths produce identical bytes.

Known limit: go-yaml's key comparison is not a total order for some key sets
(``a1a`` < ``a3`` < ``a10`` < ``a1a``); kubectl's own output is then random
from run to run (Go map iteration order).  We still sort such sets, with a
deterministic result.

Imported only when something is really dumped (:func:`kustgen.yamlio.dump_file`
answers a document written before from the user's cache, without PyYAML).
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from yaml.emitter import Emitter as _PyEmitter
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from kustgen._gounicode import GO_EXTRA_DIGITS, GO_EXTRA_LETTERS
from kustgen.errors import InputError
from kustgen.yamlio import _UNWRITABLE, unwritable, unwritable_path

# ---------------------------------------------------------------------------
# go-yaml v2 `resolve`: does a plain scalar read back as something else?

# Values go-yaml v2 looks up in its resolve map (bool, null, .inf, .nan).
_RESOLVE_MAP = frozenset(
    {
        *("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"),
        *("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"),
        *("", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF"),
        *("+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"),
    }
)
# First byte -> hint, as in go-yaml's resolveTable ('S'ign, 'D'igit, 'M'ap, '.').
_HINT = {"+": "S", "-": "S", ".": "."}
_HINT.update(dict.fromkeys("0123456789", "D"))
_HINT.update(dict.fromkeys("yYnNtTfFoO~", "M"))

_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BASE60_FLOAT = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
# Go's strconv.ParseFloat syntax for a decimal float ('_' checked separately).
_GO_DEC_FLOAT = re.compile(r"[-+]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][-+]?[0-9][0-9_]*)?")

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1


def _go_underscore_ok(s: str) -> bool:
    """strconv.underscoreOK: '_' only between digits (or after a base prefix)."""
    saw = "^"
    if s[:1] in ("+", "-"):
        s = s[1:]
    i = 0
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        i = 2
        saw = "0"
        hexa = s[1] in "xX"
    while i < len(s):
        c = s[i]
        if "0" <= c <= "9" or (hexa and c in "abcdefABCDEF"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"


def _go_parse_float_ok(s: str) -> bool:
    """Whether Go's strconv.ParseFloat(s, 64) succeeds, for the inputs go-yaml
    gives it (a leading '.' or a yamlStyleFloat match: never hex, inf or nan)."""
    if not _GO_DEC_FLOAT.fullmatch(s):
        return False
    if "_" in s and not _go_underscore_ok(s):
        return False
    plain = s.replace("_", "")
    if not any("0" <= c <= "9" for c in re.split("[eE]", plain)[0]):
        return False
    try:
        return not math.isinf(float(plain))  # out of range is an error in Go
    except ValueError:
        return False


def _go_parse_int(s: str, base: int, lo: int, hi: int, signed: bool) -> bool:
    """Whether Go's strconv.ParseInt/ParseUint(s, base, 64) succeeds (no '_' here)."""
    neg = False
    if signed and s[:1] in ("+", "-"):
        neg = s[0] == "-"
        s = s[1:]
    if not s:
        return False
    if base == 0:
        base = 10
        if s[0] == "0":
            if len(s) >= 3 and s[1] in "bB":
                base, s = 2, s[2:]
            elif len(s) >= 3 and s[1] in "oO":
                base, s = 8, s[2:]
            elif len(s) >= 3 and s[1] in "xX":
                base, s = 16, s[2:]
            else:
                base, s = 8, s[1:] or "0"
    digits = "0123456789abcdef"[:base]
    if not s or any(c.lower() not in digits for c in s) or not s.isascii():
        return False
    value = int(s, base)
    if neg:
        value = -value
    return lo <= value <= hi


def _days_in(month: int, year: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _getnum(v: str, i: int) -> tuple[int, int] | None:
    """time.getnum(value, false): one or two ASCII digits."""
    if i >= len(v) or not ("0" <= v[i] <= "9"):
        return None
    if i + 1 < len(v) and "0" <= v[i + 1] <= "9":
        return int(v[i : i + 2]), i + 2
    return int(v[i]), i + 1


def _go_parse_time(layout: int, v: str) -> bool:
    """time.Parse for go-yaml v2's four timestamp layouts (0..3)."""
    # "2006-": four digits and '-' were checked by the caller.
    year = int(v[0:4])
    i = 5
    r = _getnum(v, i)
    if r is None:
        return False
    month, i = r
    if not 1 <= month <= 12 or i >= len(v) or v[i] != "-":
        return False
    r = _getnum(v, i + 1)
    if r is None:
        return False
    day, i = r
    if layout == 3:
        ok = i == len(v)
    else:
        if layout in (0, 1):
            if i >= len(v) or v[i] != "Tt"[layout]:
                return False
            i += 1
        else:  # ' ' in a layout matches one or more spaces
            if i >= len(v) or v[i] != " ":
                return False
            while i < len(v) and v[i] == " ":
                i += 1
        limits = (24, 60, 60)
        for n, limit in enumerate(limits):
            if n:
                if i >= len(v) or v[i] != ":":
                    return False
                i += 1
            r = _getnum(v, i)
            if r is None or r[0] >= limit:
                return False
            i = r[1]
        # Optional fractional second ('.' or ',' then digits).
        if i + 1 < len(v) and v[i] in ".," and "0" <= v[i + 1] <= "9":
            i += 1
            while i < len(v) and "0" <= v[i] <= "9":
                i += 1
        if layout in (0, 1):
            if i < len(v) and v[i] == "Z":
                i += 1
            else:
                tz = v[i : i + 6]
                if (
                    len(tz) < 6
                    or tz[0] not in "+-"
                    or tz[3] != ":"
                    or not all("0" <= c <= "9" for c in tz[1:3] + tz[4:6])
                    or int(tz[1:3]) > 24
                    or int(tz[4:6]) > 60
                ):
                    return False
                i += 6
        ok = i == len(v)
    return ok and 1 <= day <= _days_in(month, year)


def _go_is_timestamp(s: str) -> bool:
    if len(s) < 5 or s[4] != "-" or not all("0" <= c <= "9" for c in s[:4]):
        return False
    return any(_go_parse_time(layout, s) for layout in range(4))


def _resolves_to_non_string(s: str) -> bool:
    """go-yaml v2: ``resolve("", s)`` is not !!str, or ``isBase60Float(s)``."""
    hint = _HINT.get(s[:1], "N" if not s else "")
    if hint:
        if s in _RESOLVE_MAP:
            return True
        if hint == ".":
            if _go_parse_float_ok(s):
                return True
        elif hint in ("D", "S"):
            if hint == "D" and _go_is_timestamp(s):
                return True
            plain = s.replace("_", "")
            if plain and plain.isascii():
                if _go_parse_int(plain, 0, _INT64_MIN, _INT64_MAX, True):
                    return True
                if _go_parse_int(plain, 0, 0, _UINT64_MAX, False):
                    return True
                if _YAML_STYLE_FLOAT.fullmatch(plain) and _go_parse_float_ok(plain):
                    return True
                if plain.startswith("0b"):
                    rest = plain[2:]
                    if _go_parse_int(rest, 2, _INT64_MIN, _INT64_MAX, True):
                        return True
                    if _go_parse_int(rest, 2, 0, _UINT64_MAX, False):
                        return True
                elif plain.startswith("-0b") and _go_parse_int(
                    "-" + plain[3:], 2, _INT64_MIN, _INT64_MAX, True
                ):
                    return True
    return bool(s) and s[0] in "+-0123456789" and ":" in s and bool(_BASE60_FLOAT.fullmatch(s))


# ---------------------------------------------------------------------------
# libyaml/go-yaml scalar analysis and the final style of a string.


def _printable(c: str) -> bool:
    """go-yaml's is_printable (note: no tab, no characters above U+FFFF)."""
    o = ord(c)
    return (
        o == 0x0A
        or 0x20 <= o <= 0x7E
        or 0xA0 <= o <= 0xD7FF
        or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)
    )


_BREAKS = "\r\n\x85\u2028\u2029"
_FLOW_START = frozenset("#,[]{}&*!|>'\"%@`")
# libyaml's scalar analysis (yaml_emitter_analyze_scalar), one regular
# expression per flag instead of a loop over the characters: kustgen writes
# thousands of long strings (CRD descriptions), and the loop was most of the
# time of laying out a tree.
_NOT_PRINTABLE = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
_PLAIN_ASCII = re.compile("[\x20-\x7e]*")
_LINE_BREAK = re.compile(f"[{_BREAKS}]")
_BREAK_SPACE = re.compile(f"[{_BREAKS}] ")
_SPACE_BREAK = re.compile(f" [{_BREAKS}]")
# After the first character: ": " (or ":" last) and " #" mark block indicators.
_INDICATOR = re.compile("(?::(?:[ \t]|\\Z)|(?<=[ \t\0\r\n\x85\u2028\u2029])#)")


def _string_style(s: str) -> str:
    """The style go-yaml v2 ends up printing ``s`` with, in block context.

    One of ``''`` (plain), ``"'"``, ``'"'``, ``'|'``.  The same answer holds for
    mapping keys: a key that needs a literal block is never a simple key.
    """
    if "\n" in s:
        requested = "|"
    elif _resolves_to_non_string(s):
        return '"'
    else:
        requested = ""
    if not s:
        return '"'  # unreachable: "" resolves to null
    first, last = s[0], s[-1]
    block_indicators = (
        s.startswith(("---", "..."))
        or first in _FLOW_START
        or (first in "?:-" and (len(s) == 1 or s[1] in " \t"))
        or _INDICATOR.search(s, 1) is not None
    )
    if _PLAIN_ASCII.fullmatch(s):  # printable ASCII: no breaks, nothing special
        if block_indicators or first == " " or last == " ":
            return "'"
        return ""
    special = _NOT_PRINTABLE.search(s) is not None
    line_breaks = _LINE_BREAK.search(s) is not None
    break_space = line_breaks and _BREAK_SPACE.search(s) is not None
    space_break = line_breaks and _SPACE_BREAK.search(s) is not None
    plain_ok = not (
        first == " "
        or last == " "
        or special
        or line_breaks  # includes a leading or trailing break
        or block_indicators
    )
    single_ok = not (break_space or space_break or special)
    block_ok = not (last == " " or space_break or special)
    if requested == "|":
        return "|" if block_ok else '"'
    if plain_ok:
        return ""
    return "'" if single_ok else '"'


def _utf8_len(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------------------
# Numbers, as kubectl prints them after YAML -> JSON -> go-yaml v2.


def _shortest_digits(f: float) -> tuple[str, int]:
    """Shortest round-trip digits of abs(f) and the decimal point position."""
    mant, _, exp = repr(abs(f)).partition("e")
    intpart, _, frac = mant.partition(".")
    digits = intpart + frac
    point = len(intpart) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    return stripped.rstrip("0"), point


def _format_float(f: float) -> str:
    if not math.isfinite(f):
        raise InputError(f"cannot write {f!r}: JSON (and so kubectl) has no such number")
    if f == 0:
        return "0"
    digits, dp = _shortest_digits(f)
    nd = len(digits)
    sign = "-" if f < 0 else ""
    # encoding/json writes |f| < 1e21 without exponent; go-yaml then reads an
    # integral value back as an int if it fits int64 / uint64.
    if abs(f) < 1e21 and dp >= nd:
        value = int(digits + "0" * (dp - nd))
        if (f < 0 and value <= -_INT64_MIN) or (f > 0 and value <= _UINT64_MAX):
            return sign + str(value)
    # strconv.FormatFloat(f, 'g', -1, 64)
    exp = dp - 1
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if nd > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= nd:
        return sign + digits + "0" * (dp - nd)
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def _format_int(i: int) -> str:
    if _INT64_MIN <= i <= _UINT64_MAX:
        return str(i)
    # kubectl reads bigger integers as float64.
    try:
        return _format_float(float(i))
    except OverflowError:
        raise InputError(f"integer {i} is too large for Kubernetes") from None


# ---------------------------------------------------------------------------
# go-yaml v2 key order (sorter.go keyList.Less).

_MASK64 = (1 << 64) - 1


def _wrap64(v: int) -> int:
    v &= _MASK64
    return v - (1 << 64) if v >> 63 else v


# Go's Unicode tables are newer than Python's: characters Python calls
# unassigned may be letters or digits to go-yaml (measured, see _gounicode).
_GO_EXTRA_LETTERS = frozenset(
    chr(cp) for lo, hi in GO_EXTRA_LETTERS for cp in range(lo, hi + 1)
)
_GO_EXTRA_DIGITS = frozenset(chr(cp) for lo, hi in GO_EXTRA_DIGITS for cp in range(lo, hi + 1))
_GO_EXTRA = _GO_EXTRA_LETTERS | _GO_EXTRA_DIGITS


def _go_is_letter(c: str) -> bool:
    """Go's unicode.IsLetter."""
    return c.isalpha() or c in _GO_EXTRA_LETTERS


def _go_is_digit(c: str) -> bool:
    """Go's unicode.IsDigit."""
    return c.isdecimal() or c in _GO_EXTRA_DIGITS


def _go_less(a: str, b: str) -> bool:
    """go-yaml v2 keyList.Less for two string keys, verbatim."""
    ar, br = a, b
    for i in range(min(len(ar), len(br))):
        ca, cb = ar[i], br[i]
        if ca == cb:
            continue
        al, bl = _go_is_letter(ca), _go_is_letter(cb)
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and _go_is_digit(ar[j]):
                if ar[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(ar) and _go_is_digit(ar[ai]):
            an = _wrap64(an * 10 + ord(ar[ai]) - 48)
            ai += 1
        bi = i
        while bi < len(br) and _go_is_digit(br[bi]):
            bn = _wrap64(bn * 10 + ord(br[bi]) - 48)
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(ar) < len(br)


def _go_cmp(a: str, b: str) -> int:
    if _go_less(a, b):
        return -1
    if _go_less(b, a):
        return 1
    return 0


_DIGIT_RUN = re.compile(r"[0-9]+")
# A digit directly followed by a letter makes Less non-transitive; runs of 19+
# digits overflow Go's int64; non-ASCII digits count oddly.  Such keys are
# sorted with the verbatim comparison instead of the key function.
_UNSAFE_KEY = re.compile(r"[0-9][^\W\d_]|[0-9]{19}")

_NatKey = tuple[tuple[int, ...], ...]


def _natural_key(s: str) -> _NatKey | None:
    """A sort key equal to ``_go_less`` for keys without the oddities above."""
    if _UNSAFE_KEY.search(s) or (
        not s.isascii() and any(c.isdecimal() or c in _GO_EXTRA for c in s)
    ):
        return None
    out: list[tuple[int, ...]] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if "0" <= c <= "9":
            m = _DIGIT_RUN.match(s, i)
            assert m is not None
            run = m.group()
            out.append((1, int(run), len(run)))
            i = m.end()
            continue
        out.append((2 if c.isalpha() else 0, ord(c)))
        i += 1
    return tuple(out)


_NATKEY_CACHE: dict[str, _NatKey | None] = {}
_ORDER_CACHE: dict[tuple[str, ...], tuple[str, ...]] = {}
_CACHE_LIMIT = 200_000


def _sorted_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    order = _ORDER_CACHE.get(keys)
    if order is not None:
        return order
    natkeys: list[_NatKey] = []
    for k in keys:
        if k not in _NATKEY_CACHE:
            if type(k) is not str:
                raise InputError(f"mapping key {k!r} is not a string")
            if k == "<<":
                raise InputError("mapping key '<<' would be read back as a YAML merge key")
            if len(_NATKEY_CACHE) > _CACHE_LIMIT:
                _NATKEY_CACHE.clear()
            _NATKEY_CACHE[k] = _natural_key(k)
        nk = _NATKEY_CACHE[k]
        if nk is None:
            break
        natkeys.append(nk)
    if len(natkeys) == len(keys):
        order = tuple(k for _, k in sorted(zip(natkeys, keys, strict=True)))
    else:
        order = tuple(sorted(sorted(keys), key=functools.cmp_to_key(_go_cmp)))
    if len(_ORDER_CACHE) > _CACHE_LIMIT:
        _ORDER_CACHE.clear()
    _ORDER_CACHE[keys] = order
    return order


# ---------------------------------------------------------------------------
# Events.

_MAP_START = MappingStartEvent(None, None, True, flow_style=False)
_MAP_END = MappingEndEvent()
_SEQ_START = SequenceStartEvent(None, None, True, flow_style=False)
_SEQ_END = SequenceEndEvent()
_IMPLICIT = (True, True)
_STREAM_START = StreamStartEvent()
_STREAM_END = StreamEndEvent()
_DOC_START = DocumentStartEvent(explicit=False)
_DOC_END = DocumentEndEvent(explicit=False)

_SCALAR_CACHE: dict[str, ScalarEvent] = {}
_NULL = ScalarEvent(None, None, _IMPLICIT, "null", style="")
_TRUE = ScalarEvent(None, None, _IMPLICIT, "true", style="")
_FALSE = ScalarEvent(None, None, _IMPLICIT, "false", style="")


class _PyOnlyScalarEvent(ScalarEvent):
    """A scalar only the pure-Python emitter writes the way go-yaml does.

    libyaml differs from go-yaml on a leading BOM (go-yaml then escapes every
    character) and after a trailing U+2028/U+2029 in a quoted scalar.
    """


class _NeedsPythonEmitter(Exception):
    pass


def _str_event(s: str) -> ScalarEvent:
    ev = _SCALAR_CACHE.get(s)
    if ev is None:
        if _UNWRITABLE.search(s):
            raise InputError(
                f"{s!r} contains {unwritable(s)}, which kubectl cannot read back from YAML"
            )
        style = _string_style(s)
        if s.startswith("\ufeff") or "\u2028" in s or "\u2029" in s:
            ev = _PyOnlyScalarEvent(None, None, _IMPLICIT, s, style=style)
        else:
            ev = ScalarEvent(None, None, _IMPLICIT, s, style=style)
        if len(_SCALAR_CACHE) > _CACHE_LIMIT:
            _SCALAR_CACHE.clear()
        _SCALAR_CACHE[s] = ev
    return ev


_AS_BASE: dict[type, Callable[[Any], Any]] = {
    str: str.__str__, int: int.__int__, float: float.__float__,
}


def _emit_node(value: Any, emit: Callable[[Event], None], c_path: bool) -> None:
    t = type(value)
    if t is str:
        ev = _SCALAR_CACHE.get(value) or _str_event(value)
        if c_path and type(ev) is _PyOnlyScalarEvent:
            raise _NeedsPythonEmitter
        emit(ev)
    elif t is dict or isinstance(value, Mapping):
        emit(_MAP_START)
        if value:
            for k in _sorted_keys(tuple(value)):
                _emit_node(k, emit, c_path)
                _emit_node(value[k], emit, c_path)
        emit(_MAP_END)
    elif t is list or t is tuple:
        emit(_SEQ_START)
        for item in value:
            _emit_node(item, emit, c_path)
        emit(_SEQ_END)
    elif value is None:
        emit(_NULL)
    elif t is bool:
        emit(_TRUE if value else _FALSE)
    elif t is int:
        emit(ScalarEvent(None, None, _IMPLICIT, _format_int(value), style=""))
    elif t is float:
        emit(ScalarEvent(None, None, _IMPLICIT, _format_float(value), style=""))
    elif isinstance(value, bool):
        _emit_node(bool(value), emit, c_path)
    elif isinstance(value, (str, int, float)):
        # A subclass (an Enum with a str or int mixin, say) is written as its data,
        # as json.dumps writes it: the base type's own conversion, never an
        # overridden __str__ or the subclass's constructor.
        base = str if isinstance(value, str) else int if isinstance(value, int) else float
        _emit_node(_AS_BASE[base](value), emit, c_path)
    elif isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        _emit_node(list(value), emit, c_path)
    else:
        raise InputError(f"cannot write a value of type {t.__name__} to YAML: {value!r}")


# ---------------------------------------------------------------------------
# The pure-Python emitter, with go-yaml's scalar writers.


class _GoEmitter(_PyEmitter):
    """PyYAML's emitter with libyaml/go-yaml behaviour where PyYAML differs."""

    def choose_scalar_style(self) -> str:
        # The style was decided (go-yaml's way) when the event was made.
        event: Any = self.event
        style: str = event.style
        return style

    def check_simple_key(self) -> bool:
        event: Any = self.event
        if not isinstance(event, ScalarEvent):
            return False
        value: str = event.value
        return not any(c in _BREAKS for c in value) and _utf8_len(value) <= 128

    def write_literal(self, text: str) -> None:
        super().write_literal(text)
        self.open_ended = False  # go-yaml never ends a document with "..."

    def _put(self, data: str) -> None:
        self.column += len(data)
        self.stream.write(data)

    def _put_break(self, c: str = "\n") -> None:
        self.stream.write(c)
        self.column = 0
        self.line += 1

    def _go_write_indent(self) -> None:
        indent = self.indent or 0
        if (
            not self.indention
            or self.column > indent
            or (self.column == indent and not self.whitespace)
        ):
            self._put_break()
        if self.column < indent:
            self._put(" " * (indent - self.column))
        self.whitespace = True
        self.indention = True

    def write_plain(self, text: str, split: bool = True) -> None:
        if text and not self.whitespace:
            self._put(" ")
        spaces = False
        n = len(text)
        for i, c in enumerate(text):
            if c == " ":
                if (
                    split
                    and not spaces
                    and self.column > self.best_width
                    and not (i + 1 < n and text[i + 1] == " ")
                ):
                    self._go_write_indent()
                else:
                    self._put(c)
                spaces = True
            else:
                self._put(c)
                self.indention = False
                spaces = False
        if text:
            self.whitespace = False
        self.indention = False

    def write_single_quoted(self, text: str, split: bool = True) -> None:
        self.write_indicator("'", True)
        spaces = breaks = False
        n = len(text)
        for i, c in enumerate(text):
            if c == " ":
                if (
                    split
                    and not spaces
                    and self.column > self.best_width
                    and 0 < i < n - 1
                    and text[i + 1] != " "
                ):
                    self._go_write_indent()
                else:
                    self._put(c)
                spaces = True
            elif c in _BREAKS:
                if not breaks and c == "\n":
                    self._put_break()
                self._put_break(c)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self._go_write_indent()
                self._put("''" if c == "'" else c)
                self.indention = False
                spaces = breaks = False
        self.write_indicator("'", False)
        self.whitespace = False
        self.indention = False

    _GO_ESCAPES: ClassVar[dict[str, str]] = {
        "\0": "0",
        "\x07": "a",
        "\x08": "b",
        "\t": "t",
        "\n": "n",
        "\x0b": "v",
        "\x0c": "f",
        "\r": "r",
        "\x1b": "e",
        '"': '"',
        "\\": "\\",
        "\x85": "N",
        "\xa0": "_",
        "\u2028": "L",
        "\u2029": "P",
    }

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        self.write_indicator('"', True)
        spaces = False
        n = len(text)
        # go-yaml's is_bom looks at the start of the string, not at the
        # current character: a leading BOM gets every character escaped.
        escape_all = text.startswith("\ufeff")
        for i, c in enumerate(text):
            if escape_all or not _printable(c) or c in '"\\\ufeff' or c in _BREAKS:
                esc = self._GO_ESCAPES.get(c)
                if esc is None:
                    o = ord(c)
                    esc = f"x{o:02X}" if o <= 0xFF else f"u{o:04X}" if o <= 0xFFFF else f"U{o:08X}"
                self._put("\\" + esc)
                spaces = False
            elif c == " ":
                if split and not spaces and self.column > self.best_width and 0 < i < n - 1:
                    self._go_write_indent()
                    if text[i + 1] == " ":
                        self._put("\\")
                else:
                    self._put(c)
                spaces = True
            else:
                self._put(c)
                spaces = False
        self.write_indicator('"', False)
        self.whitespace = False
        self.indention = False


# ---------------------------------------------------------------------------
# Dumping.

_CEmitter: Any
try:
    from yaml._yaml import CEmitter as _CEmitter
except ImportError:  # PyYAML built without libyaml
    _CEmitter = None

def _dump_one(doc: Any, c_emitter: bool) -> str:
    try:
        return _emit_document(doc, c_emitter)
    except InputError as error:
        found = unwritable_path(doc)
        if found is None or not found[0]:
            raise
        raise error.at(field_prefix=found[0]) from None


def _emit_document(doc: Any, c_emitter: bool) -> str:
    stream = io.StringIO()
    emitter: Any
    if c_emitter:
        emitter = _CEmitter(stream, allow_unicode=True, width=80, indent=2)
    else:
        emitter = _GoEmitter(stream, allow_unicode=True, width=80, indent=2)
    emit = emitter.emit
    emit(_STREAM_START)
    emit(_DOC_START)
    try:
        _emit_node(doc, emit, c_emitter)
    except _NeedsPythonEmitter:
        return _emit_document(doc, False)
    emit(_DOC_END)
    emit(_STREAM_END)
    text = stream.getvalue()
    # After a `|+` block libyaml ends the stream with "...": go-yaml does not.
    if text.endswith("\n...\n"):
        text = text[:-4]
    return text
