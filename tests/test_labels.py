"""Label data: the shipped file, user files, and clear errors for broken ones."""

import json

import pytest

from tpbnlp.errors import LabelFileError
from tpbnlp.labels import CATEGORY_KEYS, ENV_VAR, load_labels

TOPIC_KEYS = [
    "ha_tang", "nong_thon_moi", "te_nan_xa_hoi", "an_ninh_trat_tu", "che_do_chinh_sach", "y_te",
    "giao_duc", "thue_phi", "thu_tuc_hanh_chinh", "viec_lam", "day_nghe", "giam_ngheo",
    "dieu_hanh_chinh_quyen", "tac_phong_can_bo", "dat_dai", "moi_truong", "kinh_te_san_xuat",
]


def shipped() -> dict:
    return {
        "categories": [{"key": c.key, "name": c.name} for c in load_labels().categories],
        "topics": [{"key": t.key, "name": t.name, "description": t.description} for t in load_labels().topics],
    }


def write(tmp_path, data) -> str:
    path = tmp_path / "labels.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_shipped_labels_in_report_order(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    labels = load_labels()
    assert labels.category_keys == CATEGORY_KEYS
    assert [c.name for c in labels.categories] == [
        "Tư tưởng chính trị",
        "Phẩm chất đạo đức, lối sống",
        "Thực hiện chức trách, nhiệm vụ",
        "Ý thức tổ chức kỷ luật",
        "Lĩnh vực khác",
    ]
    assert list(labels.topic_keys) == TOPIC_KEYS
    assert labels.name("y_te") == "Y tế"
    assert all(label.description for label in labels.categories + labels.topics)
    with pytest.raises(KeyError):
        labels.name("khong_co")


def test_user_file_renames_and_adds_topics(tmp_path, monkeypatch):
    data = shipped()
    data["topics"][5]["name"] = "Y tế, dân số"
    data["topics"].append({"key": "chuyen_doi_so", "name": "Chuyển đổi số"})
    data["categories"].reverse()  # order in the file does not change the report order
    labels = load_labels(write(tmp_path, data))
    assert labels.name("y_te") == "Y tế, dân số"
    assert labels.topic_keys[-1] == "chuyen_doi_so"
    assert labels.category_keys == CATEGORY_KEYS
    monkeypatch.setenv(ENV_VAR, write(tmp_path, data))
    assert load_labels().name("chuyen_doi_so") == "Chuyển đổi số"


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["topics"][1].pop("name"), r"topics\[1\] \(khóa 'nong_thon_moi'\): thiếu tên"),
        (lambda d: d["topics"][2].update(key="Tệ nạn"), r"topics\[2\]: khóa 'Tệ nạn' không hợp lệ"),
        (lambda d: d["topics"].append({"key": "y_te", "name": "Y tế 2"}), r"topics\[17\]: khóa 'y_te' bị trùng"),
        (lambda d: d["categories"].pop(0), r"thiếu: tu_tuong_chinh_tri"),
        (lambda d: d["categories"][0].update(key="chinh_tri"), r"không hợp lệ: chinh_tri"),
        (lambda d: d.pop("topics"), r"thiếu danh sách 'topics'"),
        (lambda d: d["topics"].__setitem__(0, "ha_tang"), r"topics\[0\]: phải là một đối tượng"),
        (lambda d: d["topics"][0].update(colour="red"), r"topics\[0\] \(khóa 'ha_tang'\): trường không được hỗ trợ: colour"),
    ],
)
def test_broken_files_name_the_entry_at_fault(tmp_path, mutate, message):
    data = shipped()
    mutate(data)
    with pytest.raises(LabelFileError, match=message):
        load_labels(write(tmp_path, data))


def test_unreadable_files(tmp_path):
    with pytest.raises(LabelFileError, match="dòng 2"):
        load_labels(write(tmp_path, '{"categories": [\n  oops ]}'))
    with pytest.raises(LabelFileError, match="Không tìm thấy"):
        load_labels(tmp_path / "missing.json")
