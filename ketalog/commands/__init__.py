"""The commands: one module per family (`log`, `entries`, `survey`, `report`, `data`).

Every command lives the same short life, and nothing else happens in it:

1. **parse** — Typer turns arguments into Python values; options are declared in ``common``;
2. **validate** — raw text goes through ``validation``/``entry_fields``/``timeparse``, which raise
   ``InputError`` (exit 2) before anything is opened or written;
3. **store / engine** — one call into ``store`` (every SQL statement) and, for analysis, the pure
   ``progress`` engine;
4. **render** — text from ``render/`` (Rich only where a table needs it), or JSON with ``--json``;
5. **one exit point** — errors propagate to ``cli.KetalogGroup.invoke``, which prints one line
   and picks the exit code.

Each module exposes ``COMMANDS`` (name -> function) or a ``commands`` Typer group, listed in
``cli.LAZY_COMMANDS`` so it is imported only when run. A command module never imports another
command module, and imports nothing heavy (Rich, sqlite-utils, the engine) at module level.
"""
