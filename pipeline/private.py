"""Where family data may be written: folders no publishing step and no ``git add`` reach.

Letters hold names and addresses. Their folder must not be one ``build`` publishes
into (its language folders, review packets, the index beside them), and inside a git
work tree git must report it as ignored, whatever ``build_dir`` says: ``build_dir =
"public"``, or a ``build/`` symlinked into a tracked folder, would let ``git add -A``
pick the letters up. Letters are written readable by their owner only.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.errors import SettingsError
from pipeline.settings import Settings

#: Letters are readable by their owner only.
FILE_MODE = 0o600
#: The folder ``review export`` writes packets to, under the build folder.
REVIEW = "review"


def check_folder(settings: Settings, folder: Path) -> None:
    """Raise :class:`SettingsError` unless ``folder`` is a private place for family data."""
    target = folder.resolve()
    build = settings.build_path.resolve()
    published = [build / code for code in (settings.source_language, *settings.languages)]
    if target == build or any(target.is_relative_to(p) for p in [*published, build / REVIEW]):
        raise SettingsError(
            "letters hold family data: not in a folder that build publishes into "
            f"(choose {settings.build_dir}/private/ or a folder outside the project)",
            folder,
        )
    inside = target.is_relative_to(settings.root.resolve())
    if inside and not target.is_relative_to(build):
        raise SettingsError(
            f"letters hold family data: write them under {settings.build_dir}/ (git-ignored) "
            "or outside the project, not where git could commit them",
            folder,
        )
    if git_ignores(target) is False:
        raise SettingsError(
            "letters hold family data: git does not ignore this folder, so 'git add' would "
            "commit them (add it to .gitignore, or choose a folder git ignores)",
            folder,
        )


def git_ignores(target: Path) -> bool | None:
    """Whether git ignores the (resolved) path ``target``; None outside any git work tree."""
    probe = next(p for p in (target, *target.parents) if p.is_dir())
    try:
        top = subprocess.run(
            ["git", "-C", str(probe), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:  # no git here: a work tree still shows by its .git
        if any((p / ".git").exists() for p in (probe, *probe.parents)):
            raise SettingsError(
                "letters hold family data: git is not installed, so whether git ignores "
                "this folder cannot be checked",
                target,
            ) from None
        return None
    if top.returncode != 0 or not top.stdout.strip():
        return None
    root = Path(top.stdout.strip()).resolve()
    if not target.is_relative_to(root):
        return None
    ignored = subprocess.run(
        ["git", "-C", str(root), "check-ignore", "-q", target.relative_to(root).as_posix() + "/"],
        capture_output=True,
        check=False,
    )
    return ignored.returncode == 0
