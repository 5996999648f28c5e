"""Command-line interface: wiring only; the library does the work."""
