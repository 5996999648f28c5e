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
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"
