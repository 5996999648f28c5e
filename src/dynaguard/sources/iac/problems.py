"""Problems with an input file: it does not parse, or an inline suppression is malformed.

Each is one clear line with file and line. A problem never stops the scan of the other files;
``dynaguard iac`` exits 3 when it met one and nothing failed otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InputProblem:
    file: str
    line: int | None
    message: str
    kind: str = "parse"  # parse | suppression | input

    def describe(self) -> str:
        """``FILE:LINE: message`` on one line, printable and bounded (names and messages may
        come from a hostile file)."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return one_line(f"{where}: {self.message}")


def one_line(text: str, limit: int = 600) -> str:
    """Control and bidi characters (newlines, ESC) escaped; at most ``limit`` characters."""
    from dynaguard.sanitize import clean_line

    clean = clean_line(text[: limit * 2])
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"
