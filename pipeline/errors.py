"""One exception root for everything a user can get wrong.

Every error prints as ``path:line: message`` (or ``path: message`` when no line is
known, or just the message), the way compilers and Jinja's ``TemplateSyntaxError``
do, so editors and CI logs can jump to the place.
"""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """Root of homelang's errors: bad input, bad settings, a refused operation."""

    exit_code = 2

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __reduce__(self):  # keep path and line when raised in a worker process
        return (self.__class__, (self.message, self.path, self.line))

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.message}"


class SettingsError(PipelineError):
    """A missing, unknown or badly typed setting."""


class SourceError(PipelineError):
    """A source document (Markdown + front matter) that cannot be read."""


class CatalogError(PipelineError):
    """A PO/POT/MO file that cannot be read or written."""


class LanguageError(PipelineError):
    """An unknown or unsupported language code."""


class LockError(PipelineError):
    """Another homelang run holds the project lock."""


class ProviderError(PipelineError):
    """A machine translation provider refused, failed or is misconfigured."""

    exit_code = 1


class CheckFailed(PipelineError):
    """``--check`` found work to do, or quality checks found errors (exit 1, like diff)."""

    exit_code = 1


class PathError(PipelineError):
    """A path homelang refuses: a symbolic link, the wrong kind of file, or outside its folder."""


class StateError(PipelineError):
    """A state file homelang wrote (a manifest, a cache) that is damaged or was tampered with."""
