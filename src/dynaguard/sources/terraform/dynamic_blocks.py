"""Keep every block a ``dynamic`` block generates: a work-around for tfparse dropping one.

tfparse (0.6.x, ``getChildBlocks`` in its converter) tells the blocks a ``dynamic`` block
generated from the static ones by their line numbers, and keeps at most ``n - 1`` of the
``n`` generated blocks that start before the end of a static sibling. So a resource whose
``dynamic "replica"`` comes before a static block (``server_side_encryption``, ``timeouts``)
silently loses its last generated block: the terraform-aws-modules DynamoDB table module with
one replica region came out as "not a global table".

tfparse counts the ``for_each`` items of every ``dynamic`` block, also of one without
``content`` (which generates nothing). So one such block beside each ``dynamic`` block
(``dynamic "dynaguard_pad" { for_each = [1] }``) raises the count by one and nothing is
dropped. The user's files are never changed: the padded files are written to a scratch mirror
of the directories the module reads (symlinks for everything else), parsed there, and the
line numbers in the result are mapped back to the original files.
"""

from __future__ import annotations

import bisect
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from dynaguard.sources.terraform.expressions import mask

PAD = 'dynamic "dynaguard_pad" { for_each = [1] }'
_DYNAMIC_LINE = re.compile(r"^(\s*)dynamic\s+\"[^\"]+\"\s*\{")
_LOCAL_SOURCE = re.compile(r"""\bsource\s*=\s*"(\.{1,2}/[^"]*)\"""")

Parse = Callable[[Path, list[str]], Mapping[str, Any]]


def padded_text(text: str) -> tuple[str, list[int]]:
    """``text`` with a pad before every ``dynamic`` block, and the (1-based) line numbers the
    pads have in the new text."""
    masked = mask(text).split("\n")
    out: list[str] = []
    pads: list[int] = []
    for raw, hidden in zip(text.split("\n"), masked, strict=True):
        match = _DYNAMIC_LINE.match(raw)
        if match and hidden.lstrip().startswith("dynamic"):  # not in a heredoc or comment
            out.append(match.group(1) + PAD)
            pads.append(len(out))
        out.append(raw)
    return "\n".join(out), pads


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


class PaddedMirror:
    """A scratch copy of the directories a root module reads, with padded ``.tf`` files."""

    def __init__(self, root: Path, var_files: Iterable[str]) -> None:
        self.original_root = root
        self.dirs = _module_dirs(root)
        self.dirs |= {Path(os.path.normpath(root / f)).parent for f in var_files}
        self.anchor = Path(os.path.commonpath([str(d) for d in self.dirs]))
        self.pads: dict[Path, list[int]] = {}  # original file -> pad lines in its copy
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def needed(self) -> bool:
        """Whether any module file has a dynamic block (else tfparse reads the originals)."""
        return any(
            "dynamic" in p.read_text(encoding="utf-8", errors="replace")
            for d in self.dirs
            for p in d.glob("*.tf")
        )

    @property
    def root(self) -> Path:
        assert self._scratch is not None
        return Path(self._scratch.name) / self.original_root.relative_to(self.anchor)

    def __enter__(self) -> PaddedMirror:
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
                padded, pads = padded_text(text)
                copy.write_text(padded, encoding="utf-8")
                if pads:
                    self.pads[Path(os.path.normpath(entry))] = pads
            else:
                copy.symlink_to(entry, target_is_directory=entry.is_dir())

    def original_line(self, path: Path, line: int) -> int:
        """The line in the original file of ``line`` in its padded copy."""
        pads = self.pads.get(Path(os.path.normpath(path)))
        return line - bisect.bisect_left(pads, line) if pads else line

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


def parse_keeping_dynamic_blocks(
    root: Path, var_files: list[str], parse: Parse
) -> Mapping[str, Any]:
    """``parse(root, var_files)`` through a padded mirror when the module has dynamic blocks.
    A parse error is raised from the original files, so it names the user's lines."""
    mirror = PaddedMirror(root, var_files)
    if not mirror.needed():
        return parse(root, var_files)
    try:
        with mirror:
            return dict(mirror.restore(parse(mirror.root, var_files)))
    except Exception:  # the original parse raises the error to report, with its own lines
        return parse(root, var_files)
