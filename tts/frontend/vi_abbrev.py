"""Readings for the abbreviations of Vietnamese commune bulletins.

Keys are matched case-sensitively as whole words, longest first, before g2p-hamster sees the
text: its own table misses most administrative terms and spells the rest as English letters.
Readings are lower case except for proper names.
"""

from __future__ import annotations

ABBREVIATIONS: dict[str, str] = {
    # Government, Party and the Front
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "MTTQ": "mặt trận tổ quốc",
    "MTTQVN": "mặt trận tổ quốc Việt Nam",
    "UBMTTQ": "ủy ban mặt trận tổ quốc",
    "UBMTTQVN": "ủy ban mặt trận tổ quốc Việt Nam",
    "UBKT": "ủy ban kiểm tra",
    "BCĐ": "ban chỉ đạo",
    "BTV": "ban thường vụ",
    "ĐBQH": "đại biểu quốc hội",
    "CHXHCN": "cộng hòa xã hội chủ nghĩa",
    "TW": "trung ương",
    "UBDT": "ủy ban dân tộc",
    "CBCCVC": "cán bộ công chức viên chức",
    "CBCC": "cán bộ công chức",
    "Đ/c": "đồng chí",
    "đ/c": "đồng chí",
    # Mass organisations
    "TNCS": "thanh niên cộng sản",
    "ĐTN": "đoàn thanh niên",
    "HLHPN": "hội liên hiệp phụ nữ",
    "LHPN": "liên hiệp phụ nữ",
    "HND": "hội nông dân",
    "HCCB": "hội cựu chiến binh",
    "CCB": "cựu chiến binh",
    "NCT": "người cao tuổi",
    "NKT": "người khuyết tật",
    # Policy areas
    "ĐBDTTS": "đồng bào dân tộc thiểu số",
    "DTTS": "dân tộc thiểu số",
    "KT-XH": "kinh tế xã hội",
    "KTXH": "kinh tế xã hội",
    "VH-XH": "văn hóa xã hội",
    "QP-AN": "quốc phòng an ninh",
    "QPAN": "quốc phòng an ninh",
    "ANQP": "an ninh quốc phòng",
    "ANTT": "an ninh trật tự",
    "ATGT": "an toàn giao thông",
    "PCCC": "phòng cháy chữa cháy",
    "CNCH": "cứu nạn cứu hộ",
    "PCTT": "phòng chống thiên tai",
    "TKCN": "tìm kiếm cứu nạn",
    "PCTT&TKCN": "phòng chống thiên tai và tìm kiếm cứu nạn",
    "BĐKH": "biến đổi khí hậu",
    "NTM": "nông thôn mới",
    "HTX": "hợp tác xã",
    "THT": "tổ hợp tác",
    "CNTT": "công nghệ thông tin",
    "BHYT": "bảo hiểm y tế",
    "BHXH": "bảo hiểm xã hội",
    "BHTN": "bảo hiểm thất nghiệp",
    "ATTP": "an toàn thực phẩm",
    "VSATTP": "vệ sinh an toàn thực phẩm",
    "VSMT": "vệ sinh môi trường",
    "NTTS": "nuôi trồng thủy sản",
    "BVTV": "bảo vệ thực vật",
    "GPMB": "giải phóng mặt bằng",
    "MTQG": "mục tiêu quốc gia",
    "CTMTQG": "chương trình mục tiêu quốc gia",
    "GTNT": "giao thông nông thôn",
    "KCN": "khu công nghiệp",
    "KDC": "khu dân cư",
    "SXKD": "sản xuất kinh doanh",
    "NSNN": "ngân sách nhà nước",
    "NHCSXH": "ngân hàng chính sách xã hội",
    "DN": "doanh nghiệp",
    "HĐLĐ": "hợp đồng lao động",
    # Ministries and departments
    "LĐ-TB&XH": "lao động thương binh và xã hội",
    "LĐTB&XH": "lao động thương binh và xã hội",
    "NN&PTNT": "nông nghiệp và phát triển nông thôn",
    "NN-PTNT": "nông nghiệp và phát triển nông thôn",
    "TN&MT": "tài nguyên và môi trường",
    "TN-MT": "tài nguyên và môi trường",
    "GD&ĐT": "giáo dục và đào tạo",
    "GDĐT": "giáo dục và đào tạo",
    "VH-TT&DL": "văn hóa thể thao và du lịch",
    "VHTTDL": "văn hóa thể thao và du lịch",
    "KH&CN": "khoa học và công nghệ",
    "GTVT": "giao thông vận tải",
    # Schools, health, security
    "THCS": "trung học cơ sở",
    "THPT": "trung học phổ thông",
    "HSSV": "học sinh sinh viên",
    "GV": "giáo viên",
    "HS": "học sinh",
    "TTYT": "trung tâm y tế",
    "TYT": "trạm y tế",
    "BVĐK": "bệnh viện đa khoa",
    "CA": "công an",
    "CAND": "công an nhân dân",
    "CSGT": "cảnh sát giao thông",
    "QS": "quân sự",
    "QĐND": "quân đội nhân dân",
    "CCCD": "căn cước công dân",
    "CMND": "chứng minh nhân dân",
    "COVID-19": "cô vít mười chín",
    "Covid-19": "cô vít mười chín",
    "covid-19": "cô vít mười chín",
    "HIV/AIDS": "hát i vê ết",
    # Places
    "VN": "Việt Nam",
    "ĐBSCL": "đồng bằng sông Cửu Long",
    "TP.HCM": "thành phố Hồ Chí Minh",
    "TP. HCM": "thành phố Hồ Chí Minh",
    "TPHCM": "thành phố Hồ Chí Minh",
    "HCM": "Hồ Chí Minh",
    "TP.": "thành phố",
    "Tp.": "thành phố",
    "TP": "thành phố",
    "TX.": "thị xã",
    "TT.": "thị trấn",
    # Money and contact
    "VNĐ": "đồng",
    "VND": "đồng",
    "USD": "đô la Mỹ",
    "SĐT": "số điện thoại",
    "ĐT": "điện thoại",
}

# Who issued a document, from the last part of its number ("49/2024/NĐ-CP").
ISSUERS: dict[str, str] = {
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "VPCP": "Văn phòng Chính phủ",
    "QH": "Quốc hội",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "TW": "Trung ương",
    "TU": "Tỉnh ủy",
    "HU": "Huyện ủy",
    "ĐU": "Đảng ủy",
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "UBDT": "Ủy ban Dân tộc",
    "BDT": "Ban Dân tộc",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "BNV": "Bộ Nội vụ",
    "BTC": "Bộ Tài chính",
    "BYT": "Bộ Y tế",
    "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội",
}

ROADS: dict[str, str] = {
    "QL": "quốc lộ",
    "ĐT": "đường tỉnh",
    "TL": "tỉnh lộ",
    "HL": "hương lộ",
}

# Vietnamese letter names: an acronym spelled with these stays in the Vietnamese voice,
# where "B H Y T" makes espeak-ng switch to English.
LETTERS: dict[str, str] = {
    "A": "a",
    "Ă": "á",
    "Â": "ớ",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "Ê": "ê",
    "F": "ép",
    "G": "gờ",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "lờ",
    "M": "mờ",
    "N": "nờ",
    "O": "o",
    "Ô": "ô",
    "Ơ": "ơ",
    "P": "pê",
    "Q": "quy",
    "R": "rờ",
    "S": "ét",
    "T": "tê",
    "U": "u",
    "Ư": "ư",
    "V": "vê",
    "W": "vê kép",
    "X": "ích",
    "Y": "i",
    "Z": "dét",
}
VOWELS = frozenset("AĂÂEÊIOÔƠUƯY")


def spell(letters: str) -> str:
    """ "XYZ" -> "ích i dét"; characters without a name are dropped."""
    return " ".join(LETTERS[c] for c in letters.upper() if c in LETTERS)


def issuer(code: str) -> str:
    """The spoken issuer for a document code such as "NĐ-CP", "CT/TU" or "QH15"."""
    last = code.replace("/", "-").split("-")[-1].rstrip("0123456789")
    if last in ISSUERS:
        return ISSUERS[last]
    if last in ABBREVIATIONS:
        return ABBREVIATIONS[last]
    return spell(last)
