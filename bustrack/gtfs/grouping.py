"""Grouping the rows of a big table by key and ordering them by sequence number.

Pure; no I/O. Rows are kept column-wise in :mod:`array` arrays by the readers of
``stop_times.txt`` and ``shapes.txt``; these helpers work on row indices so that no
per-row object is ever built. Feeds usually list each trip's (or shape's) rows
together and in order: that case costs one pass and no sorting.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

__all__ = ["group_rows", "order_rows"]


def group_rows(keys: Sequence[int], groups: int) -> list[Sequence[int]]:
    """Return, for each key ``0..groups-1``, the indices of the rows having it.

    Args:
        keys: the key of each row, each in ``range(groups)``.
        groups: how many keys there are.

    Returns:
        One sequence of row indices per key, in row order (a ``range`` when the
        key's rows are contiguous, as they are in most feeds).
    """
    starts = [-1] * groups
    ends = [0] * groups
    previous = -1
    contiguous = True
    for i, key in enumerate(keys):
        if key != previous:
            if starts[key] != -1:
                contiguous = False
                break
            if previous != -1:
                ends[previous] = i
            starts[key] = i
            previous = key
    if contiguous:
        if previous != -1:
            ends[previous] = len(keys)
        return [range(s, e) if s != -1 else range(0) for s, e in zip(starts, ends, strict=True)]
    lists: list[list[int]] = [[] for _ in range(groups)]
    for i, key in enumerate(keys):
        lists[key].append(i)
    return list(lists)


def order_rows(rows: Sequence[int], sequence: Sequence[int]) -> tuple[Sequence[int], int | None]:
    """Sort row indices by their sequence number and find a repeated number.

    Args:
        rows: row indices of one group, in file order.
        sequence: the sequence number of every row of the table.

    Returns:
        The rows in sequence order (``rows`` itself when already in order; ties
        keep file order), and the index into the result of the first row whose
        number equals the previous row's, or None when all numbers differ.
    """
    values = [sequence[i] for i in rows]
    if all(a < b for a, b in pairwise(values)):
        return rows, None
    ordered = sorted(rows, key=sequence.__getitem__)
    values = [sequence[i] for i in ordered]
    for k in range(1, len(values)):
        if values[k] == values[k - 1]:
            return ordered, k
    return ordered, None
