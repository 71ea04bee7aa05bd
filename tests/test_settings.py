from pathlib import Path

import pytest

from bustrack.settings import DEFAULT_GTFS, Settings, SettingsError, markdown_table, parse_settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_defaults() -> None:
    s = parse_settings([], environ={})
    assert (s.host, s.port, s.tick) == ("127.0.0.1", 8080, 1.0)
    assert s.gtfs == DEFAULT_GTFS
    assert (DEFAULT_GTFS / "stops.txt").is_file()
    assert "openstreetmap" in s.tile_url


def test_command_line_beats_environment_beats_default() -> None:
    env = {"BUSTRACK_PORT": "9000", "BUSTRACK_TICK": "0.5"}
    s = parse_settings(["--port", "9100"], environ=env)
    assert s.port == 9100
    assert s.tick == 0.5


def test_gtfs_flag_takes_a_path(tmp_path: Path) -> None:
    assert parse_settings(["--gtfs", str(tmp_path)], environ={}).gtfs == tmp_path


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "eighty"], "--port: 'eighty' is not a valid int"),
        (["--port", "70000"], "not a TCP port"),
        (["--tick", "0"], "must be > 0"),
        (["--tls-cert", "c.pem"], "must be given together"),
        (["--traffic", "maybe"], "not 'on' or 'off'"),
    ],
)
def test_bad_values_are_named(argv: list[str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        parse_settings(argv, environ={})


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="BUSTRACK_PORT"):
        parse_settings([], environ={"BUSTRACK_PORT": "x"})


def test_allowed_origins_are_split() -> None:
    s = Settings(allowed_origins="https://a.example, https://b.example/")
    assert s.origins == {"https://a.example", "https://b.example"}


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    for line in markdown_table().splitlines()[2:]:
        flag = line.split("|")[1].strip()
        assert flag in readme, f"{flag} is missing from README.md's settings table"


def test_cache_dir_follows_xdg_and_empty_disables(monkeypatch: pytest.MonkeyPatch) -> None:
    from bustrack.settings import _default_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/me")
    assert _default_cache_dir() == "/var/cache/me/bustrack"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", "/home/me")
    assert _default_cache_dir() == "/home/me/.cache/bustrack"
    assert parse_settings(["--cache-dir", ""], environ={}).cache_dir == ""
    assert parse_settings([], environ={"BUSTRACK_CACHE_DIR": "/c"}).cache_dir == "/c"
