from __future__ import annotations

from bustrack.gtfs.grouping import group_rows, order_rows


def test_contiguous_keys_give_ranges() -> None:
    assert group_rows([1, 1, 0, 0, 0, 2], 4) == [range(2, 5), range(0, 2), range(5, 6), range(0)]


def test_scattered_keys_give_lists_in_row_order() -> None:
    assert group_rows([0, 1, 0, 2, 1], 3) == [[0, 2], [1, 4], [3]]


def test_no_rows() -> None:
    assert group_rows([], 2) == [range(0), range(0)]


def test_rows_in_order_are_returned_as_is() -> None:
    rows = range(3)
    ordered, repeat = order_rows(rows, [1, 5, 9])
    assert ordered is rows and repeat is None


def test_rows_out_of_order_are_sorted() -> None:
    assert order_rows([0, 1, 2, 3], [30, 10, 40, 20]) == ([1, 3, 0, 2], None)


def test_a_repeated_sequence_number_is_found() -> None:
    ordered, repeat = order_rows([0, 1, 2], [2, 1, 2])
    assert ordered == [1, 0, 2]
    assert repeat == 2
