"""Exports that are safe to open in a spreadsheet.

A cell whose text starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading a formula) is run as a formula by Excel, LibreOffice and
Google Sheets when a CSV file is opened: a subscriber who signs up as `=HYPERLINK(...)` or
`=cmd|...` would run it on a staff member's computer (CSV injection). Such text is prefixed
with a single quote, which spreadsheets show as text and never run. Numbers, dates and other
values that are not text are left as they are.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """`value`, with a leading `'` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def safe_row(values: Any) -> list[Any]:
    """A row for `csv.writer`, every cell neutralised."""
    return [neutralise_formula(value) for value in values]


class FormulaSafeCSVExportMixin:
    """For Wagtail index views with `list_export`: their CSV cells are neutralised.

    Wagtail's XLSX export already stores such text as text (never as a formula); its CSV export
    writes cells as they are.
    """

    def write_csv_row(self, writer: Any, row_dict: dict[str, Any]) -> Any:
        return writer.writerow(
            {
                field: neutralise_formula(self.preprocess_field_value(field, value, "csv"))
                for field, value in row_dict.items()
            }
        )
