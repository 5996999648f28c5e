"""Run the patched emulator in its own process: ``python -m dynaguard.emulator.serve [--port P]``.

Prints ``http://127.0.0.1:<port>`` on the first line of stdout once it answers, then serves until
stopped (SIGTERM / Ctrl-C). Benchmarks use it so the emulator's CPU is not the scanner's: a scan
in one process and moto in another, as a client and AWS are.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from dynaguard.emulator.server import start_emulator


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with start_emulator(port=args.port) as emulator:
        print(emulator.endpoint_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    sys.exit(0)


if __name__ == "__main__":
    main()
