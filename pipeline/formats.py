"""Format strings in catalogs (``#, c-format``, ``python-format``, ``range:``), as msgfmt checks them.

:mod:`pipeline.merge` asks, like GNU msgmerge, whether a translation still passes
``msgfmt --check-format`` once the template declares a format it did not declare
before; an entry that would fail becomes fuzzy instead of breaking the build. A
format homelang cannot check is treated as failing: a fuzzy mark costs a look, a
broken format string costs a crash in someone's program.
"""

from __future__ import annotations

import re

import polib

_C = re.compile(
    r"%(?:\d+\$)?[-+ #0'I]*(?:\*(?:\d+\$)?|\d+)?(?:\.(?:\*(?:\d+\$)?|\d*))?"
    r"(hh|h|ll|l|L|q|j|z|Z|t)?([diouxXeEfFgGaAcspn%])"
)
_PYTHON = re.compile(
    r"%(?:\(([^)]*)\))?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d*))?[hlL]?([diouxXeEfFgGcrsa%])"
)
_SH = re.compile(r"\$(?:(\w+)|\{(\w+)\})")
_BRACE = re.compile(r"\{\{|\}\}|\{([^{}:!]*)(?:![rsa])?(?::[^{}]*)?\}")
_KINDS = {
    **dict.fromkeys("di", "int"),
    **dict.fromkeys("ouxX", "unsigned"),
    **dict.fromkeys("eEfFgGaA", "float"),
    **dict.fromkeys("rsa", "string"),
    "c": "char",
    "p": "pointer",
    "n": "count",
}
_RANGE = re.compile(r"range:\s*(\d+)\s*\.\.\s*(\d+)")


def _c_arguments(text: str) -> list[str]:
    return [(size or "") + _KINDS[kind] for size, kind in _C.findall(text) if kind != "%"]


def _python_arguments(text: str) -> list[str] | dict[str, str]:
    found = [(name, _KINDS[kind]) for name, kind in _PYTHON.findall(text) if kind != "%"]
    if any(name for name, _ in found):
        return {name: kind for name, kind in found}
    return [kind for _, kind in found]


def _brace_arguments(text: str) -> dict[str, str]:
    return {m.group(1): "any" for m in _BRACE.finditer(text) if m.group(1) is not None}


def _sh_arguments(text: str) -> dict[str, str]:
    return {plain or braced: "any" for plain, braced in _SH.findall(text)}


_ARGUMENTS = {
    "sh-format": _sh_arguments,
    "c-format": _c_arguments,
    "python-format": _python_arguments,
    "python-brace-format": _brace_arguments,
}


def _matches(wanted, given, strict: bool) -> bool:
    """Whether a translation's arguments fit the English's (all of them, or a part if not strict)."""
    if isinstance(wanted, dict) or isinstance(given, dict):
        if not (isinstance(wanted, dict) and isinstance(given, dict)):
            return not wanted and not given
        if any(wanted.get(name) != kind for name, kind in given.items()):
            return False
        return not strict or wanted.keys() == given.keys()
    return given == wanted if strict else given == wanted[: len(given)]


def declared(flags: list[str]) -> set[str]:
    """The formats a flag list declares (``c-format`` and ``possible-c-format`` alike)."""
    return {
        f.removeprefix("possible-")
        for f in flags
        if f.endswith("-format") and not f.startswith("no-") and f != "fuzzy"
    }


def still_valid(old_flags: list[str], entry: polib.POEntry) -> bool:
    """Whether ``entry``'s translation passes each format it newly declares, as msgfmt judges."""
    if not entry.flags:
        return True
    new = declared(entry.flags) - declared(old_flags)
    if not new:
        return True
    forms = [(0, entry.msgstr)] if not entry.msgid_plural else sorted(entry.msgstr_plural.items())
    strict = not entry.msgid_plural
    for name in new:
        arguments = _ARGUMENTS.get(name)
        for index, text in forms:
            if not text:
                continue
            if arguments is None:
                return False
            english = entry.msgid if index == 0 else entry.msgid_plural
            if not _matches(arguments(english), arguments(text), strict):
                return False
    return True


def _range(flags: list[str]) -> tuple[int, int] | None:
    for flag in flags:
        found = _RANGE.fullmatch(flag.strip())
        if found:
            return int(found.group(1)), int(found.group(2))
    return None


def range_covered(old_flags: list[str], new_flags: list[str]) -> bool:
    """False when the translation assumed a ``range:`` the template no longer keeps within."""
    old = _range(old_flags)
    if old is None:
        return True
    new = _range(new_flags)
    return new is not None and new[0] >= old[0] and new[1] <= old[1]
