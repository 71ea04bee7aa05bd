"""``python -m bustrack.devices add|list|revoke``: the GPS units and phones allowed to send
positions to ``/api/ingest``, each with its own token.

    python -m bustrack.devices add bus-1234 --route BEST_10AS   # prints the token, once
    python -m bustrack.devices list
    python -m bustrack.devices revoke bus-1234

The devices live in the server's database (``--db``, as for ``python -m bustrack.web``: a
SQLite file or a ``postgresql://user:password@host/dbname`` URL; env ``BUSTRACK_DB``);
only a hash of each token is kept. Errors end with one line and exit status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bustrack.settings import default_db
from bustrack.store import SQLiteStore, StoreError, open_store

if TYPE_CHECKING:
    from bustrack.store.postgres import PostgresStore

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bustrack.devices", description="Manage the devices that send positions."
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("BUSTRACK_DB") or default_db(),
        help="the server's database: a SQLite file or a postgresql:// URL "
        "(default: %(default)s; env BUSTRACK_DB)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a device and print its token (shown only once)")
    add.add_argument("device", help="the device's id, as it sends it (e.g. the bus's number)")
    add.add_argument("--route", default="", help="bind it to this route_id of the feed")
    add.add_argument("--trip", default="", help="bind it to this trip_id of the feed")
    add.add_argument("--label", default="", help="a note for the operator")
    sub.add_parser("list", help="list the devices")
    revoke = sub.add_parser("revoke", help="revoke a device's token: it is refused from now on")
    revoke.add_argument("device")
    return parser


def _when(ts: float | None) -> str:
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        store = open_store(args.db)
    except StoreError as err:
        print(f"bustrack.devices: error: {err}", file=sys.stderr)
        return 2
    try:
        return _run(args, store, time.time())
    finally:
        store.close_now()


def _run(args: argparse.Namespace, store: SQLiteStore | PostgresStore, now: float) -> int:
    if args.command == "add":
        if not args.device.strip() or len(args.device) > 64 or args.device.startswith("sim/"):
            print(
                "bustrack.devices: error: a device id is 1 to 64 characters, not starting "
                "with sim/ (the simulated buses' history)",
                file=sys.stderr,
            )
            return 2
        try:
            token = store.add_device(
                args.device, now, route_id=args.route, trip_id=args.trip, label=args.label
            )
        except StoreError as err:
            print(f"bustrack.devices: error: {err}", file=sys.stderr)
            return 2
        print(f"added {args.device}; its token (shown only now, keep it secret):")
        print(token)
    elif args.command == "list":
        rows = [("device", "route", "trip", "label", "added", "revoked")]
        for d in store.list_devices():
            rows.append(
                (d.device, d.route_id, d.trip_id, d.label, _when(d.created), _when(d.revoked))
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    elif not store.revoke_device(args.device, now):
        print(f"bustrack.devices: error: no device {args.device!r} to revoke", file=sys.stderr)
        return 2
    else:
        print(f"revoked {args.device}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
