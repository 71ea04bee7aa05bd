"""bustrack's settings, declared once.

Each setting is a field of :class:`Settings` with its default and help text. The
command line (``--name``), the environment (``BUSTRACK_NAME``), the README's table
(``python -m bustrack.settings``) and the tests all derive from that one table.
Precedence: command line, then environment, then default.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bustrack.peers import parse_networks

__all__ = [
    "DEFAULT_GTFS",
    "ENV_PREFIX",
    "Settings",
    "SettingsError",
    "build_parser",
    "default_db",
    "markdown_table",
    "parse_settings",
]

ENV_PREFIX = "BUSTRACK_"
DEFAULT_GTFS = Path(__file__).parent / "data" / "mumbai-best-gtfs"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def _default_cache_dir() -> str:
    """Return ``$XDG_CACHE_HOME/bustrack``, or ``~/.cache/bustrack`` (XDG Base Directory)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the spec says to ignore a relative path
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "bustrack")


def default_db() -> str:
    """Return ``$XDG_DATA_HOME/bustrack/bustrack.db``, or under ``~/.local/share``."""
    base = os.environ.get("XDG_DATA_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "bustrack", "bustrack.db")


def _setting(default: Any, help: str, *, shown: str | None = None, repeat: bool = False) -> Any:
    # repeat: the flag may be given several times; the values are joined with commas
    # (as the environment variable gives them).
    return field(default=default, metadata={"help": help, "shown": shown, "repeat": repeat})


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything an operator can set. Construct directly in tests."""

    host: str = _setting("127.0.0.1", "Address to listen on (0.0.0.0 for all interfaces).")
    port: int = _setting(8080, "TCP port to listen on.")
    gtfs: Path = _setting(
        DEFAULT_GTFS,
        "GTFS Schedule feed to run: a folder or a .zip.",
        shown="the bundled Mumbai BEST feed",
    )
    tick: float = _setting(1.0, "Seconds between position updates.")
    source: str = _setting(
        "sim",
        "'sim' simulates every trip of the feed beside the real buses that report to "
        "/api/ingest; 'none' shows only the real ones.",
    )
    start_time: str = _setting(
        "",
        "Run the simulation from this service time (HH:MM or HH:MM:SS) instead of "
        "the real time of day in the feed's timezone.",
    )
    service_date: str = _setting(
        "",
        "Run the timetable of this date (YYYY-MM-DD) instead of today's in the feed's "
        "timezone; with --start-time the simulated moment no longer depends on the real one. "
        "Without it, a feed whose calendar has ended (or not begun) runs its nearest day "
        "of today's weekday, and says so.",
    )
    traffic: str = _setting(
        "on",
        "Simulated traffic: 'on' makes runs start late, slow down at the peaks and in a "
        "few slow zones, and dwell longer at busy stops; 'off' keeps every bus to the "
        "timetable.",
    )
    tile_url: str = _setting(OSM_TILES, "Map tile URL template for Leaflet.")
    tile_attribution: str = _setting(OSM_ATTRIBUTION, "HTML attribution shown for the tiles.")
    basemap: str = _setting(
        "",
        "Your own basemap: a Protomaps PMTiles (v3, vector) file the app serves at "
        "/basemap.pmtiles and the page draws instead of --tile-url's tiles (see README, "
        "'Your own basemap'). Empty: --tile-url.",
    )
    allowed_origins: str = _setting(
        "",
        "Comma-separated extra origins (scheme://host[:port]) allowed to open /ws; "
        "the page's own origin is always allowed. '*' allows any.",
    )
    public_url: str = _setting(
        "",
        "The page's public address (scheme://host[:port]) as browsers open it, e.g. behind "
        "a proxy; /ws admits pages of this origin. Empty: the address the server listens "
        "on, as connections reach it (never the Host header a client sends).",
    )
    tls_cert: str = _setting("", "PEM certificate file: serve https:// and wss://.")
    tls_key: str = _setting("", "PEM private key file for --tls-cert.")
    heartbeat: float = _setting(20.0, "Seconds between WebSocket pings; a silent peer is closed.")
    compression: str = _setting(
        "on",
        "Per-message deflate on /ws for clients that offer it (browsers do): 'on' sends "
        "them the bus frames compressed, each channel's part compressed once per tick for "
        "everybody; 'off' sends every frame as it is.",
    )
    stuck_timeout: float = _setting(
        30.0, "Seconds a client may stay unable to receive before it is closed."
    )
    gtfs_rt_vehicles: str = _setting(
        "",
        "GTFS-realtime VehiclePositions feed URL to take real buses from (repeat the flag, "
        "or separate URLs with commas, for several).",
        repeat=True,
    )
    gtfs_rt_trip_updates: str = _setting(
        "",
        "GTFS-realtime TripUpdates feed URL whose predictions are blended into the arrivals "
        "(repeatable, or comma-separated).",
        repeat=True,
    )
    gtfs_rt_alerts: str = _setting(
        "",
        "GTFS-realtime Alerts feed URL whose alerts are shown on the page for the routes and "
        "stops they name and passed on at /gtfs-rt/alerts.pb (repeatable, or comma-separated).",
        repeat=True,
    )
    gtfs_rt_poll: float = _setting(
        15.0, "Seconds between two fetches of each GTFS-realtime feed (backing off on errors)."
    )
    client_message_rate: float = _setting(
        5.0,
        "Messages a second each /ws client may send on average (subscribe, ping, anything); "
        "past the burst and this rate it is closed with 1008.",
    )
    client_message_burst: int = _setting(
        30, "Messages a /ws client may send at once before --client-message-rate applies."
    )
    max_connections: int = _setting(
        20000, "WebSockets open at once, in all; past it a new one is closed with 1013."
    )
    max_connections_per_ip: int = _setting(
        200,
        "WebSockets open at once from one client address; past it a new one is closed with "
        "1013. Phones behind a carrier's NAT share addresses: keep it well above one.",
    )
    http_rate: float = _setting(
        20.0,
        "Requests a second one client address may make to /api/* and /gtfs-rt/* on average "
        "(past --http-burst and this rate: 429 with Retry-After).",
    )
    http_burst: int = _setting(200, "Requests one client address may make at once.")
    idle_timeout: float = _setting(
        15.0,
        "Seconds a connection may take to send a request's headers, or stay idle between "
        "requests, before it is closed (slow or half-open clients).",
    )
    trusted_proxies: str = _setting(
        "",
        "Addresses or CIDR blocks of reverse proxies whose X-Forwarded-For names the client "
        "(comma-separated); requests from anyone else are judged by their own address.",
    )
    stale_after: float = _setting(
        60.0,
        "Seconds without a report after which a bus is shown greyed with its age, and its "
        "arrivals fall back to the timetable.",
    )
    drop_after: float = _setting(
        180.0, "Seconds without a report after which a bus is removed from the map."
    )
    dropout_rate: float = _setting(
        0.03,
        "Simulation: share of runs whose AVL unit goes silent once for 30 s to 7 min (0 disables).",
    )
    log_level: str = _setting("INFO", "Logging level (DEBUG, INFO, WARNING, ERROR).")
    log_format: str = _setting(
        "text",
        "'text': one readable line per record; 'json': one JSON object per line (time, level, "
        "logger, message, and exception when there is a traceback), for log collectors.",
    )
    metrics_port: int = _setting(
        0,
        "TCP port serving Prometheus /metrics, apart from the public port (0: no metrics).",
    )
    metrics_host: str = _setting(
        "127.0.0.1", "Address the --metrics-port listens on (keep it private: firewall it)."
    )
    ready_source_age: float = _setting(
        60.0,
        "Seconds since a GTFS-realtime feed in last answered after which /readyz answers 503 "
        "(must be more than --gtfs-rt-poll).",
    )
    db: str = _setting(
        "",
        "Database keeping what bustrack is told: the positions devices send "
        "(committed before /api/ingest answers) and the devices allowed to send them "
        "(python -m bustrack.devices). A file path is a SQLite file; "
        "postgresql://user:password@host:port/dbname uses that PostgreSQL database "
        "(reports partitioned by day; old days dropped whole).",
        shown="$XDG_DATA_HOME/bustrack/bustrack.db, else ~/.local/share/bustrack/bustrack.db",
    )
    history: str = _setting(
        "on",
        "'on' stores the simulated buses' positions too (every 10 s), so that history "
        "works without real buses; 'off' stores only what real sources report.",
    )
    keep_days: float = _setting(
        30.0, "Days of position reports kept in --db; older ones are deleted every hour."
    )
    cache_dir: str = _setting(
        _default_cache_dir(),
        "Folder keeping built feeds, so a restart with the same feed skips the parsing "
        "(entries are keyed by the feed's content); empty disables the cache.",
        shown="$XDG_CACHE_HOME/bustrack, else ~/.cache/bustrack",
    )
    role: str = _setting(
        "all",
        "What this process does: 'feeder' runs the sources (simulation, GTFS-realtime in, "
        "reports from --redis's ingest stream) and publishes each tick to --redis; 'web' "
        "serves the page, /ws, /api and /gtfs-rt from --redis's ticks; 'all' does both "
        "(alone, with no --redis, as one self-contained process).",
    )
    redis: str = _setting(
        "",
        "Redis URL (redis://host:port/db) of the broker between feeders and web processes; "
        "empty: the in-process broker (one process, nothing to install). Needed by "
        "--role feeder|web and --workers.",
    )
    workers: int = _setting(
        0,
        "Web processes serving --port together (SO_REUSEPORT), supervised by this one; "
        "with --role all, one feeder process besides. Needs --redis. 0: this process "
        "serves by itself.",
    )
    reuse_port: bool = _setting(
        False,
        "Listen on --port with SO_REUSEPORT, beside other processes on the same port "
        "(--workers sets it for its web processes).",
    )
    feeder_lock_ttl: float = _setting(
        5.0,
        "Seconds the active feeder's Redis lock lasts unless renewed: a standby feeder "
        "takes over this long after the active one dies.",
    )

    @property
    def feeds_in(self) -> tuple[str, ...]:
        """The GTFS-realtime VehiclePositions URLs to poll."""
        return _urls(self.gtfs_rt_vehicles)

    @property
    def trip_updates_in(self) -> tuple[str, ...]:
        """The GTFS-realtime TripUpdates URLs to poll."""
        return _urls(self.gtfs_rt_trip_updates)

    @property
    def alerts_in(self) -> tuple[str, ...]:
        """The GTFS-realtime Alerts URLs to poll."""
        return _urls(self.gtfs_rt_alerts)

    @property
    def origins(self) -> frozenset[str]:
        """The extra allowed origins as a set (``*`` included as is)."""
        return frozenset(
            o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()
        )


class SettingsError(ValueError):
    """A setting's value could not be understood."""


def _fields() -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(Settings)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def _convert(f: dataclasses.Field[Any], raw: str, source: str) -> Any:
    kind: type[Any] = type(f.default)
    try:
        if kind is bool:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if issubclass(kind, Path):
            return Path(raw).expanduser()
        return kind(raw)
    except ValueError:
        raise SettingsError(f"{source}: {raw!r} is not a valid {kind.__name__}") from None


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser, one ``--flag`` per setting."""
    parser = argparse.ArgumentParser(
        prog="python -m bustrack.web",
        description="Serve live bus positions on a Leaflet map and a /ws WebSocket.",
    )
    for f in _fields():
        shown = f.metadata["shown"] or f.default
        parser.add_argument(
            _flag(f.name),
            dest=f.name,
            default=None,
            action="append" if f.metadata["repeat"] else "store",
            metavar=f.name.upper(),
            help=f"{f.metadata['help']} (default: {shown}; env {_env_name(f.name)})",
        )
    return parser


def parse_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build :class:`Settings` from command-line arguments and environment variables.

    Raises:
        SettingsError: a value has the wrong type.
        SystemExit: argparse rejected the command line (it prints why).
    """
    environ = os.environ if environ is None else environ
    args = build_parser().parse_args(argv)
    values: dict[str, Any] = {}
    for f in _fields():
        raw = getattr(args, f.name)
        if isinstance(raw, list):
            raw = ",".join(raw)
        source = _flag(f.name)
        if raw is None and _env_name(f.name) in environ:
            raw = environ[_env_name(f.name)]
            source = _env_name(f.name)
        if raw is not None:
            values[f.name] = _convert(f, raw, source)
    settings = Settings(**values)
    if bool(settings.tls_cert) != bool(settings.tls_key):
        raise SettingsError("--tls-cert and --tls-key must be given together")
    if settings.tick <= 0:
        raise SettingsError(f"--tick: {settings.tick} must be > 0")
    if not 0 <= settings.dropout_rate <= 1:
        raise SettingsError(f"--dropout-rate: {settings.dropout_rate} is not between 0 and 1")
    if not 0 < settings.stale_after <= settings.drop_after:
        raise SettingsError("--stale-after must be > 0 and at most --drop-after")
    if settings.gtfs_rt_poll <= 0:
        raise SettingsError(f"--gtfs-rt-poll: {settings.gtfs_rt_poll} must be > 0")
    for flag, urls in (
        ("--gtfs-rt-vehicles", settings.feeds_in),
        ("--gtfs-rt-trip-updates", settings.trip_updates_in),
        ("--gtfs-rt-alerts", settings.alerts_in),
    ):
        for url in urls:
            if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
                raise SettingsError(f"{flag}: {url!r} is not an http(s) URL")
    if settings.history not in {"on", "off"}:
        raise SettingsError(f"--history: {settings.history!r} is not 'on' or 'off'")
    if settings.source not in {"sim", "none"}:
        raise SettingsError(f"--source: {settings.source!r} is not 'sim' or 'none'")
    if settings.traffic not in {"on", "off"}:
        raise SettingsError(f"--traffic: {settings.traffic!r} is not 'on' or 'off'")
    if settings.compression not in {"on", "off"}:
        raise SettingsError(f"--compression: {settings.compression!r} is not 'on' or 'off'")
    if settings.service_date:
        try:
            dt.date.fromisoformat(settings.service_date)
        except ValueError:
            raise SettingsError(
                f"--service-date: {settings.service_date!r} is not a date as YYYY-MM-DD"
            ) from None
    if settings.client_message_rate <= 0 or settings.client_message_burst < 1:
        raise SettingsError("--client-message-rate must be > 0 and --client-message-burst >= 1")
    if settings.max_connections < 1 or settings.max_connections_per_ip < 1:
        raise SettingsError("--max-connections and --max-connections-per-ip must be >= 1")
    if settings.idle_timeout <= 0:
        raise SettingsError(f"--idle-timeout: {settings.idle_timeout} must be > 0")
    if settings.http_rate <= 0 or settings.http_burst < 1:
        raise SettingsError("--http-rate must be > 0 and --http-burst >= 1")
    try:
        parse_networks(settings.trusted_proxies)
    except ValueError as err:
        raise SettingsError(f"--trusted-proxies: {err}") from None
    if settings.public_url and not _is_origin(settings.public_url):
        raise SettingsError(
            f"--public-url: {settings.public_url!r} is not scheme://host[:port] "
            "(http or https, no path)"
        )
    if not 0 <= settings.port <= 65535:
        raise SettingsError(f"--port: {settings.port} is not a TCP port (0-65535)")
    if not 0 <= settings.metrics_port <= 65535:
        raise SettingsError(f"--metrics-port: {settings.metrics_port} is not a TCP port (0-65535)")
    if settings.log_format not in {"text", "json"}:
        raise SettingsError(f"--log-format: {settings.log_format!r} is not 'text' or 'json'")
    if settings.ready_source_age <= settings.gtfs_rt_poll:
        raise SettingsError("--ready-source-age must be more than --gtfs-rt-poll")
    if settings.role not in {"all", "feeder", "web"}:
        raise SettingsError(f"--role: {settings.role!r} is not 'all', 'feeder' or 'web'")
    if settings.workers < 0:
        raise SettingsError(f"--workers: {settings.workers} must be >= 0")
    if not settings.redis and (settings.role != "all" or settings.workers > 0):
        what = f"--role {settings.role}" if settings.role != "all" else "--workers"
        raise SettingsError(f"{what} needs --redis (the broker between processes)")
    if settings.redis and urllib.parse.urlsplit(settings.redis).scheme not in {
        "redis",
        "rediss",
        "unix",
    }:
        raise SettingsError(f"--redis: {settings.redis!r} is not a redis:// URL")
    if settings.feeder_lock_ttl <= settings.tick:
        raise SettingsError("--feeder-lock-ttl must be more than --tick")
    return settings


def _is_origin(url: str) -> bool:
    parts = urllib.parse.urlsplit(url.rstrip("/"))
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and not parts.path


def markdown_table() -> str:
    """Return the settings as a Markdown table for README.md."""
    rows = ["| Flag | Environment | Default | What it does |", "|---|---|---|---|"]
    for f in _fields():
        if f.metadata["shown"]:
            shown_text = f.metadata["shown"]
        elif f.default == "":
            shown_text = "(empty)"
        else:
            shown_text = f"`{f.default}`".replace("|", "\\|")
        rows.append(
            f"| `{_flag(f.name)}` | `{_env_name(f.name)}` | {shown_text} | {f.metadata['help']} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())


def _urls(joined: str) -> tuple[str, ...]:
    """The URLs of a repeatable URL setting (joined with commas)."""
    return tuple(u.strip() for u in joined.split(",") if u.strip())
