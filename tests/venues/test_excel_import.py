"""Excel import and export of venues: all or nothing, every bad row reported with its number;
exports hold only the user's scope; the template imports as it is."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from sportsplatform.venues.domain.imports import ImportRejected
from sportsplatform.venues.interfaces import workbook as workbook_module
from sportsplatform.venues.interfaces.excel import export_venues, import_venue_file, venue_template
from sportsplatform.venues.interfaces.workbook import WorkbookError
from sportsplatform.venues.models import Venue
from tests.backoffice.conftest import as_user, world  # noqa: F401  (fixtures)

from .factories import make_venue

HEADER = [
    "名称*",
    "类型*",
    "性质*",
    "区县代码*",
    "地址*",
    "纬度*",
    "经度*",
    "运动项目",
    "服务设施",
    "建筑面积(m²)",
    "星级",
]
GOOD_ROWS = [
    [
        "武侯羽毛球馆",
        "体育馆",
        "公共",
        "510107",
        "人民南路四段1号",
        30.64,
        104.04,
        "羽毛球、乒乓球",
        "停车场、淋浴",
        3200,
        4,
    ],
    ["武侯游泳馆", "游泳馆", "私营", 510107, "科华北路2号", 30.63, 104.05, "游泳", "", "", ""],
]
IMPORT_URL = "/admin/venues/venue/import-excel/"


def xlsx(rows, header=HEADER, name="venues.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=workbook_module.XLSX_CONTENT_TYPE)


def test_import_good_file_creates_every_row(world):
    result = import_venue_file(xlsx(GOOD_ROWS), actor=world.users["wuhou"])

    assert (result.created, result.updated) == (2, 0)
    badminton = Venue.objects.get(name="武侯羽毛球馆")
    assert badminton.type == "gymnasium" and badminton.ownership == "public"
    assert sorted(s.code for s in badminton.sports.all()) == ["badminton", "table_tennis"]
    assert badminton.amenities == ["parking", "showers"]
    assert badminton.star_rating == 4
    assert Venue.objects.get(name="武侯游泳馆").ownership == "private"


def test_import_one_bad_row_imports_nothing_and_reports_the_row(world):
    rows = [*GOOD_ROWS, ["坏行", "体育馆", "公共", "510107", "地址", "三十", 104.04, "", "", -5, 9]]

    with pytest.raises(ImportRejected) as exc:
        import_venue_file(xlsx(rows), actor=world.users["wuhou"])

    assert [r.number for r in exc.value.rows] == [4]
    errors = exc.value.rows[0].errors
    assert {"lat", "floor_area", "star_rating"} <= errors.keys()
    assert not Venue.objects.exists()


def test_import_out_of_scope_region_row_is_a_bad_row(world):
    rows = [*GOOD_ROWS, ["锦江馆", "体育馆", "公共", "510104", "东大街1号", 30.62, 104.10, "", "", "", ""]]

    with pytest.raises(ImportRejected) as exc:
        import_venue_file(xlsx(rows), actor=world.users["wuhou"])

    assert [r.number for r in exc.value.rows] == [4]
    assert "region" in exc.value.rows[0].errors
    assert not Venue.objects.exists()


def test_import_point_outside_the_county_is_a_bad_row(world):
    rows = [["错位馆", "体育馆", "公共", "510107", "某路1号", 30.62, 104.10, "", "", "", ""]]

    with pytest.raises(ImportRejected) as exc:
        import_venue_file(xlsx(rows), actor=world.users["wuhou"])

    assert "锦江区" in exc.value.rows[0].errors["lat"][0]


def test_import_reports_every_bad_row_unknown_values_and_duplicates(world):
    rows = [
        GOOD_ROWS[0],
        ["", "篮球馆", "半公半私", "510107", "", 30.64, 104.04, "冰壶", "停机坪", "", ""],
        GOOD_ROWS[0],  # the same name again in the same county
        ["不存在的区", "体育馆", "公共", "519999", "某路", 30.64, 104.04, "", "", "", ""],
    ]

    with pytest.raises(ImportRejected) as exc:
        import_venue_file(xlsx(rows), actor=world.users["chengdu"])

    by_row = {r.number: r.errors for r in exc.value.rows}
    assert sorted(by_row) == [3, 4, 5]
    assert {"name", "type", "ownership", "address", "sports", "amenities"} <= by_row[3].keys()
    assert "name" in by_row[4]
    assert "region" in by_row[5]
    assert not Venue.objects.exists()


def test_import_name_already_in_the_county_without_id_is_a_bad_row(world):
    make_venue(name="武侯羽毛球馆")

    with pytest.raises(ImportRejected) as exc:
        import_venue_file(xlsx(GOOD_ROWS), actor=world.users["wuhou"])

    assert [r.number for r in exc.value.rows] == [2]


def test_import_row_with_id_updates_that_venue(world):
    venue = make_venue(name="旧名")
    header = ["ID", *HEADER]

    result = import_venue_file(xlsx([[venue.pk, *GOOD_ROWS[0]]], header=header), actor=world.users["wuhou"])

    assert (result.created, result.updated) == (0, 1)
    venue.refresh_from_db()
    assert venue.name == "武侯羽毛球馆"
    assert "羽毛球" in venue.search_text


def test_import_id_of_another_county_is_a_bad_row_and_changes_nothing(world):
    other = make_venue(name="锦江馆", region="510104", lat="30.62", lng="104.10")
    header = ["ID", *HEADER]

    with pytest.raises(ImportRejected) as exc:
        import_venue_file(xlsx([[other.pk, *GOOD_ROWS[0]]], header=header), actor=world.users["wuhou"])

    assert "id" in exc.value.rows[0].errors
    other.refresh_from_db()
    assert other.name == "锦江馆"


def test_import_operator_staff_files_under_their_own_organisation(world):
    result = import_venue_file(xlsx(GOOD_ROWS[:1]), actor=world.users["wuhou_operator"])

    assert result.created == 1
    assert Venue.objects.get().operator_id == world.orgs["op_wuhou"].pk


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("venues.xlsx", b"name,type\nA,B\n"),  # CSV renamed
        ("venues.xlsx", b"PK\x03\x04 not really a zip"),
        ("venues.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),  # old binary Excel
    ],
)
def test_import_non_xlsx_content_is_refused_cleanly(world, name, content):
    with pytest.raises(WorkbookError):
        import_venue_file(SimpleUploadedFile(name, content), actor=world.users["wuhou"])


def test_import_missing_required_column_is_refused(world):
    with pytest.raises(WorkbookError) as exc:
        import_venue_file(xlsx([["馆"]], header=["名称"]), actor=world.users["wuhou"])

    assert "纬度" in exc.value.message or "Latitude" in exc.value.message


def test_import_too_many_rows_is_refused(world, monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_ROWS", 1)

    with pytest.raises(WorkbookError):
        import_venue_file(xlsx(GOOD_ROWS), actor=world.users["wuhou"])


def test_import_too_big_file_is_refused(world, monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_BYTES", 100)

    with pytest.raises(WorkbookError):
        import_venue_file(xlsx(GOOD_ROWS), actor=world.users["wuhou"])


def test_template_example_row_imports(world):
    template = venue_template()
    book = load_workbook(io.BytesIO(template))
    assert len(book.worksheets) == 2  # the data sheet and the column explanations

    result = import_venue_file(SimpleUploadedFile("t.xlsx", template), actor=world.users["wuhou"])

    assert result.created == 1


def test_export_then_import_round_trip_updates_in_place(world):
    venue = make_venue(name="往返馆", sports=("badminton",))

    exported = export_venues(Venue.objects.filter(pk=venue.pk))
    result = import_venue_file(SimpleUploadedFile("e.xlsx", exported), actor=world.users["wuhou"])

    assert (result.created, result.updated) == (0, 1)
    assert Venue.objects.count() == 1


def test_export_cells_are_never_formulas(world):
    make_venue(name='=HYPERLINK("http://evil")')

    sheet = load_workbook(io.BytesIO(export_venues(Venue.objects.all()))).active

    cell = sheet.cell(row=2, column=2)
    assert cell.value.startswith("=") and cell.data_type == "s"


# --- through the back office ----------------------------------------------------------------------


def test_admin_import_one_bad_row_imports_nothing_and_lists_the_row(world, as_user):
    client = as_user(world.users["wuhou"])
    rows = [*GOOD_ROWS, ["坏行", "体育馆", "公共", "510107", "地址", 30.64, "东经104", "", "", "", ""]]

    response = client.post(IMPORT_URL, {"file": xlsx(rows)})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-row="4"' in body
    assert response.context["rejected"]["rows"][0]["number"] == 4
    assert not Venue.objects.exists()


def test_admin_import_good_file_imports_everything(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.post(IMPORT_URL, {"file": xlsx(GOOD_ROWS)})

    assert response.status_code == 302
    assert Venue.objects.count() == 2


def test_admin_import_page_refuses_non_xlsx_with_a_field_error(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("a.xlsx", b"hello")})

    assert response.status_code == 200
    assert "file" in response.context["form"].errors


def test_admin_template_download_is_an_xlsx(world, as_user):
    response = as_user(world.users["wuhou"]).get("/admin/venues/venue/import-template/")

    assert response.status_code == 200
    assert response["Content-Type"] == workbook_module.XLSX_CONTENT_TYPE
    load_workbook(io.BytesIO(response.content))


def test_admin_export_contains_only_scoped_rows(world, as_user):
    make_venue(name="武侯馆")
    make_venue(name="锦江馆", region="510104", lat="30.62", lng="104.10")
    make_venue(name="涪城馆", region="510703", lat="31.46", lng="104.74")

    response = as_user(world.users["wuhou"]).get("/admin/venues/venue/export-excel/")

    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["武侯馆"]


def test_admin_export_action_on_selected_rows_is_scoped(world, as_user):
    mine = make_venue(name="武侯馆")
    other = make_venue(name="锦江馆", region="510104", lat="30.62", lng="104.10")

    response = as_user(world.users["wuhou"]).post(
        "/admin/venues/venue/",
        {"action": "export_selected_xlsx", "_selected_action": [mine.pk, other.pk]},
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["武侯馆"]


def test_admin_import_needs_add_permission(world, as_user):
    response = as_user(world.users["public"]).get(IMPORT_URL)

    assert response.status_code in (302, 403)
