// Vietnamese labels for everything the desk shows.

export const LANG = { vi: "Tiếng Việt", km: "Tiếng Khmer" };
export const CATEGORY = {
  policy: "Chính sách",
  law: "Pháp luật",
  health: "Y tế",
  agriculture_market: "Nông nghiệp - thị trường",
  science_technology: "Khoa học - công nghệ",
  environment_disaster: "Môi trường - thiên tai",
  security_order: "An ninh - trật tự",
  other: "Khác",
};
export const PRIORITY = { normal: "Thường", priority: "Ưu tiên", emergency: "Khẩn cấp" };
export const STATUS = {
  draft: "Nháp",
  submitted: "Chờ duyệt",
  approved: "Đã duyệt",
  rejected: "Bị từ chối",
  withdrawn: "Đã rút",
  expired: "Hết hạn",
};
export const ROLE = { editor: "Biên tập viên", approver: "Người duyệt", admin: "Quản trị" };
export const AIRING = {
  once: "Phát một lần",
  spread: "Phát nhiều lần trong nhiều ngày",
  every_session: "Phát mọi buổi trong khoảng ngày",
};
export const LINE = {
  aired: "Đã phát",
  late: "Phát trễ",
  playing: "Đang phát",
  skipped: "Bị bỏ qua",
  preempted: "Bị ngắt",
  failed: "Lỗi",
  missed: "Không phát",
  pending: "Chờ phát",
};
export const CAP = { Actual: "Thật", Exercise: "Diễn tập", Test: "Thử nghiệm" };
export const EMERGENCY_STATE = {
  active: "Đang phát",
  cancelled: "Đã dừng",
  done: "Đã xong",
  expired: "Hết hạn",
};
export const CLIP_STATUS = {
  rendering: "Đang tạo âm thanh",
  ready: "Sẵn sàng",
  failed: "Lỗi tạo âm thanh",
  needs_recording: "Cần bản ghi âm",
};
export const ACTIONS = {
  "bulletin.create": "Tạo bản tin",
  "bulletin.edit": "Sửa bản tin",
  "bulletin.submit": "Gửi duyệt",
  "bulletin.approve": "Duyệt",
  "bulletin.reject": "Từ chối",
  "bulletin.withdraw": "Rút bản tin",
  "bulletin.expire": "Hết hạn",
  "clip.render": "Tạo âm thanh",
  "clip.recording": "Tải bản ghi âm",
  "clip.recover": "Khôi phục âm thanh",
};
export const FIELD = {
  title: "Tiêu đề",
  body: "Nội dung",
  text: "Nội dung",
  language: "Ngôn ngữ",
  category: "Lĩnh vực",
  priority: "Mức ưu tiên",
  valid_from: "Hiệu lực từ",
  valid_until: "Hiệu lực đến",
  target_station_codes: "Đài đích",
  target_area_codes: "Địa bàn đích",
  translation_of: "Bản gốc tiếng Việt",
  reason: "Lý do",
  username: "Tên đăng nhập",
  password: "Mật khẩu",
  repeat: "Số lần phát",
  interval_s: "Khoảng cách",
  expires_at: "Hết hạn lúc",
};
export const ERROR_TYPE = {
  missing: "bắt buộc",
  string_too_short: "quá ngắn hoặc để trống",
  string_too_long: "quá dài",
  int_parsing: "phải là số nguyên",
  greater_than_equal: "quá nhỏ",
  less_than_equal: "quá lớn",
  enum: "giá trị không hợp lệ",
  literal_error: "giá trị không hợp lệ",
  datetime_parsing: "ngày giờ không hợp lệ",
  date_parsing: "ngày không hợp lệ",
  too_long: "quá nhiều mục",
};
export const HTTP = {
  0: "Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.",
  401: "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn.",
  403: "Bạn không có quyền làm việc này.",
  404: "Không tìm thấy.",
  409: "Trạng thái đã thay đổi, hãy tải lại trang.",
  413: "Dữ liệu quá lớn.",
  422: "Dữ liệu không hợp lệ.",
  500: "Máy chủ gặp lỗi, vui lòng thử lại sau.",
};
