"""A keyword-rule baseline: what a careful clerk could write by hand in an afternoon.

It follows the decision order of the annotation guide with substring rules on
diacritic-free, lower-cased text. It is a peer in ``compare.py``, not part of
the package.
"""

from __future__ import annotations

from tpbnlp.text import normalize, strip_diacritics

# Step 1: opinions that assess nobody.
OTHER = ["de nghi nha nuoc", "de nghi tinh", "de nghi huyen", "de nghi trung uong", "nha nuoc nen", "tinh nen",
         "xin hoi", "cho hoi", "xin cam on", "cam on", "thong nhat", "khong co y kien", "ko co y kien", "khong y kien",
         "kien nghi"]
ASSESSES = ["dong chi", "d/c", "dc ", "dang vien", "dv ", "can bo", "cb ", "truong ap", "chu tich", "bi thu", "ubnd xa",
            "cong an xa", "tram y te", "xa chua", "xa khong", "xa cham"]
POLITICAL = ["nghi quyet", "tu tuong", "xuyen tac", "tin don", "tin gia", "phan dong", "dao la", "ta dao", "phap luan",
             "hoi thanh", "lap truong", "dao dong", "kich dong", "chu truong cua dang", "duong loi", "chinh tri"]
ETHICS = ["nhau", "say", "co bac", "danh bai", "da ga", "ca do", "lo de", "ruou", "hach dich", "cua quyen", "quan lieu",
          "xa dan", "vo cam", "doi tien", "phong bi", "boi duong", "tien ca phe", "bo tui", "an chan", "tham", "loi dung",
          "nguoi nha", "ho hang", "tiec", "dam cuoi", "linh dinh", "gian di", "gan dan", "tan tinh", "thieu ton trong",
          "to tieng", "chui", "nat", "me tin", "coi boi"]
DISCIPLINE = ["sinh hoat chi bo", "sinh hoat dang", "dang phi", "vang hop", "khong hop", "bo hop", "di tre", "ve som",
              "gio hanh chinh", "vang mat", "khong co mat", "mat doan ket", "xay dung trai phep", "khong phep", "lan chiem",
              "lan ra", "vi pham giao thong", "noi cu tru", "chuyen sinh hoat", "ky luat"]

TOPICS = {
    "ha_tang": ["duong", "cau ", "dien", "nuoc sach", "kenh", "muong", "den duong", "lo ", "cong thoat"],
    "nong_thon_moi": ["nong thon moi", "ntm", "tieu chi", "dat chuan"],
    "te_nan_xa_hoi": ["co bac", "danh bai", "da ga", "ma tuy", "trom", "ca do", "lo de", "hut chich", "say xin"],
    "an_ninh_trat_tu": ["an ninh", "trat tu", "giao thong", "tranh chap", "danh nhau", "tuan tra", "tam tru", "gay roi"],
    "che_do_chinh_sach": ["chinh sach", "nguoi co cong", "thuong binh", "liet si", "cuu chien binh", "ccb", "nguoi cao tuoi",
                          "khuyet tat", "tro cap"],
    "y_te": ["y te", "bhyt", "benh", "kham", "thuoc", "dich", "tiem"],
    "giao_duc": ["truong", "hoc sinh", "giao vien", "hoc phi", "bo hoc", "hieu truong", "lop hoc"],
    "thue_phi": ["thue", "phi", "dong gop", "quy ", "thu tien", "bien lai"],
    "thu_tuc_hanh_chinh": ["thu tuc", "ho so", "giay to", "chung thuc", "mot cua", "xac nhan", "ho tich", "giay"],
    "viec_lam": ["viec lam", "xuat khau lao dong", "that nghiep", "cong ty", "lao dong"],
    "day_nghe": ["day nghe", "hoc nghe", "lop nghe", "dao tao nghe"],
    "giam_ngheo": ["ho ngheo", "can ngheo", "giam ngheo", "vay von", "ngan hang chinh sach", "nhcs", "dai doan ket"],
    "dieu_hanh_chinh_quyen": ["ubnd", "uy ban", "chinh quyen", "dieu hanh", "xa chua", "phuong chua"],
    "tac_phong_can_bo": ["hach dich", "cua quyen", "thai do", "tac phong", "doi tien", "de dan cho", "vang mat", "tre hen",
                         "tan tinh", "gan dan", "xa dan"],
    "dat_dai": ["dat", "gcn", "so do", "qsdd", "den bu", "boi thuong", "quy hoach"],
    "moi_truong": ["rac", "o nhiem", "moi truong", "ve sinh", "hoi thoi", "xa thai"],
    "kinh_te_san_xuat": ["lua", "tom", "ca ", "heo", "bo ", "ga ", "nuoi", "trong", "gia ca", "san xuat", "khuyen nong",
                         "thu y", "vuon", "ruong"],
}


def _text(text: str) -> str:
    return " " + strip_diacritics(normalize(text)) + " "


def classify(text: str) -> str:
    """One category by the guide's decision order, from keywords."""
    t = _text(text)
    assesses = any(k in t for k in ASSESSES)
    if not assesses and any(k in t for k in OTHER):
        return "linh_vuc_khac"
    if any(k in t for k in POLITICAL):
        return "tu_tuong_chinh_tri"
    if any(k in t for k in ETHICS):
        return "pham_chat_dao_duc_loi_song"
    if any(k in t for k in DISCIPLINE):
        return "y_thuc_to_chuc_ky_luat"
    if not assesses:
        return "linh_vuc_khac"
    return "thuc_hien_chuc_trach_nhiem_vu"


def topics(text: str) -> list[str]:
    """Every topic one of whose keywords occurs, at most three (in table order)."""
    t = _text(text)
    return [key for key, words in TOPICS.items() if any(w in t for w in words)][:3]
