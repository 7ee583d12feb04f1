"""`reception keys import` (issue 17 item 2): the key register (K1) validated as a whole; one bad
row writes nothing and names the row and field; duplicates reported; GBK CSV from Excel read."""

from __future__ import annotations

from pathlib import Path

import pytest

from desk import cli
from desk.config import load_settings
from desk.keys_import import KeyImportError, import_keys
from desk.service import Desk

HEADER = "key_id,place,kind,slot,authorisation\n"
GOOD = (
    "K3-502-E,3-2-502,entrusted,钥匙 3-01,授权书 2026-031\n"
    "K1-101-V,1栋1单元101室,vacant,钥匙 3-02,\n"
    "K2-PUMP,2栋水泵房,spare,钥匙 3-03,\n"
    "K-ROOF,1栋天台,public,钥匙 3-04,\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def key_count(desk: Desk) -> int:
    return len(desk.keys.all())


def test_good_file_imports_every_kind_and_puts_the_authorisation_on_file(desk, tmp_path):
    ok, same = import_keys(desk, write(tmp_path / "k.csv", HEADER + GOOD))
    assert len(ok) == 4 and not same
    keys = {k.number: k for k in desk.keys.all()}
    assert keys["K3-502-E"].key_kind == "entrusted" and keys["K3-502-E"].unit == "3-2-502"
    assert (
        keys["K1-101-V"].unit == "1-1-101" and keys["K1-101-V"].label == "1栋1单元101室空置房钥匙"
    )
    assert keys["K2-PUMP"].key_kind == "plant" and keys["K2-PUMP"].unit == "public:2栋水泵房"
    assert keys["K-ROOF"].key_kind == "other" and keys["K-ROOF"].slot == "钥匙 3-04"
    log = desk.dutylog.day(desk.now().date())
    assert any("K3-502-E" in e.text and "授权书 2026-031" in e.text for e in log)  # K1, K3


def test_one_bad_row_writes_nothing_and_names_row_and_field(desk, tmp_path):
    bad = HEADER + GOOD + "K9,3-2-501,borrowed,钥匙 3-09,\n"
    with pytest.raises(KeyImportError) as err:
        import_keys(desk, write(tmp_path / "k.csv", bad))
    assert "第6行 kind" in str(err.value) and "未导入任何钥匙" in str(err.value)
    assert key_count(desk) == 0


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("K9,3-2-501,entrusted,钥匙 3-09,\n", "第6行 authorisation: 业主托管钥匙须有业主授权"),
        (
            "K9,9-9-909,entrusted,钥匙 3-09,授权书1\n",
            "第6行 place: 业主托管钥匙的房号不在业主名册中",
        ),
        ("K9,大堂,vacant,钥匙 3-09,\n", "第6行 place: 空置房钥匙须填写房号"),
        ("K9,3-2-501,vacant,,\n", "第6行 slot"),
        ("K 9,3-2-501,vacant,钥匙 3-09,\n", "第6行 key_id"),
        ("K9,,plant,钥匙 3-09,\n", "第6行 place: 不能为空"),
    ],
)
def test_each_kind_of_bad_row(desk, tmp_path, row, expected):
    with pytest.raises(KeyImportError, match=expected):
        import_keys(desk, write(tmp_path / "k.csv", HEADER + GOOD + row))
    assert key_count(desk) == 0


def test_duplicates_in_the_file_and_against_the_register_are_reported(desk, tmp_path):
    dup = HEADER + GOOD + "K2-PUMP,2栋配电房,plant,钥匙 3-10,\nK8,3-2-501,vacant,钥匙3-01,\n"
    with pytest.raises(KeyImportError) as err:
        import_keys(desk, write(tmp_path / "k.csv", dup))
    text = str(err.value)
    assert "第6行 key_id: 钥匙编号 K2-PUMP 与第4行重复" in text
    assert "第7行 slot: 格口 钥匙3-01 已给第2行的钥匙 K3-502-E" in text
    assert key_count(desk) == 0
    import_keys(desk, write(tmp_path / "k.csv", HEADER + GOOD))
    # the same file again: nothing changes, reported as already registered
    ok, same = import_keys(desk, write(tmp_path / "k.csv", HEADER + GOOD))
    assert not ok and len(same) == 4
    changed = HEADER + "K2-PUMP,2栋配电房,plant,钥匙 3-11,\nK7,3-2-501,vacant,钥匙 3-01,\n"
    with pytest.raises(KeyImportError) as err:
        import_keys(desk, write(tmp_path / "k.csv", changed))
    assert "第2行 key_id: 钥匙 K2-PUMP 已登记" in str(err.value)
    assert "第3行 slot: 格口 钥匙 3-01 已放着钥匙 K3-502-E" in str(err.value)
    assert key_count(desk) == 4


def test_gbk_csv_from_excel_with_chinese_headers(desk, tmp_path):
    text = "钥匙编号,房号,类别,格口,业主授权\r\nK3-502-E,3-2-502,业主托管钥匙,钥匙 3-01,授权书 2026-031\r\n"
    ok, _ = import_keys(desk, write(tmp_path / "gbk.csv", text, "gbk"))
    assert [k.key_id for k in ok] == ["K3-502-E"] and ok[0].kind == "entrusted"


def test_cli_keys_import_and_import_owners_read_gbk(tmp_path, capsys):
    data = ["--data", str(tmp_path / "data")]
    owners = write(
        tmp_path / "o.csv", "unit,name,phone,role\n3-2-502,张三,13812345678,owner\n", "gbk"
    )
    assert cli.main([*data, "import-owners", str(owners)]) == 0
    keys = write(tmp_path / "k.csv", HEADER + GOOD, "gb18030")
    assert cli.main([*data, "keys", "import", str(keys)]) == 0
    assert "已导入 4 把钥匙" in capsys.readouterr().out
    bad = write(tmp_path / "bad.csv", HEADER + "K5,3-2-502,entrusted,钥匙 3-05,\n")
    assert cli.main([*data, "keys", "import", str(bad)]) == 2
    assert "第2行 authorisation" in capsys.readouterr().err
    assert cli.main([*data, "keys", "import", str(tmp_path / "missing.csv")]) == 2
    undecodable = tmp_path / "bin.csv"
    undecodable.write_bytes(HEADER.encode() + b"\x81\x20\xff\xfe\n")
    assert cli.main([*data, "keys", "import", str(undecodable)]) == 2
    assert "编码无法识别" in capsys.readouterr().err
    desk = Desk.open(load_settings(data_dir=tmp_path / "data"))
    try:
        assert len(desk.keys.all()) == 4
    finally:
        desk.close()
