"""``python -m bench.supervise FLAGS``: bustrack's ``--workers`` supervisor, for any N.

``python -m bustrack.web --workers N --redis URL`` supervises N web processes and a feeder
only when N > 1; with ``--workers 1`` it is one ``--role all`` process on Redis. The
benchmark compares 1 and 2 web processes beside a feeder, so this runs the very same
supervisor (:func:`bustrack.web.workers.run_workers`) whatever N is, with the flags given.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bustrack.logs import configure_logging
from bustrack.settings import SettingsError, parse_settings
from bustrack.web.workers import run_workers


def main(argv: Sequence[str] | None = None) -> int:
    """Parse bustrack's settings and supervise ``--workers`` web processes and a feeder."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = parse_settings(args)
    except SettingsError as err:
        print(f"bench.supervise: error: {err}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    return run_workers(args, settings)


if __name__ == "__main__":
    sys.exit(main())
