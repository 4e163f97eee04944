"""Source documents: Markdown with YAML front matter, parsed into blocks and segments.

A *block* is what the page shows (a heading, a paragraph, a list item, a table); a
*segment* is one string a translator sees. Inline markup (links, emphasis, code)
stays inside the segment, so translators can move it with the words.

Authors steer extraction with HTML comments placed right before a block:
``<!-- i18n: some note -->`` is shown to translators; ``<!-- i18n: skip -->``
keeps the next block (a whole list or table included) in English.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.errors import SourceError
from pipeline.settings import SAFE_NAME

KINDS = ("notice", "faq")
#: Front-matter fields whose text is translated, in the order they are extracted.
TRANSLATABLE_FIELDS = ("title", "summary")
_REQUIRED = ("id", "title", "kind")
_KNOWN = {
    "id",
    "title",
    "summary",
    "kind",
    "vital",
    "date",
    "contact",
    "publish_threshold",
    "flyer",
}
#: A notice or FAQ is a few pages; anything this big is a mistake (and slow to parse).
MAX_SOURCE_BYTES = 2_000_000
_I18N_COMMENT = re.compile(r"^\s*<!--\s*i18n:\s*(.*?)\s*-->\s*$", re.S)


@dataclass(frozen=True)
class Segment:
    """One translatable string and where it came from."""

    msgid: str
    line: int
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Block:
    """One block of the page, in reading order."""

    kind: str  # heading | paragraph | item | quote | table | code | html | rule
    text: str = ""  # inline Markdown (the msgid) or raw text for code/html
    line: int = 0
    level: int = 0  # heading level, or list depth (0 = top level)
    ordered: bool = False  # list items: numbered list
    rows: tuple[tuple[str, ...], ...] = ()  # tables: header row first
    translate: bool = True
    note: str = ""
    role: str = ""  # FAQ: "question" or "answer"


@dataclass(frozen=True)
class Document:
    id: str
    path: Path  # relative to the project root, as shown in references
    kind: str
    title: str
    vital: bool
    date: dt.date | None
    summary: str = ""
    contact: dict[str, str] = field(default_factory=dict)
    publish_threshold: float | None = None
    blocks: tuple[Block, ...] = ()
    title_line: int = 1
    flyer: tuple[str, ...] = ()  # headings of the sections a flyer carries (none: all of it)

    def segments(self) -> list[Segment]:
        """Every translatable string, in reading order (repeats included)."""
        found = [Segment(self.title, self.title_line, "document title")]
        if self.summary:
            found.append(Segment(self.summary, self.title_line, "document summary"))
        for block in self.blocks:
            found.extend(block_segments(block))
        return found


def block_segments(block: Block) -> list[Segment]:
    if not block.translate:
        return []
    if block.kind == "table":
        return [
            Segment(
                cell,
                block.line + (r + 1 if r else 0),
                "table header cell" if r == 0 else "table cell",
                block.note,
            )
            for r, row in enumerate(block.rows)
            for cell in row
            if cell.strip()
        ]
    if block.kind not in ("heading", "paragraph", "item", "quote"):
        return []
    kind = {
        "heading": f"heading (level {block.level})",
        "paragraph": "paragraph",
        "item": "list item",
        "quote": "quotation",
    }[block.kind]
    if block.role == "question":
        kind = "FAQ question"
    elif block.role == "answer":
        kind = f"FAQ answer: {kind}"
    return [Segment(block.text, block.line, kind, block.note)] if block.text.strip() else []


@cache
def _markdown() -> MarkdownIt:
    from mdit_py_plugins.front_matter import front_matter_plugin

    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin)


def read_document(path: Path, root: Path) -> Document:
    """Read one source file; raise :class:`SourceError` with file and line on bad input."""
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise SourceError(
                f"larger than {MAX_SOURCE_BYTES // 1_000_000} MB: not a notice or FAQ", shown
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", shown) from None
    return parse_document(decode_source(raw, shown), shown)


def decode_source(raw: bytes, shown: Path) -> str:
    """UTF-8 text (BOM dropped, CRLF normalised); an error names the line of a bad byte."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError("not UTF-8 text (save the file as UTF-8)", shown, line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_document(text: str, path: Path) -> Document:
    """Parse Markdown with front matter into a :class:`Document` (pure: no I/O)."""
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        raise SourceError(
            f"control character U+{ord(bad.group()):04X} in text",
            path,
            text.count("\n", 0, bad.start()) + 1,
        )
    tokens = _markdown().parse(text)
    if not tokens or tokens[0].type != "front_matter":
        raise SourceError(
            "missing front matter: start the file with a '---' block holding id, title and kind",
            path,
            1,
        )
    meta = _front_matter(tokens[0], path)
    kind = meta["kind"]
    blocks = tuple(_blocks(tokens[1:], faq=kind == "faq"))
    title_line = _line_of_key(tokens[0], "title")
    flyer = tuple(meta.get("flyer", ()))
    headings = {b.text for b in blocks if b.kind == "heading"}
    for heading in flyer:
        if heading not in headings:
            raise SourceError(
                f"front matter 'flyer': no heading {heading!r} in the document",
                path,
                _line_of_key(tokens[0], "flyer"),
            )
    return Document(
        id=meta["id"],
        path=path,
        kind=kind,
        title=meta["title"],
        summary=meta.get("summary", ""),
        vital=meta.get("vital", False),
        date=meta.get("date"),
        contact=meta.get("contact", {}),
        publish_threshold=meta.get("publish_threshold"),
        blocks=blocks,
        title_line=title_line,
        flyer=flyer,
    )


def _line_of_key(token: Token, key: str) -> int:
    for i, line in enumerate(token.content.splitlines()):
        if line.startswith(f"{key}:"):
            return i + 2  # the '---' opener is line 1
    return 1


def _bad_timestamp_line(text: str) -> int:
    """The line of the first value in ``text`` that YAML reads as a timestamp and Python
    cannot make a date or time of (the '---' opener is line 1)."""
    nodes = [yaml.compose(text)]
    while nodes:
        node = nodes.pop(0)
        if isinstance(node, yaml.MappingNode):
            nodes += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            nodes += node.value
        elif node is not None and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(node)
            except ValueError:
                return node.start_mark.line + 2
    return 1


def _front_matter(token: Token, path: Path) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(token.content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SourceError(f"front matter is not valid YAML: {problem}", path, line) from None
    except ValueError as exc:  # a timestamp YAML reads but Python cannot hold (2017-02-30)
        line = _bad_timestamp_line(token.content)
        raise SourceError(f"not a real date or time ({exc})", path, line) from None
    if not isinstance(meta, dict):
        raise SourceError("front matter must be a mapping of 'key: value' lines", path, 2)

    def fail(key: str, message: str) -> SourceError:
        return SourceError(f"front matter '{key}': {message}", path, _line_of_key(token, key))

    for key in meta:
        if key not in _KNOWN:
            raise fail(str(key), f"unknown field (known: {', '.join(sorted(_KNOWN))})")
    for key in _REQUIRED:
        if meta.get(key) in (None, ""):
            raise SourceError(f"front matter is missing '{key}'", path, 2)
    if not isinstance(meta["id"], str) or not SAFE_NAME.match(meta["id"]):
        raise fail("id", "use lowercase letters, digits, '-' and '_', 80 at most (it names files)")
    if meta["kind"] not in KINDS:
        raise fail("kind", f"must be one of {', '.join(KINDS)}")
    for key in TRANSLATABLE_FIELDS:
        if key in meta and (not isinstance(meta[key], str) or "\n" in meta[key].strip()):
            raise fail(key, "must be one line of text")
        if key in meta:
            meta[key] = meta[key].strip()
    if "vital" in meta and not isinstance(meta["vital"], bool):
        raise fail("vital", "must be true or false")
    if "date" in meta and not isinstance(meta["date"], dt.date):
        raise fail("date", "must be a date like 2017-01-13")
    if isinstance(meta.get("date"), dt.datetime):
        meta["date"] = meta["date"].date()
    contact = meta.get("contact", {})
    if not isinstance(contact, dict) or not all(isinstance(v, str | int) for v in contact.values()):
        raise fail("contact", "must be a mapping like 'phone: 612-668-0000'")
    meta["contact"] = {str(k): str(v) for k, v in contact.items()}
    threshold = meta.get("publish_threshold")
    if threshold is not None and (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 <= threshold <= 1
    ):
        raise fail("publish_threshold", "must be a number between 0 and 1")
    flyer = meta.get("flyer", [])
    if not isinstance(flyer, list) or not all(isinstance(h, str) and h for h in flyer):
        raise fail("flyer", "must be a list of the headings whose sections the flyer carries")
    return meta


def inline_text(content: str) -> str:
    """A block's inline Markdown as one msgid: soft line breaks become spaces."""
    lines = content.split("\n")
    out = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        stripped = line.strip()
        if not last and (line.endswith("  ") or stripped.endswith("\\")):
            out.append(stripped.rstrip("\\").rstrip() + "\\\n")  # hard line break, kept
        else:
            out.append(stripped + ("" if last else " "))
    return "".join(out)


class _Scope:
    """Notes and skips from ``<!-- i18n: ... -->`` comments, applying to the next sibling block."""

    def __init__(self) -> None:
        self.pending: dict[int, tuple[str, bool]] = {}  # level -> (note, skip) waiting for a block
        self.open: list[tuple[str, bool]] = []  # (note, skip) of each enclosing open token

    def comment(self, level: int, body: str) -> None:
        note, skip = self.pending.get(level, ("", False))
        if body.strip().lower() == "skip":
            skip = True
        else:
            note = f"{note}\n{body}".strip()
        self.pending[level] = (note, skip)

    def enter(self, token: Token) -> None:
        claimed = self.pending.pop(token.level, ("", False))
        if token.nesting == 1:
            self.open.append(claimed)

    def leave(self) -> None:
        self.open.pop()

    def current(self) -> tuple[str, bool]:
        return "\n".join(n for n, _ in self.open if n), any(s for _, s in self.open)


def _blocks(tokens: list[Token], faq: bool):
    scope = _Scope()
    stack: list[Token] = []  # open container tokens
    lists: list[bool] = []  # open lists: ordered?
    role = ""  # FAQ: "question" while in a question heading, "answer" after it
    for i, tok in enumerate(tokens):
        line = tok.map[0] + 1 if tok.map else 0
        if tok.type == "html_block":
            match = _I18N_COMMENT.match(tok.content)
            if match:
                scope.comment(tok.level, match.group(1))
            else:
                scope.enter(tok)
                yield Block("html", tok.content, line, translate=False)
            continue
        if tok.nesting == 1:
            scope.enter(tok)
            stack.append(tok)
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                lists.append(tok.type == "ordered_list_open")
            elif tok.type == "table_open":
                yield _table(tokens, i, line, scope, role)
            continue
        if tok.nesting == -1:
            scope.leave()
            opener = stack.pop()
            if opener.type in ("bullet_list_open", "ordered_list_open"):
                lists.pop()
            continue
        if tok.type != "inline":
            scope.enter(tok)
            if tok.type in ("fence", "code_block"):
                yield Block("code", tok.content, line, translate=False)
            elif tok.type == "hr":
                yield Block("rule", "", line, translate=False)
            continue
        parent = stack[-1]
        note, skip = scope.current()
        text = inline_text(tok.content)
        if parent.type == "heading_open":
            level = int(parent.tag[1])
            if faq and level <= 2:
                role = "question" if level == 2 else ""
            yield Block(
                "heading", text, line, level=level, translate=not skip, note=note, role=role
            )
            if role == "question":
                role = "answer"
        elif parent.type == "paragraph_open" and lists and stack[-2].type == "list_item_open":
            yield Block(
                "item",
                text,
                line,
                level=len(lists) - 1,
                ordered=lists[-1],
                translate=not skip,
                note=note,
                role=role,
            )
        elif parent.type == "paragraph_open":
            quoted = any(t.type == "blockquote_open" for t in stack)
            yield Block(
                "quote" if quoted else "paragraph",
                text,
                line,
                translate=not skip,
                note=note,
                role=role,
            )


def _table(tokens: list[Token], start: int, line: int, scope: _Scope, role: str) -> Block:
    note, skip = scope.current()
    rows: list[tuple[str, ...]] = []
    row: list[str] = []
    for tok in tokens[start + 1 :]:
        if tok.type == "table_close":
            break
        if tok.type == "inline":
            row.append(inline_text(tok.content))
        elif tok.type == "tr_close":
            rows.append(tuple(row))
            row = []
    return Block("table", "", line, rows=tuple(rows), translate=not skip, note=note, role=role)


def discover(source_dir: Path, root: Path) -> list[Document]:
    """Every ``*.md`` under ``source_dir``, sorted by path; duplicate ids are an error."""
    if not source_dir.is_dir():
        raise SourceError(
            "source folder does not exist",
            source_dir.relative_to(root) if source_dir.is_relative_to(root) else source_dir,
        )
    documents = [read_document(p, root) for p in sorted(source_dir.rglob("*.md"))]
    seen: dict[str, Document] = {}
    for doc in documents:
        if doc.id in seen:
            raise SourceError(
                f"duplicate document id {doc.id!r} (also in {seen[doc.id].path})", doc.path, 2
            )
        seen[doc.id] = doc
    return documents
