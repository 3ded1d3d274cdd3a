"""CSV input is read as spreadsheets export it (design §9, "Contract for files").

A UTF-8 byte-order mark is dropped, the delimiter (``,`` ``;`` tab ``|``) is sniffed, and
``--delimiter`` / ``--encoding`` override. The oracle of every test is the library run on the
records as they should have been read: the command must give exactly that.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import AT, POLICY, customers, one_line, run_gdprkit, write_csv

from gdprkit import KeyRing, enforce, load_policy

YES = {"yes", "si", "sì", "SI", "true", "1"}


def _records(rows: list[list[str]]) -> list[dict[str, Any]]:
    header, *body = rows
    return [{k: (v or None) for k, v in zip(header, row, strict=True)} for row in body]


def _expected(rows: list[list[str]], purpose: str, keys: KeyRing) -> list[dict[str, Any]]:
    """What the library makes of the rows, read right: the oracle."""
    stream = enforce(
        load_policy(POLICY), _records(rows), purpose, at=datetime.fromisoformat(AT), keys=keys
    )
    return json.loads(json.dumps(list(stream), default=str))  # as JSON Lines carry it


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _italian(value: str, column: str) -> str:
    """A cell as an Italian Excel writes it: Sì/No flags, dd/mm/yyyy dates, decimal commas."""
    if not value:
        return value
    if column == "consent_marketing":
        return "Sì" if value in YES else "No"
    if column in ("consent_marketing_at", "last_purchase_at") and value[4:5] == "-":
        return datetime.fromisoformat(value).strftime("%d/%m/%Y")
    if column == "purchases_total":
        return value.replace(".", ",")
    return value


def _italian_rows(limit: int) -> list[list[str]]:
    header, *body = customers(limit)
    return [header, *([_italian(v, c) for v, c in zip(row, header, strict=True)] for row in body)]


def test_an_italian_excel_export_is_read_as_the_spreadsheet_meant_it(
    tmp_path: Path, keys: KeyRing
) -> None:
    rows = _italian_rows(300)
    export = write_csv(
        tmp_path / "clienti.csv", rows, delimiter=";", encoding="utf-8-sig", newline="\r\n"
    )
    assert export.read_bytes().startswith(b"\xef\xbb\xbfcustomer_id;")
    out, rejected = tmp_path / "out.jsonl", tmp_path / "rejected.jsonl"
    done = run_gdprkit(
        "enforce", POLICY, "newsletter", export, out, "--rejected", rejected, "--at", AT
    )
    assert done.returncode == 0, done.stderr
    expected = _expected(rows, "newsletter", keys)
    assert len(expected) > 20  # the export holds people who consented: they come out
    assert _jsonl(out) == expected
    codes = [r["reasons"][0]["code"] for r in _jsonl(rejected)]
    assert "record.invalid" not in codes
    assert len(codes) + len(expected) == len(rows) - 1


@pytest.mark.parametrize("bom", [False, True], ids=["plain", "bom"])
@pytest.mark.parametrize(
    "delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"]
)
def test_the_delimiter_is_sniffed_and_a_byte_order_mark_dropped(
    tmp_path: Path, keys: KeyRing, delimiter: str, bom: bool
) -> None:
    rows = customers(120)
    encoding = "utf-8-sig" if bom else "utf-8"
    source = write_csv(tmp_path / "in.csv", rows, delimiter=delimiter, encoding=encoding)
    out = tmp_path / "out.jsonl"
    done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--at", AT)
    assert done.returncode == 0, done.stderr
    assert _jsonl(out) == _expected(rows, "analytics", keys)


def test_decimal_commas_in_every_row_do_not_fool_the_sniffer(tmp_path: Path, keys: KeyRing) -> None:
    """Every row holds one comma (a decimal) as consistently as its semicolons: the header,
    which a comma does not split, settles it."""
    header, *body = customers(40)
    total = header.index("purchases_total")
    body = [[*row[:total], f"{i},50", *row[total + 1 :]] for i, row in enumerate(body)]
    rows = [header, *body]
    source = write_csv(tmp_path / "in.csv", rows, delimiter=";")
    out = tmp_path / "out.jsonl"
    done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--at", AT)
    assert done.returncode == 0, done.stderr
    assert _jsonl(out) == _expected(rows, "analytics", keys)
    assert any(str(r.get("purchases_total")).endswith(",50") for r in _jsonl(out))


def test_delimiter_given_overrides_the_sniffer(tmp_path: Path, keys: KeyRing) -> None:
    rows = customers(30)
    source = write_csv(tmp_path / "in.csv", rows, delimiter="\t")
    out = tmp_path / "out.jsonl"
    done = run_gdprkit(
        "enforce", POLICY, "analytics", source, out, "--delimiter", "tab", "--at", AT
    )
    assert done.returncode == 0, done.stderr
    assert _jsonl(out) == _expected(rows, "analytics", keys)


def test_an_encoding_other_than_utf8_is_refused_up_front_then_read_when_given(
    tmp_path: Path, keys: KeyRing
) -> None:
    rows = _italian_rows(60)
    source = write_csv(tmp_path / "in.csv", rows, delimiter=";", encoding="cp1252")
    out = tmp_path / "out.jsonl"
    refused = run_gdprkit("enforce", POLICY, "newsletter", source, out, "--at", AT)
    assert refused.returncode == 2
    assert "--encoding" in one_line(refused.stderr)
    assert not out.exists()
    done = run_gdprkit(
        "enforce", POLICY, "newsletter", source, out, "--encoding", "cp1252", "--at", AT
    )
    assert done.returncode == 0, done.stderr
    assert _jsonl(out) == _expected(rows, "newsletter", keys)
    assert _jsonl(out)


def test_a_row_whose_cells_do_not_match_the_header_is_denied_with_its_place(
    tmp_path: Path, keys: KeyRing
) -> None:
    header, *body = customers(6)
    body[1] = [*body[1], "stray"]  # one cell too many
    body[3] = body[3][:-2]  # two cells missing
    body[4] = [*body[4], ""]  # a trailing empty cell: harmless
    source = write_csv(tmp_path / "in.csv", [header, *body])
    out, rejected = tmp_path / "out.jsonl", tmp_path / "rejected.jsonl"
    done = run_gdprkit(
        "enforce", POLICY, "analytics", source, out, "--rejected", rejected, "--at", AT
    )
    assert done.returncode == 0, done.stderr
    denied = _jsonl(rejected)
    assert [(d["row"], d["line"], d["reasons"][0]["code"]) for d in denied] == [
        (2, 3, "record.invalid"),
        (4, 5, "record.invalid"),
    ]
    assert len(_jsonl(out)) == 4
    assert "stray" not in rejected.read_text("utf-8")


def test_a_header_naming_a_column_twice_is_refused(tmp_path: Path, keys: KeyRing) -> None:
    header, *body = customers(3)
    header[1] = "email"  # which one is the e-mail cannot be told
    source = write_csv(tmp_path / "in.csv", [header, *body])
    out = tmp_path / "out.jsonl"
    done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--at", AT)
    assert done.returncode == 2
    assert "'email' twice" in one_line(done.stderr)
    assert not out.exists()


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"], ids=["empty", "bom", "blank"]
)
def test_a_csv_file_without_a_header_is_refused(
    tmp_path: Path, keys: KeyRing, content: bytes
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    done = run_gdprkit("enforce", POLICY, "analytics", source, tmp_path / "out.jsonl")
    assert done.returncode == 2
    assert "header" in one_line(done.stderr)


def test_delimiter_and_encoding_are_for_csv_input_only(tmp_path: Path, keys: KeyRing) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"customer_id": "C1"}\n', "utf-8")
    done = run_gdprkit(
        "enforce", POLICY, "analytics", source, tmp_path / "out.jsonl", "--delimiter", ";"
    )
    assert done.returncode == 2
    assert "CSV" in one_line(done.stderr)


def test_an_excel_unicode_text_export_is_read_by_its_byte_order_mark(
    tmp_path: Path, keys: KeyRing
) -> None:
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated."""
    rows = _italian_rows(40)
    source = write_csv(tmp_path / "in.csv", rows, delimiter="\t", encoding="utf-16", newline="\r\n")
    assert source.read_bytes()[:2] == b"\xff\xfe"
    out = tmp_path / "out.jsonl"
    done = run_gdprkit("enforce", POLICY, "newsletter", source, out, "--at", AT)
    assert done.returncode == 0, done.stderr
    assert _jsonl(out) == _expected(rows, "newsletter", keys)
