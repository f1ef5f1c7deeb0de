"""Reading and writing the back office's Excel files (openpyxl), for any register that describes
its sheet as a list of `Column`s (venues and facilities do).

The sheet is a data-exchange contract, so each column has a fixed Chinese header (`zh`, what the
template and a Chinese export carry) besides its translatable English label; an import accepts
either, with or without the "*" that marks required columns, in any order, and ignores columns it
does not know (an export's read-only columns such as the county name). Choice cells accept the
stored code, the English label or a Chinese name (`Choice.zh` plus common synonyms).

Reading refuses, before looking at rows, anything that is not an .xlsx workbook (by content: a
ZIP that openpyxl can open), larger than MAX_BYTES, or with more than MAX_ROWS data rows."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from sportsplatform.venues.domain.imports import ImportRow

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookError(Exception):
    """The file as a whole cannot be read (not a workbook, too big, no header...)."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


class CellError(ValueError):
    pass


def chinese_ui() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


# --- columns --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # key in ImportRow.values; "id" is the row's ID
    label: Any  # gettext_lazy English label
    zh: str  # the fixed Chinese header
    parse: Callable[[Any], Any] | None = None  # cell → value, or CellError; None: export only
    export: Callable[[Any], Any] | None = None  # object → cell value
    required: bool = False
    width: int = 14
    help: Any = ""
    example: Any = None
    aliases: tuple[str, ...] = ()

    @property
    def importable(self) -> bool:
        return self.parse is not None

    def header(self) -> str:
        text = self.zh if chinese_ui() else str(self.label)
        return f"{text}*" if self.required else text

    def names(self) -> set[str]:
        with translation.override("en"):
            english = str(self.label)
        return {normalise_header(n) for n in (self.zh, english, str(self.label), self.key, *self.aliases)}


def normalise_header(text) -> str:
    text = str(text or "").strip().lower()
    text = text.replace("（", "(").replace("）", ")").replace("＊", "*").replace("㎡", "m²")
    return re.sub(r"[\s*]", "", text)


# --- cell parsers -----------------------------------------------------------------------------


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(max_length: int, *, required: bool = False) -> Callable[[Any], str]:
    def parse(value) -> str:
        if blank(value):
            if required:
                raise CellError(_("This column is required."))
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number typed as a number
        result = " ".join(str(value).split()) if max_length <= 255 else str(value).strip()
        if len(result) > max_length:
            raise CellError(_("At most %(max)s characters.") % {"max": max_length})
        return result

    return parse


def decimal(
    *, places: int = 1, minimum: Decimal | None = Decimal(0), maximum: Decimal | None = None, required: bool = False
) -> Callable[[Any], Decimal | None]:
    def parse(value) -> Decimal | None:
        if blank(value):
            if required:
                raise CellError(_("This column is required."))
            return None
        if isinstance(value, bool):
            raise CellError(_("Enter a number."))
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise CellError(_("Enter a number.")) from None
        if not number.is_finite():
            raise CellError(_("Enter a number."))
        if minimum is not None and number < minimum:
            raise CellError(_("Cannot be negative.") if minimum == 0 else _("At least %(min)s.") % {"min": minimum})
        if maximum is not None and number > maximum:
            raise CellError(_("At most %(max)s.") % {"max": maximum})
        return number.quantize(Decimal(1).scaleb(-places))

    return parse


def integer(*, minimum: int | None = 0, maximum: int | None = None) -> Callable[[Any], int | None]:
    def parse(value) -> int | None:
        if blank(value):
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise CellError(_("Enter a whole number.")) from None
        if isinstance(value, bool) or not number.is_finite() or number != number.to_integral_value():
            raise CellError(_("Enter a whole number."))
        number = int(number)
        if minimum is not None and number < minimum:
            raise CellError(_("At least %(min)s.") % {"min": minimum})
        if maximum is not None and number > maximum:
            raise CellError(_("At most %(max)s.") % {"max": maximum})
        return number

    return parse


def row_id(value) -> int | None:
    return integer(minimum=1)(value)


def region_code(value) -> str:
    if blank(value):
        raise CellError(_("This column is required."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", str(value))
    if not match:
        raise CellError(_("Give the six-digit division code (e.g. 510107)."))
    return match.group(1)


_TRUE = {"1", "y", "yes", "true", "是", "√", "✓", "对", "已发布", "发布"}
_FALSE = {"0", "n", "no", "false", "否", "×", "✗", "未发布", "不发布"}


def boolean(*, default: bool) -> Callable[[Any], bool]:
    def parse(value) -> bool:
        if blank(value):
            return default
        if isinstance(value, bool):
            return value
        key = str(value).strip().lower()
        if isinstance(value, int | float):
            key = str(int(value))
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise CellError(_("Write %(yes)s or %(no)s.") % {"yes": yes_no(True), "no": yes_no(False)})

    return parse


def day(value) -> date | None:
    if blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text_value = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text_value)
    except ValueError:
        raise CellError(_("Write the date as YYYY-MM-DD.")) from None


@dataclass(frozen=True)
class Choice:
    """The accepted spellings of one stored code."""

    code: str
    label: Any  # the model's lazy label
    zh: str
    synonyms: tuple[str, ...] = ()

    def display(self) -> str:
        return self.zh if chinese_ui() else str(self.label)


def _choice_lookup(choices: Iterable[Choice]) -> dict[str, str]:
    lookup = {}
    for choice in choices:
        with translation.override("en"):
            english = str(choice.label)
        for name in (choice.code, english, str(choice.label), choice.zh, *choice.synonyms):
            lookup[normalise_header(name)] = choice.code
    return lookup


def choice(choices: list[Choice], *, required: bool = False, what: str = "") -> Callable[[Any], str]:
    def parse(value) -> str:
        if blank(value):
            if required:
                raise CellError(_("This column is required."))
            return ""
        code = _choice_lookup(choices).get(normalise_header(value))
        if code is None:
            raise CellError(
                _("Unknown value %(value)s; use one of: %(allowed)s.")
                % {"value": value, "allowed": "、".join(c.display() for c in choices)}
            )
        return code

    return parse


_SEPARATORS = re.compile(r"[、,，;；/|\n]+")


def split_list(value) -> list[str]:
    if blank(value):
        return []
    return [part.strip() for part in _SEPARATORS.split(str(value)) if part.strip()]


def multi_choice(choices: list[Choice]) -> Callable[[Any], list[str]]:
    def parse(value) -> list[str]:
        lookup = _choice_lookup(choices)
        codes, unknown = [], []
        for part in split_list(value):
            code = lookup.get(normalise_header(part))
            if code is None:
                unknown.append(part)
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise CellError(
                _("Unknown: %(unknown)s; use: %(allowed)s.")
                % {"unknown": "、".join(unknown), "allowed": "、".join(c.display() for c in choices)}
            )
        return codes

    return parse


def display_choices(choices: list[Choice], codes) -> str:
    by_code = {c.code: c for c in choices}
    if isinstance(codes, str):
        codes = [codes] if codes else []
    return "、".join(by_code[c].display() if c in by_code else str(c) for c in codes or [])


def yes_no(value: bool) -> str:
    if chinese_ui():
        return "是" if value else "否"
    return "yes" if value else "no"


# --- reading ------------------------------------------------------------------------------------


def _open(upload):
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    if size > MAX_BYTES:
        raise WorkbookError(_("The file is larger than %(max)s MB.") % {"max": MAX_BYTES // (1024 * 1024)})
    data = upload.read()
    upload.seek(0)
    if not data.startswith(b"PK\x03\x04"):
        raise WorkbookError(_("This is not an Excel .xlsx file. Save it as “Excel Workbook (*.xlsx)” and try again."))
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise WorkbookError(
            _("This is not an Excel .xlsx file. Save it as “Excel Workbook (*.xlsx)” and try again.")
        ) from None


@dataclass
class ParsedSheet:
    rows: list[ImportRow] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)  # the importable columns the file has


def read_rows(upload, columns: list[Column]) -> ParsedSheet:
    """Parse the first worksheet: header row (any of the first 10 rows), then one ImportRow per
    non-empty row, numbered as Excel numbers them, each with its cell errors."""
    workbook = _open(upload)
    try:
        sheet = workbook.worksheets[0]
        by_name = {}
        for column in columns:
            if column.importable:
                for name in column.names():
                    by_name[name] = column
        rows = sheet.iter_rows(values_only=True)
        header_at, mapping = None, {}
        for number, values in enumerate(rows, start=1):
            candidate = {
                i: by_name[normalise_header(v)] for i, v in enumerate(values or ()) if normalise_header(v) in by_name
            }
            if candidate:
                header_at, mapping = number, candidate
                break
            if number >= 10:
                break
        if header_at is None:
            raise WorkbookError(_("No header row found: use the template's column titles in the first row."))
        present = {c.key for c in mapping.values()}
        missing = [c for c in columns if c.required and c.key not in present]
        if missing:
            raise WorkbookError(
                _("Missing required columns: %(columns)s.") % {"columns": "、".join(c.header() for c in missing)}
            )
        seen_keys = [c.key for c in mapping.values()]
        duplicated = {k for k in seen_keys if seen_keys.count(k) > 1}
        if duplicated:
            raise WorkbookError(
                _("Columns appear twice: %(columns)s.")
                % {"columns": "、".join(c.header() for c in columns if c.key in duplicated)}
            )
        parsed = ParsedSheet(columns=[c for c in columns if c.key in present])
        for number, values in enumerate(rows, start=header_at + 1):
            values = values or ()
            cells = {column: values[i] if i < len(values) else None for i, column in mapping.items()}
            if all(blank(v) for v in cells.values()):
                continue
            if len(parsed.rows) >= MAX_ROWS:
                raise WorkbookError(_("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS})
            row = ImportRow(number=number)
            for column, value in cells.items():
                try:
                    result = column.parse(value)
                except CellError as exc:
                    row.add_error(column.key, str(exc))
                    continue
                if column.key == "id":
                    row.id = result
                else:
                    row.values[column.key] = result
            parsed.rows.append(row)
        return parsed
    finally:
        workbook.close()


# --- writing ------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1D4ED8")
_REQUIRED_FILL = PatternFill("solid", fgColor="B91C1C")


def _safe(value):
    """Cell values as data, never formulas: openpyxl stores a string starting with "=" as a
    formula, which a spreadsheet would run (CSV/formula injection)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def write_sheet(sheet, columns: list[Column], rows: Iterable[list[Any]]) -> None:
    sheet.append([c.header() for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for values in rows:
        sheet.append([_safe(v) for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"


def write_help_sheet(sheet, columns: list[Column], notes: list[str]) -> None:
    sheet.append([_("Column"), _("Required"), _("What to enter")])
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for column in columns:
        if column.importable:
            sheet.append([column.header().rstrip("*"), yes_no(column.required), str(column.help)])
    sheet.append([])
    for note in notes:
        sheet.append([note])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 90


def workbook_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_workbook(*, title: str, columns: list[Column], objects: Iterable[Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    write_sheet(sheet, columns, ([c.export(obj) if c.export else None for c in columns] for obj in objects))
    return workbook_bytes(workbook)


def template_workbook(*, title: str, columns: list[Column], notes: list[str]) -> bytes:
    importable = [c for c in columns if c.importable]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    write_sheet(sheet, importable, [[c.example for c in importable]])
    write_help_sheet(workbook.create_sheet(_("Instructions")[:31]), importable, notes)
    return workbook_bytes(workbook)
