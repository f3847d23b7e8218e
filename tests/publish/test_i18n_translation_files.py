"""The translation files (publish/translations/*_fr.csv) are read by one reader that names file, line and field
of a malformed row instead of failing later with a KeyError or a None."""

from pathlib import Path

import pytest

from marketpower.errors import DataPackageError
from marketpower.publish import i18n

COLUMNS = ("id", "note_en", "note")


def _write(folder: Path, text: str) -> Path:
    (folder / "deals_fr.csv").write_text(text, encoding="utf-8")
    return folder


def test_bundled_files_read_whole():
    for table in i18n.TRANSLATED_TABLES:
        assert i18n.data_translations(table)
    assert i18n.market_translations()
    assert i18n.share_notes_fr()


def test_rows_by_first_column(tmp_path):
    folder = _write(tmp_path, 'id,note_en,note\nd1,"Deal, one",Accord un\n\nd2,Two,Deux\n')
    rows = i18n.read_translations("deals_fr.csv", COLUMNS, folder)
    assert rows == {
        "d1": {"id": "d1", "note_en": "Deal, one", "note": "Accord un"},
        "d2": {"id": "d2", "note_en": "Two", "note": "Deux"},
    }


def test_every_malformed_row_named(tmp_path):
    text = "id,note_en,note\nd1,One,Un\nd2,Two\nd3,Three,Trois,extra\n,Four,Quatre\nd1,Again,Encore\n"
    folder = _write(tmp_path, text)
    with pytest.raises(DataPackageError) as caught:
        i18n.read_translations("deals_fr.csv", COLUMNS, folder)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path.name}/deals_fr.csv, line 3: 2 fields, expected 3",
        f"{tmp_path.name}/deals_fr.csv, line 4: 4 fields, expected 3",
        f"{tmp_path.name}/deals_fr.csv, line 5, field 'id': empty",
        f"{tmp_path.name}/deals_fr.csv, line 6, field 'id': 'd1' repeats an earlier row",
    ]


def test_wrong_header_named(tmp_path):
    folder = _write(tmp_path, "id,note,note_en\nd1,Un,One\n")
    with pytest.raises(DataPackageError, match=r"deals_fr.csv, line 1: header is \['id', 'note', 'note_en'\]"):
        i18n.read_translations("deals_fr.csv", COLUMNS, folder)
