"""Parse a Terraform root module through a scratch mirror holding rewritten copies.

The rewrites (``rewrites.py``) make tfparse keep every block a ``dynamic`` block generates and
know the values of the data sources every module reads. The user's files are never changed:
the rewritten ``.tf`` files are written to a scratch mirror of the directories the module
reads (the root, its local modules, the modules ``terraform init`` installed, the var files'
folders; symlinks for everything else, so ``file()`` and ``templatefile()`` still find their
files), parsed there, and every line number in the result is mapped back to the original file.
A parse error is raised from the original files, so it names the user's lines.
"""

from __future__ import annotations

import bisect
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from dynaguard.sources.iac.declared import UNKNOWN_REGION
from dynaguard.sources.terraform.rewrites import needs_rewrite, provider_region, rewritten

_LOCAL_SOURCE = re.compile(r"""\bsource\s*=\s*"(\.{1,2}/[^"]*)\"""")

Parse = Callable[[Path, list[str]], Mapping[str, Any]]


def blank(text: str, lines: frozenset[int]) -> str:
    """``text`` with the given lines (1-based) emptied: line numbers stay the same."""
    if not lines:
        return text
    return "\n".join(
        "" if number in lines else line for number, line in enumerate(text.split("\n"), 1)
    )


def _module_dirs(root: Path) -> set[Path]:
    """The root, the local modules it uses (transitively) and the modules ``terraform init``
    installed under ``.terraform/modules``."""
    found, pending = {root}, [root]
    installed = root / ".terraform" / "modules"
    if installed.is_dir():
        for dirpath, _, filenames in os.walk(installed):
            if any(n.endswith(".tf") for n in filenames):
                found.add(Path(dirpath))
                pending.append(Path(dirpath))
    while pending:
        directory = pending.pop()
        for path in sorted(directory.glob("*.tf")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for match in _LOCAL_SOURCE.finditer(text):
                target = Path(os.path.normpath(directory / match.group(1)))
                if target.is_dir() and target not in found:
                    found.add(target)
                    pending.append(target)
    return found


class ParseMirror:
    """A scratch copy of the directories a root module reads, with rewritten ``.tf`` files."""

    def __init__(
        self,
        root: Path,
        var_files: Iterable[str],
        blanked: Mapping[Path, frozenset[int]] | None = None,
    ) -> None:
        self.original_root = root
        self.blanked = dict(blanked or {})  # original file -> lines emptied in its copy
        self.dirs = _module_dirs(root)
        self.dirs |= {Path(os.path.normpath(root / f)).parent for f in var_files}
        self.anchor = Path(os.path.commonpath([str(d) for d in self.dirs]))
        self.inserted: dict[Path, list[int]] = {}  # original file -> lines added in its copy
        self.region = UNKNOWN_REGION  # the provider's, read when the mirror is made
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def needed(self) -> bool:
        """Whether a rewrite applies to any module file (else tfparse reads the originals)."""
        return bool(self.blanked) or any(
            needs_rewrite(p.read_text(encoding="utf-8", errors="replace"))
            for d in self.dirs
            for p in d.glob("*.tf")
        )

    @property
    def root(self) -> Path:
        assert self._scratch is not None
        return Path(self._scratch.name) / self.original_root.relative_to(self.anchor)

    def __enter__(self) -> ParseMirror:
        texts = [
            p.read_text(encoding="utf-8", errors="replace") for p in self.original_root.glob("*.tf")
        ]
        self.region = provider_region(texts) or UNKNOWN_REGION
        self._scratch = tempfile.TemporaryDirectory(prefix="dynaguard-tf-")
        ancestors = {a for d in self.dirs for a in (d, *d.parents) if a.is_relative_to(self.anchor)}
        for directory in sorted(ancestors):
            self._mirror_dir(directory, ancestors)
        return self

    def __exit__(self, *_: object) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()

    def _mirror_dir(self, directory: Path, ancestors: set[Path]) -> None:
        target = Path(self._scratch.name if self._scratch else "") / directory.relative_to(
            self.anchor
        )
        target.mkdir(parents=True, exist_ok=True)
        for entry in directory.iterdir():
            copy = target / entry.name
            if entry in ancestors or copy.exists():
                continue
            if directory in self.dirs and entry.name.endswith(".tf") and entry.is_file():
                text = entry.read_text(encoding="utf-8", errors="replace")
                text = blank(text, self.blanked.get(Path(os.path.normpath(entry)), frozenset()))
                new_text, inserted = rewritten(text, self.region)
                copy.write_text(new_text, encoding="utf-8")
                if inserted:
                    self.inserted[Path(os.path.normpath(entry))] = inserted
            else:
                copy.symlink_to(entry, target_is_directory=entry.is_dir())

    def original_line(self, path: Path, line: int) -> int:
        """The line in the original file of ``line`` in its rewritten copy."""
        inserted = self.inserted.get(Path(os.path.normpath(path)))
        return line - bisect.bisect_left(inserted, line) if inserted else line

    def restore(self, value: Any) -> Any:
        """tfparse's result with line numbers mapped back to the original files."""
        if isinstance(value, list):
            return [self.restore(v) for v in value]
        if not isinstance(value, Mapping):
            return value
        out = {k: self.restore(v) for k, v in value.items() if k != "__tfmeta"}
        meta = value.get("__tfmeta")
        if isinstance(meta, Mapping):
            meta = dict(meta)
            path = self.original_root / str(meta.get("filename", ""))
            for key in ("line_start", "line_end"):
                if isinstance(meta.get(key), int):
                    meta[key] = self.original_line(path, meta[key])
            out["__tfmeta"] = meta
        return out


def parse_through_mirror(
    root: Path,
    var_files: list[str],
    parse: Parse,
    blanked: Mapping[Path, frozenset[int]] | None = None,
) -> Mapping[str, Any]:
    """``parse(root, var_files)`` through a mirror when a rewrite applies to the module
    (``blanked``: lines to empty per file, see ``unexpanded.py``). A parse error is raised
    from the original files, so it names the user's lines."""
    mirror = ParseMirror(root, var_files, blanked)
    if not mirror.needed():
        return parse(root, var_files)
    try:
        with mirror:
            return dict(mirror.restore(parse(mirror.root, var_files)))
    except Exception:  # the original parse raises the error to report, with its own lines
        return parse(root, var_files)
