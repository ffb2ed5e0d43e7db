"""The Vietnamese front-end, specified by a table of bulletin sentences and their exact readings.

Each expected reading was written from the rules (mốt/lăm/linh/lẻ, nghìn/ngàn, dates read
"ngày ... tháng ... năm ...", phone numbers digit by digit in their groups), not copied from
the output. North is the standard reading (Central follows it); South says "lẻ" and "ngàn".
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from importlib import metadata

import pytest

from tts.frontend import FRONTEND_VERSION, Segment, clean_text, normalize
from tts.frontend.split import PARAGRAPH_PAUSE_MS, SENTENCE_PAUSE_MS
from tts.frontend.vi import normalize_vi
from tts.frontend.vi_abbrev import ABBREVIATIONS

N, C, S = "north", "central", "south"

NUMBERS: list[tuple[str, str, str]] = [
    (N, "Xã có 21 ấp.", "Xã có hai mươi mốt ấp."),
    (N, "Có 25 hộ nghèo.", "Có hai mươi lăm hộ nghèo."),
    (N, "Có 15 hộ được hỗ trợ.", "Có mười lăm hộ được hỗ trợ."),
    (N, "Có 11 người tham gia.", "Có mười một người tham gia."),
    (N, "Có 10 người vắng mặt.", "Có mười người vắng mặt."),
    (N, "Có 14 hộ cận nghèo.", "Có mười bốn hộ cận nghèo."),
    (N, "Có 24 hộ thoát nghèo.", "Có hai mươi bốn hộ thoát nghèo."),
    (N, "Xã có 31 tổ tự quản.", "Xã có ba mươi mốt tổ tự quản."),
    (N, "Có 45 em học sinh.", "Có bốn mươi lăm em học sinh."),
    (N, "Có 90 đại biểu dự.", "Có chín mươi đại biểu dự."),
    (N, "Trao 100 suất quà.", "Trao một trăm suất quà."),
    (N, "Trao 101 suất quà.", "Trao một trăm linh một suất quà."),
    (S, "Trao 101 suất quà.", "Trao một trăm lẻ một suất quà."),
    (N, "Có 105 hộ dân.", "Có một trăm linh năm hộ dân."),
    (S, "Có 105 hộ dân.", "Có một trăm lẻ năm hộ dân."),
    (C, "Có 105 hộ dân.", "Có một trăm linh năm hộ dân."),
    (N, "Có 110 hộ dân.", "Có một trăm mười hộ dân."),
    (N, "Có 115 hộ dân.", "Có một trăm mười lăm hộ dân."),
    (N, "Có 121 hộ dân.", "Có một trăm hai mươi mốt hộ dân."),
    (N, "Có 1.000 hộ dân.", "Có một nghìn hộ dân."),
    (S, "Có 1.000 hộ dân.", "Có một ngàn hộ dân."),
    (N, "Có 1.005 hộ dân.", "Có một nghìn không trăm linh năm hộ dân."),
    (S, "Có 1.005 hộ dân.", "Có một ngàn không trăm lẻ năm hộ dân."),
    (N, "Có 1.010 người.", "Có một nghìn không trăm mười người."),
    (N, "Có 1.234 hộ.", "Có một nghìn hai trăm ba mươi bốn hộ."),
    (N, "Dân số 10.005 người.", "Dân số mười nghìn không trăm linh năm người."),
    (N, "Dân số 25.341 người.", "Dân số hai mươi lăm nghìn ba trăm bốn mươi mốt người."),
    (N, "Dân số 105.000 người.", "Dân số một trăm linh năm nghìn người."),
    (S, "Dân số 105.000 người.", "Dân số một trăm lẻ năm ngàn người."),
    (N, "Tổng số 1.300.000 người.", "Tổng số một triệu ba trăm nghìn người."),
    (N, "Có 2.050.000 lượt truy cập.", "Có hai triệu không trăm năm mươi nghìn lượt truy cập."),
    (N, "Có 1.000.500 lượt truy cập.", "Có một triệu năm trăm lượt truy cập."),
    (N, "1.200 hộ được cấp nước sạch.", "Một nghìn hai trăm hộ được cấp nước sạch."),
    (N, "Có 05 hộ bị sập nhà.", "Có năm hộ bị sập nhà."),
    (N, "Có 0 ca mắc mới.", "Có không ca mắc mới."),
    (N, "Giá tăng 3,25 lần.", "Giá tăng ba phẩy hai mươi lăm lần."),
    (N, "Điểm trung bình đạt 0,5 điểm.", "Điểm trung bình đạt không phẩy năm điểm."),
    (N, "Năng suất tăng 2.5 lần.", "Năng suất tăng hai phẩy năm lần."),
    (N, "Sản lượng 1.234,5 tấn.", "Sản lượng một nghìn hai trăm ba mươi bốn phẩy năm tấn."),
    (N, "Chỉ số giảm 0,05 điểm.", "Chỉ số giảm không phẩy không năm điểm."),
    (N, "Vốn đầu tư 2,5 tỷ đồng.", "Vốn đầu tư hai phẩy năm tỷ đồng."),
    (N, "Tổng vốn 1.500 tỷ đồng.", "Tổng vốn một nghìn năm trăm tỷ đồng."),
    (S, "Tổng vốn 1.500 tỷ đồng.", "Tổng vốn một ngàn năm trăm tỷ đồng."),
    (N, "Năm 2025 là năm bản lề.", "Năm hai nghìn không trăm hai mươi lăm là năm bản lề."),
    (N, "Từ năm 2000 đến nay.", "Từ năm hai nghìn đến nay."),
    (N, "Thành lập năm 2001.", "Thành lập năm hai nghìn không trăm linh một."),
    (S, "Thành lập năm 2001.", "Thành lập năm hai ngàn không trăm lẻ một."),
    (N, "Giải phóng năm 1975.", "Giải phóng năm một nghìn chín trăm bảy mươi lăm."),
    (N, "Đến năm 2010, xã đạt chuẩn.", "Đến năm hai nghìn không trăm mười, xã đạt chuẩn."),
    (N, "Khóm 3, ấp 4 bị ngập.", "Khóm ba, ấp bốn bị ngập."),
    (N, "Học sinh lớp 5A nghỉ học.", "Học sinh lớp năm a nghỉ học."),
    (N, "Thứ 2 tuần sau họp tổ.", "Thứ hai tuần sau họp tổ."),
    (N, "Chiều thứ 4 tiêm vắc xin.", "Chiều thứ tư tiêm vắc xin."),
    (N, "Đây là lần thứ 1 tổ chức.", "Đây là lần thứ nhất tổ chức."),
    (N, "Trực 24/24 giờ.", "Trực hai mươi bốn trên hai mươi bốn giờ."),
]

DATES: list[tuple[str, str, str]] = [
    (
        N,
        "Ngày 20-5, Ban Dân tộc tỉnh tổ chức hội nghị.",
        "Ngày hai mươi tháng năm, Ban Dân tộc tỉnh tổ chức hội nghị.",
    ),
    (
        N,
        "Ngày 22/05/2019, UBND xã thông báo.",
        "Ngày hai mươi hai tháng năm năm hai nghìn không trăm mười chín, "
        "ủy ban nhân dân xã thông báo.",
    ),
    (
        S,
        "Ngày 22/05/2019, UBND xã thông báo.",
        "Ngày hai mươi hai tháng năm năm hai ngàn không trăm mười chín, "
        "ủy ban nhân dân xã thông báo.",
    ),
    (
        N,
        "Hạn chót là 15/3/2025.",
        "Hạn chót là ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi lăm.",
    ),
    (
        N,
        "Sáng 20-5, đoàn công tác làm việc tại xã.",
        "Sáng hai mươi tháng năm, đoàn công tác làm việc tại xã.",
    ),
    (N, "Chiều 21-5, hội nghị bế mạc.", "Chiều hai mươi mốt tháng năm, hội nghị bế mạc."),
    (
        N,
        "Từ ngày 01/6/2025, xã áp dụng quy định mới.",
        "Từ ngày một tháng sáu năm hai nghìn không trăm hai mươi lăm, xã áp dụng quy định mới.",
    ),
    (
        N,
        "Tháng 5/2025, xã hoàn thành 3 tuyến đường.",
        "Tháng năm năm hai nghìn không trăm hai mươi lăm, xã hoàn thành ba tuyến đường.",
    ),
    (N, "Trong tháng 4, xã tiêm cho 300 trẻ.", "Trong tháng tư, xã tiêm cho ba trăm trẻ."),
    (N, "Ngày 1/5 là ngày Quốc tế Lao động.", "Ngày một tháng năm là ngày Quốc tế Lao động."),
    (
        N,
        "Từ 20-25/5, xã tổ chức tiêm chủng.",
        "Từ hai mươi đến hai mươi lăm tháng năm, xã tổ chức tiêm chủng.",
    ),
    (
        N,
        "Từ ngày 20/5 đến 25/5/2025.",
        "Từ ngày hai mươi tháng năm đến ngày hai mươi lăm tháng năm "
        "năm hai nghìn không trăm hai mươi lăm.",
    ),
    (
        N,
        "Đợt cao điểm từ 20/5 - 25/5/2025.",
        "Đợt cao điểm từ ngày hai mươi tháng năm đến ngày hai mươi lăm tháng năm "
        "năm hai nghìn không trăm hai mươi lăm.",
    ),
    (
        N,
        "Ngày 20-5-2025, xã tổ chức lễ ra quân.",
        "Ngày hai mươi tháng năm năm hai nghìn không trăm hai mươi lăm, xã tổ chức lễ ra quân.",
    ),
    (
        N,
        "Ngày 22.05.2019 xã được công nhận.",
        "Ngày hai mươi hai tháng năm năm hai nghìn không trăm mười chín xã được công nhận.",
    ),
    (
        N,
        "Trong quý I/2025, xã giải ngân 80% vốn.",
        "Trong quý một năm hai nghìn không trăm hai mươi lăm, xã giải ngân tám mươi phần trăm vốn.",
    ),
    (
        N,
        "Kết quả 6 tháng đầu năm 2025.",
        "Kết quả sáu tháng đầu năm hai nghìn không trăm hai mươi lăm.",
    ),
    (
        N,
        "Đến tháng 12/2024, toàn xã có 1.250 hộ.",
        "Đến tháng mười hai năm hai nghìn không trăm hai mươi bốn, "
        "toàn xã có một nghìn hai trăm năm mươi hộ.",
    ),
    (N, "Phấn đấu giảm 1/2 số hộ nghèo.", "Phấn đấu giảm một phần hai số hộ nghèo."),
    (N, "Lúa chiếm 3/4 diện tích.", "Lúa chiếm ba phần tư diện tích."),
    (N, "Ngày 20 - 5, xã họp dân.", "Ngày hai mươi tháng năm, xã họp dân."),
    (N, "Lễ phát động (20-5) diễn ra.", "Lễ phát động (ngày hai mươi tháng năm) diễn ra."),
    (N, "Hội nghị sơ kết quý IV.", "Hội nghị sơ kết quý bốn."),
    (N, "Đại hội lần thứ XIII của Đảng.", "Đại hội lần thứ mười ba của Đảng."),
    (N, "Đại biểu Quốc hội khóa XV.", "Đại biểu Quốc hội khóa mười lăm."),
]

RANGES_AND_TIMES: list[tuple[str, str, str]] = [
    (
        N,
        "Giai đoạn 2019-2025, xã đạt nhiều kết quả.",
        "Giai đoạn hai nghìn không trăm mười chín đến hai nghìn không trăm hai mươi lăm, "
        "xã đạt nhiều kết quả.",
    ),
    (
        S,
        "Giai đoạn 2019-2025, xã đạt nhiều kết quả.",
        "Giai đoạn hai ngàn không trăm mười chín đến hai ngàn không trăm hai mươi lăm, "
        "xã đạt nhiều kết quả.",
    ),
    (
        N,
        "Nhiệm kỳ 2020 - 2025 đã hoàn thành.",
        "Nhiệm kỳ hai nghìn không trăm hai mươi đến hai nghìn không trăm hai mươi lăm "
        "đã hoàn thành.",
    ),
    (
        N,
        "Chương trình giai đoạn 2021–2025.",
        "Chương trình giai đoạn hai nghìn không trăm hai mươi mốt đến "
        "hai nghìn không trăm hai mươi lăm.",
    ),
    (
        N,
        "Năm học 2024-2025 bắt đầu.",
        "Năm học hai nghìn không trăm hai mươi bốn đến hai nghìn không trăm hai mươi lăm bắt đầu.",
    ),
    (
        N,
        "Mỗi hộ được hỗ trợ từ 5-7 triệu đồng.",
        "Mỗi hộ được hỗ trợ từ năm đến bảy triệu đồng.",
    ),
    (
        N,
        "Lượng mưa phổ biến 100-150 mm.",
        "Lượng mưa phổ biến một trăm đến một trăm năm mươi mi li mét.",
    ),
    (N, "Nhiệt độ 35-37°C.", "Nhiệt độ ba mươi lăm đến ba mươi bảy độ xê."),
    (
        N,
        "Gió cấp 8, giật cấp 10 (62-74 km/h).",
        "Gió cấp tám, giật cấp mười (sáu mươi hai đến bảy mươi bốn ki lô mét một giờ).",
    ),
    (N, "Tỷ lệ tăng 10-15%.", "Tỷ lệ tăng mười đến mười lăm phần trăm."),
    (N, "Đúng 08:52 sáng nay.", "Đúng tám giờ năm mươi hai phút sáng nay."),
    (N, "Lúc 6h30 sáng mai.", "Lúc sáu giờ ba mươi phút sáng mai."),
    (N, "Từ 17 giờ ngày 15/3.", "Từ mười bảy giờ ngày mười lăm tháng ba."),
    (N, "Lúc 7h, xã ra quân.", "Lúc bảy giờ, xã ra quân."),
    (N, "Khai mạc lúc 7h00.", "Khai mạc lúc bảy giờ."),
    (N, "Tiếp dân từ 7h-11h sáng.", "Tiếp dân từ bảy giờ đến mười một giờ sáng."),
    (
        N,
        "Làm việc từ 13h30 đến 17h.",
        "Làm việc từ mười ba giờ ba mươi phút đến mười bảy giờ.",
    ),
    (N, "Vào lúc 14:05 hôm qua.", "Vào lúc mười bốn giờ năm phút hôm qua."),
    (N, "17:00 - 19:00 phát thanh.", "Mười bảy giờ đến mười chín giờ phát thanh."),
    (N, "Cúp điện từ 7-11h.", "Cúp điện từ bảy đến mười một giờ."),
    (N, "Tập trung lúc 6g30.", "Tập trung lúc sáu giờ ba mươi phút."),
    (N, "Lúc 10 giờ 30 phút.", "Lúc mười giờ ba mươi phút."),
    (N, "Mưa 100 mm trong 24h.", "Mưa một trăm mi li mét trong hai mươi bốn giờ."),
]

PERCENT_MONEY_UNITS: list[tuple[str, str, str]] = [
    (
        N,
        "100% người có uy tín, 90% ĐBDTTS tham gia BHYT.",
        "Một trăm phần trăm người có uy tín, chín mươi phần trăm đồng bào dân tộc thiểu số "
        "tham gia bảo hiểm y tế.",
    ),
    (N, "Tỷ lệ hộ nghèo giảm còn 12,5%.", "Tỷ lệ hộ nghèo giảm còn mười hai phẩy năm phần trăm."),
    (N, "Tỷ lệ tiêm chủng đạt 95 %.", "Tỷ lệ tiêm chủng đạt chín mươi lăm phần trăm."),
    (N, "Thu ngân sách đạt 100,5%.", "Thu ngân sách đạt một trăm phẩy năm phần trăm."),
    (N, "Lãi suất tăng 1,25%.", "Lãi suất tăng một phẩy hai mươi lăm phần trăm."),
    (N, "Tỷ lệ đạt 99,75%.", "Tỷ lệ đạt chín mươi chín phẩy bảy mươi lăm phần trăm."),
    (
        N,
        "Giá 1.250.000đ một bao.",
        "Giá một triệu hai trăm năm mươi nghìn đồng một bao.",
    ),
    (
        S,
        "Giá 1.250.000đ một bao.",
        "Giá một triệu hai trăm năm mươi ngàn đồng một bao.",
    ),
    (N, "Hỗ trợ 2 triệu đồng cho mỗi hộ.", "Hỗ trợ hai triệu đồng cho mỗi hộ."),
    (N, "Tổng kinh phí 350 triệu VNĐ.", "Tổng kinh phí ba trăm năm mươi triệu đồng."),
    (N, "Mức phạt 500.000 đồng.", "Mức phạt năm trăm nghìn đồng."),
    (S, "Mức phạt 500.000 đồng.", "Mức phạt năm trăm ngàn đồng."),
    (N, "Giá lúa 7.500 đồng/kg.", "Giá lúa bảy nghìn năm trăm đồng một ki lô gam."),
    (N, "Lương 5 triệu đồng/tháng.", "Lương năm triệu đồng một tháng."),
    (
        N,
        "Thu nhập bình quân 60 triệu đồng/người/năm.",
        "Thu nhập bình quân sáu mươi triệu đồng một người một năm.",
    ),
    (N, "Giá vé 25.000 VND.", "Giá vé hai mươi lăm nghìn đồng."),
    (N, "Viện trợ 10.000 USD.", "Viện trợ mười nghìn đô la Mỹ."),
    (N, "Mức hỗ trợ 1,5 triệu đồng/người.", "Mức hỗ trợ một phẩy năm triệu đồng một người."),
    (S, "Kinh phí 3 tỷ đồng.", "Kinh phí ba tỷ đồng."),
    (N, "Phí 15.000đ/lượt.", "Phí mười lăm nghìn đồng một lượt."),
    (S, "Giá 105.000 đồng.", "Giá một trăm lẻ năm ngàn đồng."),
    (N, "Diện tích 105 ha lúa.", "Diện tích một trăm linh năm héc ta lúa."),
    (S, "Diện tích 105 ha lúa.", "Diện tích một trăm lẻ năm héc ta lúa."),
    (N, "Đường dài 12 km.", "Đường dài mười hai ki lô mét."),
    (N, "Lượng mưa 150 mm.", "Lượng mưa một trăm năm mươi mi li mét."),
    (N, "Nhiệt độ 35°C.", "Nhiệt độ ba mươi lăm độ xê."),
    (N, "Tốc độ tối đa 60 km/h.", "Tốc độ tối đa sáu mươi ki lô mét một giờ."),
    (N, "Bể chứa 500 m3 nước.", "Bể chứa năm trăm mét khối nước."),
    (N, "Nhà văn hóa rộng 120 m².", "Nhà văn hóa rộng một trăm hai mươi mét vuông."),
    (N, "Cầu dài 45 m.", "Cầu dài bốn mươi lăm mét."),
    (
        N,
        "Trồng 2.000 cây xanh trên 3,5 km đường.",
        "Trồng hai nghìn cây xanh trên ba phẩy năm ki lô mét đường.",
    ),
    (N, "Mực nước 1,2 m.", "Mực nước một phẩy hai mét."),
    (N, "Năng suất 6,5 tấn/ha.", "Năng suất sáu phẩy năm tấn một héc ta."),
    (N, "Năng suất đạt 7 tấn mỗi ha.", "Năng suất đạt bảy tấn mỗi héc ta."),
    (N, "Cấp 50 kg gạo.", "Cấp năm mươi ki lô gam gạo."),
    (N, "Diện tích 12 km².", "Diện tích mười hai ki lô mét vuông."),
    (N, "Nhiệt độ 18 độ C.", "Nhiệt độ mười tám độ xê."),
    (N, "Công suất 2 MW.", "Công suất hai mê ga oát."),
    (N, "Lưu lượng 3 m³/s.", "Lưu lượng ba mét khối một giây."),
    (N, "Sạt lở 30 m bờ kè.", "Sạt lở ba mươi mét bờ kè."),
    (N, "Giá đất mỗi m2 tăng.", "Giá đất mỗi mét vuông tăng."),
    (
        N,
        "Nhà rộng 80 m² và sân 20m2.",
        "Nhà rộng tám mươi mét vuông và sân hai mươi mét vuông.",
    ),
]

PHONES: list[tuple[str, str, str]] = [
    (
        N,
        "Gọi số 0913 123 456 để được hỗ trợ.",
        "Gọi số không chín một ba, một hai ba, bốn năm sáu để được hỗ trợ.",
    ),
    (
        N,
        "Điện thoại: 0296.3852.123.",
        "Điện thoại: không hai chín sáu, ba tám năm hai, một hai ba.",
    ),
    (
        N,
        "Liên hệ ĐT: 0913123456.",
        "Liên hệ điện thoại: không chín một ba, một hai ba, bốn năm sáu.",
    ),
    (
        N,
        "Đường dây nóng 1900 1234.",
        "Đường dây nóng một chín không không, một hai ba bốn.",
    ),
    (N, "Gọi 114 khi có cháy.", "Gọi một một bốn khi có cháy."),
    (N, "Khi cần cấp cứu, gọi 115.", "Khi cần cấp cứu, gọi một một năm."),
    (
        N,
        "SĐT 0377 456 789.",
        "Số điện thoại không ba bảy bảy, bốn năm sáu, bảy tám chín.",
    ),
    (
        N,
        "Liên hệ (0296) 3852 123.",
        "Liên hệ không hai chín sáu, ba tám năm hai, một hai ba.",
    ),
    (
        N,
        "Gọi +84 913 123 456.",
        "Gọi cộng tám bốn, chín một ba, một hai ba, bốn năm sáu.",
    ),
    (
        N,
        "Số máy 0296-3852-123.",
        "Số máy không hai chín sáu, ba tám năm hai, một hai ba.",
    ),
    (
        N,
        "Gọi hotline 0913.123.456.",
        "Gọi hotline không chín một ba, một hai ba, bốn năm sáu.",
    ),
]

ABBREVIATION_CASES: list[tuple[str, str, str]] = [
    (
        N,
        "UBND xã thông báo lịch tiêm chủng.",
        "Ủy ban nhân dân xã thông báo lịch tiêm chủng.",
    ),
    (
        N,
        "Các đơn vị tham gia gồm UBND, MTTQ, HĐND.",
        "Các đơn vị tham gia gồm ủy ban nhân dân, mặt trận tổ quốc, hội đồng nhân dân.",
    ),
    (N, "Phối hợp với CA, QS xã.", "Phối hợp với công an, quân sự xã."),
    (
        N,
        "Đảm bảo ATGT và PCCC trong mùa khô.",
        "Đảm bảo an toàn giao thông và phòng cháy chữa cháy trong mùa khô.",
    ),
    (
        N,
        "Phát triển KT-XH vùng ĐBDTTS.",
        "Phát triển kinh tế xã hội vùng đồng bào dân tộc thiểu số.",
    ),
    (
        N,
        "Có 25 HTX tham gia xây dựng NTM.",
        "Có hai mươi lăm hợp tác xã tham gia xây dựng nông thôn mới.",
    ),
    (
        N,
        "Ban chỉ huy PCTT và TKCN xã họp.",
        "Ban chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn xã họp.",
    ),
    (
        N,
        "Ban chỉ huy PCTT&TKCN huyện.",
        "Ban chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn huyện.",
    ),
    (
        N,
        "Giữ vững ANTT, ANQP trên địa bàn.",
        "Giữ vững an ninh trật tự, an ninh quốc phòng trên địa bàn.",
    ),
    (
        N,
        "Đoàn TNCS Hồ Chí Minh xã ra quân.",
        "Đoàn thanh niên cộng sản Hồ Chí Minh xã ra quân.",
    ),
    (N, "UBMTTQ xã vận động ủng hộ.", "Ủy ban mặt trận tổ quốc xã vận động ủng hộ."),
    (
        N,
        "Học sinh THCS, THPT nghỉ học.",
        "Học sinh trung học cơ sở, trung học phổ thông nghỉ học.",
    ),
    (
        N,
        "Người dân tham gia BHYT, BHXH tự nguyện.",
        "Người dân tham gia bảo hiểm y tế, bảo hiểm xã hội tự nguyện.",
    ),
    (
        N,
        "Ứng dụng CNTT trong cải cách hành chính.",
        "Ứng dụng công nghệ thông tin trong cải cách hành chính.",
    ),
    (N, "Mang theo CCCD khi đi bầu cử.", "Mang theo căn cước công dân khi đi bầu cử."),
    (N, "Sở NN&PTNT khuyến cáo.", "Sở nông nghiệp và phát triển nông thôn khuyến cáo."),
    (N, "Phòng LĐ-TB&XH huyện.", "Phòng lao động thương binh và xã hội huyện."),
    (N, "Sở GD&ĐT tỉnh.", "Sở giáo dục và đào tạo tỉnh."),
    (
        N,
        "Vùng ĐBSCL chịu ảnh hưởng của BĐKH.",
        "Vùng đồng bằng sông Cửu Long chịu ảnh hưởng của biến đổi khí hậu.",
    ),
    (N, "Liên hệ Đ/c Trưởng ấp.", "Liên hệ đồng chí Trưởng ấp."),
    (N, "TP. Cần Thơ mưa lớn.", "Thành phố Cần Thơ mưa lớn."),
    (N, "Người dân TP.HCM về quê.", "Người dân thành phố Hồ Chí Minh về quê."),
    (N, "Phòng chống dịch COVID-19.", "Phòng chống dịch cô vít mười chín."),
    (N, "UBND-HĐND xã.", "Ủy ban nhân dân - hội đồng nhân dân xã."),
    (N, "Vay vốn NHCSXH.", "Vay vốn ngân hàng chính sách xã hội."),
    (N, "Chuyển khoản qua BIDV, VCB.", "Chuyển khoản qua bê i dê vê, vê xê bê."),
    (N, "Tập trung tại khu B, ấp C.", "Tập trung tại khu bê, ấp xê."),
    (N, "Trạm Y tế xã (ấp Phước Lộc) mở cửa.", "Trạm Y tế xã (ấp Phước Lộc) mở cửa."),
    (
        N,
        "Bà con lưu ý... Đề nghị phối hợp với UBND, QS.",
        "Bà con lưu ý… Đề nghị phối hợp với ủy ban nhân dân, quân sự.",
    ),
    (N, "Kinh tế sa sút, trời se lạnh.", "Kinh tế sa sút, trời se lạnh."),
    (N, "Ông Thạch Sa Rết ở ấp Sa Bình.", "Ông Thạch Sa Rết ở ấp Sa Bình."),
    (N, "THÔNG BÁO KHẨN", "Thông Báo Khẩn"),
    (
        N,
        "Hưởng ứng phong trào “Toàn dân đoàn kết”.",
        "Hưởng ứng phong trào Toàn dân đoàn kết.",
    ),
    (
        N,
        "Xem chi tiết tại www.angiang.gov.vn.",
        "Xem chi tiết tại w w w chấm angiang chấm gov chấm vn.",
    ),
]

DOCUMENTS_AND_ROADS: list[tuple[str, str, str]] = [
    (
        N,
        "Thực hiện Nghị định 49/2024/NĐ-CP.",
        "Thực hiện Nghị định bốn mươi chín năm hai nghìn không trăm hai mươi bốn của Chính phủ.",
    ),
    (
        N,
        "Theo Quyết định số 18/2021/QĐ-TTg của Thủ tướng.",
        "Theo Quyết định số mười tám năm hai nghìn không trăm hai mươi mốt của Thủ tướng.",
    ),
    (N, "Thực hiện Chỉ thị số 05-CT/TU.", "Thực hiện Chỉ thị số năm của Tỉnh ủy."),
    (
        N,
        "Theo Kế hoạch số 12/KH-UBND.",
        "Theo Kế hoạch số mười hai của Ủy ban nhân dân.",
    ),
    (
        N,
        "Thông tư 39/2020/TT-BTTTT quy định.",
        "Thông tư ba mươi chín năm hai nghìn không trăm hai mươi "
        "của Bộ Thông tin và Truyền thông quy định.",
    ),
    (
        N,
        "Nghị quyết số 88/2019/QH14.",
        "Nghị quyết số tám mươi tám năm hai nghìn không trăm mười chín của Quốc hội.",
    ),
    (
        N,
        "Thực hiện Kế hoạch số 45/KH-UBND ngày 10/3/2025 của UBND huyện.",
        "Thực hiện Kế hoạch số bốn mươi lăm ngày mười tháng ba năm hai nghìn không trăm "
        "hai mươi lăm của ủy ban nhân dân huyện.",
    ),
    (
        N,
        "Nghị định 49/2024/NĐ-CP của Chính phủ quy định rõ.",
        "Nghị định bốn mươi chín năm hai nghìn không trăm hai mươi bốn của Chính phủ quy định rõ.",
    ),
    (N, "Sạt lở trên QL91.", "Sạt lở trên quốc lộ chín mươi mốt."),
    (
        N,
        "Cấm xe trên tuyến ĐT942.",
        "Cấm xe trên tuyến đường tỉnh chín trăm bốn mươi hai.",
    ),
    (N, "Ùn tắc trên QL1A.", "Ùn tắc trên quốc lộ một a."),
]

PARAGRAPHS: list[tuple[str, str, str]] = [
    (
        N,
        "- Thời gian: từ 7h30.\n+ Địa điểm: nhà văn hóa ấp.",
        "Thời gian: từ bảy giờ ba mươi phút.\nĐịa điểm: nhà văn hóa ấp.",
    ),
    (
        N,
        "UBND xã Tân Lập thông báo\n"
        "Ngày 20-5, xã tổ chức tiêm chủng.\n\n"
        "Đề nghị 100% hộ dân tham gia.",
        "Ủy ban nhân dân xã Tân Lập thông báo\n"
        "Ngày hai mươi tháng năm, xã tổ chức tiêm chủng.\n\n"
        "Đề nghị một trăm phần trăm hộ dân tham gia.",
    ),
    (
        S,
        "Từ ngày 15/3, HTX Tân Tiến thu mua lúa giá 7.000 đồng/kg. Liên hệ 0913 123 456.",
        "Từ ngày mười lăm tháng ba, hợp tác xã Tân Tiến thu mua lúa giá "
        "bảy ngàn đồng một ki lô gam. Liên hệ không chín một ba, một hai ba, bốn năm sáu.",
    ),
]

CASES = (
    NUMBERS
    + DATES
    + RANGES_AND_TIMES
    + PERCENT_MONEY_UNITS
    + PHONES
    + ABBREVIATION_CASES
    + DOCUMENTS_AND_ROADS
    + PARAGRAPHS
)


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 150
    assert len({(region, text) for region, text, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("region", "text", "expected"), CASES)
def test_reading(region: str, text: str, expected: str) -> None:
    assert normalize_vi(text, region) == expected  # type: ignore[arg-type]


NUMBER_TABLES = NUMBERS + DATES + RANGES_AND_TIMES + PERCENT_MONEY_UNITS + PHONES


@pytest.mark.parametrize(("region", "text", "expected"), NUMBER_TABLES)
def test_no_digit_survives(region: str, text: str, expected: str) -> None:
    assert not re.search(r"\d", normalize_vi(text, region))  # type: ignore[arg-type]


@pytest.mark.parametrize("acronym", sorted(k for k in ABBREVIATIONS if k.isupper()))
def test_no_table_acronym_survives(acronym: str) -> None:
    text = f"Đại diện {acronym} xã, {acronym}. {acronym}, và {acronym}"
    out = normalize_vi(text)
    assert not re.search(rf"(?<!\w){re.escape(acronym)}(?!\w)", out)


def test_sentence_final_acronym_list_keeps_its_full_stop() -> None:
    # g2p-hamster alone drops the "." after a final abbreviation and merges the sentences.
    out = normalize("Thành phần gồm UBND, HĐND, MTTQ. Hội nghị bắt đầu.", "vi")
    assert [s.text for s in out.segments] == [
        "Thành phần gồm ủy ban nhân dân, hội đồng nhân dân, mặt trận tổ quốc.",
        "Hội nghị bắt đầu.",
    ]


def test_normalising_twice_changes_nothing_more() -> None:
    for region, text, expected in CASES:
        if "www" in text:
            continue  # a URL's reading contains "chấm", not a URL any more, by design
        assert normalize_vi(expected, region) == expected, text  # type: ignore[arg-type]


def test_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="Vùng đọc không hợp lệ"):
        normalize_vi("Có 5 hộ.", "west")  # type: ignore[arg-type]


def test_normalize_cleans_then_reads_then_splits() -> None:
    decomposed = unicodedata.normalize("NFD", "Ngày 20-5, UBND xã\u200b họp.")
    text = f"  {decomposed}\tCó   25 HTX.\r\n\r\n\r\n\u200bĐề nghị\u00a0bà con tham gia.  "
    out = normalize(text, "vi", "south")
    assert out.original == text
    assert out.language == "vi"
    assert out.text == (
        "Ngày hai mươi tháng năm, ủy ban nhân dân xã họp. Có hai mươi lăm hợp tác xã.\n\n"
        "Đề nghị bà con tham gia."
    )
    assert out.segments == (
        Segment("Ngày hai mươi tháng năm, ủy ban nhân dân xã họp.", SENTENCE_PAUSE_MS),
        Segment("Có hai mươi lăm hợp tác xã.", PARAGRAPH_PAUSE_MS),
        Segment("Đề nghị bà con tham gia.", 0),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.text = ""  # type: ignore[misc]


def test_clean_text() -> None:
    assert clean_text(" a\u200b\u200c\u200d\ufeffb \t c \n\n\n\n d\u00ad ") == "ab c\n\nd"
    assert clean_text("") == ""


def test_empty_text_has_no_segments() -> None:
    out = normalize(" \u200b \n\n ", "vi")
    assert (out.text, out.segments) == ("", ())


def test_normalize_refuses_unknown_language_and_region() -> None:
    with pytest.raises(ValueError, match="Ngôn ngữ không được hỗ trợ"):
        normalize("Hello", "en")
    with pytest.raises(ValueError, match="Vùng đọc không hợp lệ"):
        normalize("Xin chào", "vi", "hanoi")


def test_frontend_version_names_the_wrapped_normaliser() -> None:
    assert FRONTEND_VERSION.startswith("1+g2p-hamster.")
    assert metadata.version("g2p-hamster") in FRONTEND_VERSION
