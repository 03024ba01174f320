"""``python -m wengert``: the same as the ``wengert`` command."""

from wengert.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
