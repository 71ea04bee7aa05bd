from __future__ import annotations

import pytest

from bustrack.gtfs.csvfile import REPORT_EVERY, read_table
from bustrack.gtfs.errors import FeedError


def rows(data: bytes) -> list[tuple[int, list[str]]]:
    return list(read_table("t.txt", data).rows())


def test_plain_lf_file_gives_rows_with_line_numbers() -> None:
    table = read_table("t.txt", b"a,b\n1,2\n3,4\n")
    assert table.columns == {"a": 0, "b": 1}
    assert list(table.rows()) == [(2, ["1", "2"]), (3, ["3", "4"])]


def test_bom_and_crlf_are_accepted() -> None:
    table = read_table("t.txt", "\ufeffid,name\r\n1,x\r\n2,y\r\n".encode())
    assert table.column("id") == 0
    assert list(table.rows()) == [(2, ["1", "x"]), (3, ["2", "y"])]


def test_cr_only_line_ends_are_accepted() -> None:
    assert rows(b"a,b\r1,2\r3,4\r") == [(2, ["1", "2"]), (3, ["3", "4"])]


def test_quoted_fields_keep_commas_quotes_and_line_breaks() -> None:
    data = b'id,name\n1,"Gate, North"\n2,"say ""hi""\nthere"\n3,last\n'
    assert rows(data) == [
        (2, ["1", "Gate, North"]),
        (3, ["2", 'say "hi"\nthere']),
        (5, ["3", "last"]),  # the quoted line break moved it one line down
    ]


def test_header_names_are_stripped_and_extra_columns_kept_out_of_the_way() -> None:
    table = read_table("t.txt", b" id , stop_lat,zone_id \n1,18.9,Z\n")
    assert table.require("id") == 0
    assert table.require("stop_lat") == 1
    assert table.column("zone_id") == 2
    assert table.column("missing") is None


def test_short_rows_are_padded_with_empty_fields() -> None:
    assert rows(b"a,b,c\n1\n1,2\n") == [(2, ["1", "", ""]), (3, ["1", "2", ""])]


def test_blank_lines_are_skipped_but_counted() -> None:
    data = b"\n\na,b\n1,2\n\n   \n,\n3,4\n\n\n"
    table = read_table("t.txt", data)
    assert table.columns == {"a": 0, "b": 1}
    assert list(table.rows()) == [(4, ["1", "2"]), (8, ["3", "4"])]


def test_empty_file_gives_an_empty_table() -> None:
    table = read_table("t.txt", b"")
    assert table.empty
    assert list(table.rows()) == []
    assert read_table("t.txt", b"\r\n\r\n").empty
    assert not read_table("t.txt", b"a\n").empty


def test_repeated_header_name_uses_the_first_column() -> None:
    table = read_table("t.txt", b"a,b,a\n1,2,3\n")
    assert table.column("a") == 0
    assert table.width == 3


def test_missing_required_column_names_file_and_column() -> None:
    table = read_table("stops.txt", b"stop_id,stop_lon\n")
    with pytest.raises(FeedError) as caught:
        table.require("stop_lat")
    assert str(caught.value) == "stops.txt: missing required column stop_lat"
    assert (caught.value.file, caught.value.line, caught.value.field) == (
        "stops.txt",
        None,
        "stop_lat",
    )


def test_invalid_utf8_is_located_at_its_line() -> None:
    data = b"id,name\n1,ok\n2,caf\xe9\n"
    with pytest.raises(FeedError) as caught:
        rows(data)
    assert str(caught.value) == "t.txt line 3: text is not UTF-8 (byte 0xe9 at offset 18)"


def test_unreadable_csv_is_a_feed_error() -> None:
    huge = b'id,name\n1,"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(FeedError, match=r"^t\.txt line 2: cannot be read as CSV: field larger"):
        rows(huge)


def test_rows_can_be_read_twice() -> None:
    table = read_table("t.txt", b"a\n1\n2\n")
    assert list(table.rows()) == list(table.rows()) == [(2, ["1"]), (3, ["2"])]


def test_report_follows_the_bytes_read_and_ends_at_the_size() -> None:
    data = b"a,b\n" + b"".join(b"%d,x\n" % i for i in range(3 * REPORT_EVERY + 5))
    table = read_table("t.txt", data)
    seen: list[int] = []
    table.report = seen.append
    assert sum(1 for _ in table.rows()) == 3 * REPORT_EVERY + 5
    assert len(seen) == 4  # every REPORT_EVERY rows, and once at the end
    assert seen == sorted(seen)
    assert 0 < seen[0] < len(data) / 2 and seen[0] < seen[1] < seen[2]
    assert seen[-1] == len(data)


def test_no_report_is_made_without_a_hook() -> None:
    table = read_table("t.txt", b"a\n1\n")
    assert table.report is None
    assert list(table.rows()) == [(2, ["1"])]
