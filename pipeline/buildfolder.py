"""The build folder's own files: what a build wrote there and may trust or withdraw.

``.manifest.json`` keeps, for each output, a MAC (keyed by ``.homelang/build.key``,
never committed) of its inputs' fingerprint and of the bytes written, so an output
edited or planted in the folder, or a folder committed with its manifest, is rendered
afresh. ``.outputs.json`` lists every output for ``index.html``. Both are input like
any other: a path read from them is an output this build could have written,
confined to the folder, before anything is deleted or linked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from pipeline import languages
from pipeline.documents import discover
from pipeline.errors import LanguageError, PathError, SettingsError, StateError
from pipeline.files import LINK, atomic_write, atomic_write_text, confined, read_regular
from pipeline.settings import SAFE_NAME, Settings

SUFFIXES = {"letter": ".letter.pdf", "flyer": ".flyer.pdf", "web": ".web.html", "mo": ".mo"}
MANIFEST = ".manifest.json"
#: The key that signs manifests, in the state folder.
MANIFEST_KEY = "build.key"
#: Every output in the build folder and how it was last built, for ``index.html``.
OUTPUTS = ".outputs.json"


@dataclass(frozen=True)
class Output:
    lang: str
    doc_id: str
    format: str
    path: str  # relative to the build folder
    status: str  # published | draft | skipped
    reason: str
    rebuilt: bool


def check_output_folder(settings: Settings, out: Path) -> None:
    """``build -o`` writes and withdraws files: never through a link inside the project,
    never over (or inside) its sources, catalogs, state, glossary or ``.git``."""
    root = settings.root.resolve()
    absolute = Path(os.path.abspath(out))
    if absolute.is_relative_to(root):
        for part in reversed([absolute, *absolute.parents]):
            if part.is_relative_to(root) and part != root and part.is_symlink():
                raise PathError(LINK, part.relative_to(root))
    target = absolute.resolve()
    for kept in (
        settings.source_path,
        settings.locales_path,
        settings.state_path,
        settings.glossary_path,
        settings.root / ".git",
    ):
        kept = kept.resolve()
        if target.is_relative_to(kept) or kept.is_relative_to(target):
            shown = kept.relative_to(root) if kept.is_relative_to(root) else kept
            raise SettingsError(f"the output folder must be apart from {shown.as_posix()}/", out)


def unconfigured(
    settings: Settings,
    folder: Path,
    shown: Path,
    listed: dict[str, Output],
    manifest: dict[str, str],
) -> list[Path]:
    """Forget (in ``listed`` and ``manifest``) every output of a language or document no
    longer configured, and return their paths to withdraw: only paths an earlier build
    wrote, as its manifest or ``.outputs.json`` name them."""
    langs = {settings.source_language, *settings.languages}
    docs = {d.id for d in discover(settings.source_path, settings.root)}
    gone = []
    for path in sorted({*listed, *manifest}):
        named = _OUTPUT_PATH.fullmatch(path)
        if named and (named["lang"] not in langs or named["doc"] not in docs):
            gone.append(confined(folder, path, shown / MANIFEST))
            listed.pop(path, None)
            manifest.pop(path, None)
    return gone


#: ``<lang>/<doc-id><suffix>``: what a path in the manifest or ``.outputs.json`` must look like.
_OUTPUT_PATH = re.compile(
    r"(?P<lang>\w+)/(?P<doc>[a-z0-9][a-z0-9_-]*)(?:"
    + "|".join(map(re.escape, SUFFIXES.values()))
    + ")"
)


def read_key(settings: Settings) -> bytes | None:
    """This project's key for signing manifests, kept in its state folder (never committed):
    a build folder committed with its manifest vouches for nothing here. None until the
    first build into the project's build folder makes it (:func:`make_key`)."""
    path = settings.state_path / MANIFEST_KEY
    try:
        key = read_regular(path, path.relative_to(settings.root), limit=1024)
    except FileNotFoundError:
        return None
    return key if len(key) >= 32 else None


def make_key(settings: Settings) -> bytes:
    key = secrets.token_bytes(32)
    atomic_write(settings.state_path / MANIFEST_KEY, key, mode=0o600)
    return key


def vouch(
    key: bytes | None, fingerprint: str, folder: Path, relative: str, shown: Path
) -> str | None:
    """The manifest's word for an output: a MAC of its inputs' fingerprint and its bytes
    (None when the file is missing or there is no key: nothing is vouched for)."""
    if key is None:
        return None
    try:
        data = read_regular(folder / relative, shown / relative)
    except FileNotFoundError:
        return None
    mac = hmac.new(key, f"{relative}\n{fingerprint}\n".encode(), hashlib.sha256)
    mac.update(data)
    return mac.hexdigest()


def read_manifest(folder: Path, shown: Path) -> dict[str, str]:
    """Fingerprints by output path; a damaged manifest only makes the build render again."""
    try:
        data = json.loads(read_regular(folder / MANIFEST, shown / MANIFEST).decode("utf-8"))
    except (FileNotFoundError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def read_outputs(folder: Path, shown: Path) -> dict[str, Output]:
    """What earlier builds wrote into ``folder``, as ``.outputs.json`` lists it.

    The file is input like any other (someone may have edited or planted it): each entry
    must name one output this build could have written, ``<lang>/<doc-id><suffix>``,
    before its path is deleted or linked from ``index.html``. A damaged file is refused
    with the entry's number (never its text): a build that forgot its outputs would leave
    old drafts where a publishing build must remove them.
    """
    where = shown / OUTPUTS
    try:
        raw = read_regular(folder / OUTPUTS, where)
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise StateError(f"not JSON; {_AFRESH}", where) from None
    if not isinstance(data, dict):
        raise StateError(f"not a table of outputs; {_AFRESH}", where)
    outputs = {}
    for number, (key, row) in enumerate(data.items(), 1):
        problem = output_problem(key, row)
        if problem:
            raise StateError(f"entry {number}: {problem}; {_AFRESH}", where)
        outputs[key] = Output(**{**row, "reason": row.get("reason", ""), "rebuilt": False})
        confined(folder, key, where)
    return outputs


def _is_language(code: str) -> bool:
    try:
        languages.get(code)
    except LanguageError:
        return False
    return True


_AFRESH = "delete it and build again to start the index afresh"
_OUTPUT_FIELDS = {f.name: f.type for f in dataclasses.fields(Output)}


def output_problem(key: object, row: object) -> str | None:
    """What makes an ``.outputs.json`` entry something other than an output we write, or None."""
    if not isinstance(row, dict):
        return "not a table"
    unknown = sorted(str(name) for name in row if name not in _OUTPUT_FIELDS)
    if unknown:
        return (
            f"unknown field {unknown[0][:40]!r}" if unknown[0].isidentifier() else "unknown field"
        )
    for name in ("lang", "doc_id", "format", "path", "status"):
        if not isinstance(row.get(name), str):
            return f"field {name!r} is missing or not text"
    if not isinstance(row.get("reason", ""), str) or not isinstance(
        row.get("rebuilt", False), bool
    ):
        return "field 'reason' or 'rebuilt' of the wrong kind"
    if row["format"] not in SUFFIXES:
        return "field 'format' is not a format"
    if row["status"] not in ("published", "draft", "skipped"):
        return "field 'status' is not a status"
    if not SAFE_NAME.fullmatch(row["doc_id"]) or not _is_language(row["lang"]):
        return "field 'doc_id' or 'lang' is not a document id or language code"
    expected = f"{row['lang']}/{row['doc_id']}{SUFFIXES[row['format']]}"
    if key != expected or row["path"] != expected:
        return "its path is not the output it names"
    return None


def write_manifest(folder: Path, manifest: dict[str, str]) -> None:
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
