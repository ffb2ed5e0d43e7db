// Loa review desk: a small single-page client of the public JSON API (/api/v1).
// No framework and no build step: DOM built with h(), text always set as text (never as HTML),
// the signed-in user's bearer token kept in this tab's sessionStorage.

const API = document.querySelector('meta[name="loa-api"]').content;
const TOKEN_KEY = "loa.desk.token";
const view = document.getElementById("view");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const flashBox = document.getElementById("flash");

const state = { token: sessionStorage.getItem(TOKEN_KEY), me: null, cache: {} };
let renderSeq = 0; // a newer navigation makes older async renders drop their output

// ------------------------------------------------------------------ labels (Vietnamese)
const LANG = { vi: "Tiếng Việt", km: "Tiếng Khmer" };
const CATEGORY = {
  policy: "Chính sách",
  law: "Pháp luật",
  health: "Y tế",
  agriculture_market: "Nông nghiệp - thị trường",
  science_technology: "Khoa học - công nghệ",
  environment_disaster: "Môi trường - thiên tai",
  security_order: "An ninh - trật tự",
  other: "Khác",
};
const PRIORITY = { normal: "Thường", priority: "Ưu tiên", emergency: "Khẩn cấp" };
const STATUS = {
  draft: "Nháp",
  submitted: "Chờ duyệt",
  approved: "Đã duyệt",
  rejected: "Bị từ chối",
  withdrawn: "Đã rút",
  expired: "Hết hạn",
};
const ROLE = { editor: "Biên tập viên", approver: "Người duyệt", admin: "Quản trị" };
const AIRING = {
  once: "Phát một lần",
  spread: "Phát nhiều lần trong nhiều ngày",
  every_session: "Phát mọi buổi trong khoảng ngày",
};
const LINE = {
  aired: "Đã phát",
  late: "Phát trễ",
  playing: "Đang phát",
  skipped: "Bị bỏ qua",
  preempted: "Bị ngắt",
  failed: "Lỗi",
  missed: "Không phát",
  pending: "Chờ phát",
};
const CAP = { Actual: "Thật", Exercise: "Diễn tập", Test: "Thử nghiệm" };
const EMERGENCY_STATE = {
  active: "Đang phát",
  cancelled: "Đã dừng",
  done: "Đã xong",
  expired: "Hết hạn",
};
const CLIP_STATUS = {
  rendering: "Đang tạo âm thanh",
  ready: "Sẵn sàng",
  failed: "Lỗi tạo âm thanh",
  needs_recording: "Cần bản ghi âm",
};
const ACTIONS = {
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
const FIELD = {
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
const ERROR_TYPE = {
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
const HTTP = {
  0: "Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.",
  401: "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn.",
  403: "Bạn không có quyền làm việc này.",
  404: "Không tìm thấy.",
  409: "Trạng thái đã thay đổi, hãy tải lại trang.",
  413: "Dữ liệu quá lớn.",
  422: "Dữ liệu không hợp lệ.",
  500: "Máy chủ gặp lỗi, vui lòng thử lại sau.",
};

// ------------------------------------------------------------------ DOM helpers
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
const badge = (cls, text) => h("span", { class: `badge ${cls}` }, text);
const langAttr = (language) => (language === "km" ? "km" : "vi");

function flash(message, ok = false) {
  flashBox.textContent = message;
  flashBox.classList.toggle("ok", ok);
  flashBox.hidden = !message;
  if (message) flashBox.scrollIntoView({ block: "nearest" });
}

// Times in the user's zone, or in a station's own zone (`timeZone`) for its programme.
function fmtTime(iso, withDate = true, timeZone = undefined) {
  if (!iso) return "—";
  const d = new Date(iso);
  const opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone };
  if (withDate) Object.assign(opts, { day: "2-digit", month: "2-digit", year: "numeric" });
  return d.toLocaleString("vi-VN", opts);
}
const fmtDuration = (ms) => (ms == null ? "—" : `${(ms / 1000).toFixed(1).replace(".", ",")} giây`);
const fmtLufs = (v) => (v == null ? "—" : `${v.toFixed(1).replace(".", ",")} LUFS`);

// ------------------------------------------------------------------ API
class ApiError extends Error {
  constructor(status, message, fields = []) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

function fieldMessage(err) {
  const field = String(err.field || "");
  const name = FIELD[field.split(".")[0]] || field || "Nội dung";
  if (err.type === "value_error") return `${name}: ${String(err.message).replace(/^Value error, /, "")}`;
  return `${name}: ${ERROR_TYPE[err.type] || "không hợp lệ"}`;
}

async function problemOf(response) {
  let detail = null;
  let fields = [];
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string") detail = body.detail;
    if (body && Array.isArray(body.errors)) fields = body.errors;
  } catch (_) {
    // not JSON: fall back to the status text below, never the raw body
  }
  if (fields.length) detail = fields.map(fieldMessage).join("; ");
  return new ApiError(response.status, detail || HTTP[response.status] || `Lỗi máy chủ (${response.status}).`, fields);
}

async function api(path, { method = "GET", json, form, formData } = {}) {
  const headers = { Accept: "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = new URLSearchParams(form);
  } else if (formData) {
    body = formData;
  }
  let response;
  try {
    response = await fetch(API + path, { method, headers, body });
  } catch (_) {
    throw new ApiError(0, HTTP[0]);
  }
  if (response.status === 401 && state.token) {
    signOut("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.");
    throw new ApiError(401, HTTP[401]);
  }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return null;
  return response.json();
}

async function cached(key, loader) {
  if (!(key in state.cache)) state.cache[key] = await loader();
  return state.cache[key];
}
const stationsList = () => cached("stations", async () => (await api("/stations?limit=200")).items);
const areasList = () => cached("areas", async () => (await api("/areas?limit=200")).items);

// Run an action from a button: disable it meanwhile, show the error in Vietnamese.
async function act(button, fn) {
  if (button) button.disabled = true;
  flash("");
  try {
    return await fn();
  } catch (err) {
    flash(err instanceof ApiError ? err.message : `Lỗi: ${err.message}`);
    return undefined;
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

// ------------------------------------------------------------------ session
function signOut(message) {
  state.token = null;
  state.me = null;
  state.cache = {};
  sessionStorage.removeItem(TOKEN_KEY);
  location.hash = "#/login";
  if (message) flash(message);
}

const isReviewer = () => state.me && (state.me.role === "approver" || state.me.role === "admin");

function renderChrome(route) {
  nav.replaceChildren();
  who.replaceChildren();
  if (!state.me) return;
  const links = [["#/compose", "Soạn tin", "compose"]];
  if (isReviewer()) links.push(["#/queue", "Chờ duyệt", "queue"]);
  links.push(["#/bulletins", isReviewer() ? "Bản tin" : "Bản tin của tôi", "bulletins"]);
  links.push(["#/today", "Hôm nay", "today"]);
  if (isReviewer()) links.push(["#/emergency", "Khẩn cấp", "emergency"]);
  for (const [href, text, name] of links) {
    const attrs = { href, "data-nav": name, class: name === "emergency" ? "danger" : null };
    if (route === name) attrs["aria-current"] = "page";
    nav.append(h("a", attrs, text));
  }
  who.append(
    h("span", { id: "me" }, `${state.me.full_name || state.me.username} · ${ROLE[state.me.role] || state.me.role}`),
    h("button", { type: "button", id: "sign-out", onclick: () => signOut("Đã đăng xuất.") }, "Đăng xuất"),
  );
}

function viewLogin() {
  const user = h("input", { type: "text", id: "username", name: "username", autocomplete: "username", required: true, maxlength: "64" });
  const pass = h("input", { type: "password", id: "password", name: "password", autocomplete: "current-password", required: true, maxlength: "256" });
  const submit = h("button", { type: "submit", class: "primary", id: "sign-in" }, "Đăng nhập");
  const form = h(
    "form",
    { class: "card login", id: "login-form", novalidate: true },
    h("h1", {}, "Đăng nhập"),
    h("label", { for: "username" }, "Tên đăng nhập"),
    user,
    h("label", { for: "password" }, "Mật khẩu"),
    pass,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!user.value.trim() || !pass.value) {
      flash("Vui lòng nhập tên đăng nhập và mật khẩu.");
      return;
    }
    act(submit, async () => {
      const token = await api("/auth/token", { method: "POST", form: { username: user.value.trim(), password: pass.value } });
      state.token = token.access_token;
      sessionStorage.setItem(TOKEN_KEY, state.token);
      state.me = await api("/auth/me");
      flash("");
      location.hash = isReviewer() ? "#/queue" : "#/compose";
    });
  });
  return form;
}

// ------------------------------------------------------------------ clips and the player
async function clipsOf(bulletin) {
  const clips = await api(`/bulletins/${bulletin.id}/clips`);
  return clips.filter((c) => c.bulletin_version === bulletin.version).sort((a, b) => b.id - a.id);
}
const readyClip = (clips) => clips.find((c) => c.status === "ready") || null;

function clipFacts(clip) {
  return h(
    "dl",
    { class: "facts clip-facts" },
    h("dt", {}, "Nguồn"),
    h("dd", { class: "clip-engine" }, clip.source === "recording" ? "Bản ghi âm" : `${clip.engine || "—"} · ${clip.voice || "—"}`),
    h("dt", {}, "Thời lượng"),
    h("dd", { class: "clip-duration" }, fmtDuration(clip.duration_ms)),
    h("dt", {}, "Độ to"),
    h("dd", { class: "clip-loudness" }, `${fmtLufs(clip.loudness_lufs)} · đỉnh ${clip.true_peak_dbtp == null ? "—" : clip.true_peak_dbtp.toFixed(1).replace(".", ",")} dBTP`),
  );
}

// An audio player that reports once the clip was heard to the end (played or scrubbed).
function player(clip, onHeard) {
  const audio = h("audio", { controls: true, preload: "metadata", src: clip.audio_url, class: "clip-audio", dataset: { clipId: String(clip.id) } });
  const heard = h("span", { class: "muted listen-state" }, "Chưa nghe hết bản âm thanh.");
  audio.addEventListener("ended", () => {
    audio.dataset.heard = "1";
    heard.textContent = "Đã nghe hết bản âm thanh.";
    if (onHeard) onHeard();
  });
  audio.addEventListener("error", () => {
    heard.textContent = "Không phát được bản âm thanh (đường dẫn có thể đã hết hạn, hãy tải lại trang).";
  });
  return h("div", { class: "player" }, audio, heard);
}

// ------------------------------------------------------------------ review card
function bulletinHeader(b) {
  return h(
    "div",
    { class: "row" },
    badge(b.priority, PRIORITY[b.priority] || b.priority),
    badge(`st-${b.status}`, STATUS[b.status] || b.status),
    badge("normal", LANG[b.language] || b.language),
    h("span", { class: "muted" }, CATEGORY[b.category] || b.category),
  );
}

function targetsText(b) {
  const parts = [];
  if (b.target_station_codes.length) parts.push(`Đài: ${b.target_station_codes.join(", ")}`);
  if (b.target_area_codes.length) parts.push(`Địa bàn: ${b.target_area_codes.join(", ")}`);
  return parts.join(" · ");
}

function bulletinFacts(b) {
  const airing = b.airing || {};
  let rule = AIRING[airing.mode] || airing.mode || "";
  if (airing.mode === "spread") rule += ` (${airing.times} lần / ${airing.days} ngày)`;
  if (airing.mode === "every_session") rule += ` (${airing.first_day} → ${airing.last_day})`;
  return h(
    "dl",
    { class: "facts" },
    h("dt", {}, "Tác giả"),
    h("dd", {}, b.author_username || `#${b.author_id}`),
    h("dt", {}, "Phiên bản"),
    h("dd", {}, `${b.version} · cập nhật ${fmtTime(b.updated_at)}`),
    h("dt", {}, "Phát tới"),
    h("dd", {}, targetsText(b)),
    h("dt", {}, "Hiệu lực"),
    h("dd", {}, `${fmtTime(b.valid_from)} → ${fmtTime(b.valid_until)}`),
    h("dt", {}, "Lịch phát"),
    h("dd", {}, rule),
    b.translation_of ? [h("dt", {}, "Bản dịch của"), h("dd", {}, h("a", { href: `#/b/${b.translation_of}` }, `bản tin #${b.translation_of}`))] : null,
  );
}

async function reviewCard(b, { onDone } = {}) {
  const clips = await clipsOf(b);
  const clip = readyClip(clips);
  const card = h(
    "article",
    { class: `card review ${b.priority}`, dataset: { bulletinId: String(b.id) } },
    h("h2", { class: "title", lang: langAttr(b.language) }, h("a", { href: `#/b/${b.id}` }, b.title)),
    bulletinHeader(b),
    bulletinFacts(b),
    h("h3", {}, "Nội dung"),
    h("p", { class: "text bulletin-text", lang: langAttr(b.language) }, b.body),
  );
  if (!clip) {
    const latest = clips[0];
    card.append(h("p", { class: "error no-clip" }, latest ? `Âm thanh: ${CLIP_STATUS[latest.status] || latest.status}${latest.error ? ` — ${latest.error}` : ""}` : "Chưa có bản âm thanh cho phiên bản này."));
  } else {
    card.append(
      h("h3", {}, "Cách đọc (văn bản đã chuẩn hoá)"),
      h("p", { class: "reading", lang: langAttr(b.language) }, clip.normalized_text || "—"),
      clipFacts(clip),
    );
  }
  const canReview = isReviewer() && b.status === "submitted";
  const own = state.me && b.author_id === state.me.id;
  let approve = null;
  if (canReview && own) {
    card.append(h("p", { class: "muted own-note" }, "Bạn là tác giả: người khác phải duyệt bản tin này."));
  } else if (canReview && clip) {
    approve = h("button", { type: "button", class: "approve", disabled: true, dataset: { action: "approve" }, title: "Nghe hết bản âm thanh trước khi duyệt" }, "Duyệt");
    card.append(player(clip, () => { approve.disabled = false; approve.title = ""; }));
  } else if (clip) {
    card.append(player(clip));
  }
  if (canReview && !own) {
    const reason = h("textarea", { class: "reject-reason", rows: "2", maxlength: "2000", placeholder: "Lý do từ chối (bắt buộc)", "aria-label": "Lý do từ chối" });
    const reject = h("button", { type: "button", class: "reject", dataset: { action: "reject" } }, "Từ chối");
    const comment = h("input", { type: "text", class: "approve-comment", maxlength: "2000", placeholder: "Ghi chú khi duyệt (không bắt buộc)", "aria-label": "Ghi chú khi duyệt" });
    if (approve) {
      approve.addEventListener("click", () => act(approve, async () => {
        await api(`/bulletins/${b.id}/approve`, { method: "POST", json: { version: b.version, clip_id: clip.id, comment: comment.value } });
        flash(`Đã duyệt bản tin «${b.title}».`, true);
        if (onDone) onDone();
      }));
    }
    reject.addEventListener("click", () => {
      if (!reason.value.trim()) {
        flash("Cần nhập lý do từ chối.");
        reason.focus();
        return;
      }
      act(reject, async () => {
        await api(`/bulletins/${b.id}/reject`, { method: "POST", json: { version: b.version, reason: reason.value } });
        flash(`Đã từ chối bản tin «${b.title}».`, true);
        if (onDone) onDone();
      });
    });
    card.append(
      h("div", { class: "review-actions" },
        approve ? [comment, h("p", { class: "muted" }, "Nút Duyệt mở khi bạn đã nghe hết bản âm thanh.")] : null,
        h("div", { class: "actions" }, approve, reject),
        reason),
    );
  }
  return card;
}

// ------------------------------------------------------------------ views
async function viewQueue(seq) {
  const page = await api("/reviews/queue?limit=100");
  // Newest first (the API already puts emergencies on top, then the newest).
  const wrap = h("section", { id: "queue" }, h("h1", {}, `Chờ duyệt (${page.total})`));
  if (!page.items.length) wrap.append(h("p", { class: "muted empty" }, "Không có bản tin nào chờ duyệt."));
  // The cards' clip look-ups go out together, not one after another.
  const cards = await Promise.all(page.items.map((b) => reviewCard(b, { onDone: () => route() })));
  if (seq !== renderSeq) return null;
  wrap.append(...cards);
  return wrap;
}

async function viewBulletins() {
  const mine = !isReviewer();
  const page = await api(`/bulletins?limit=100${mine ? "&mine=true" : ""}`);
  const list = h("ul", { class: "plain bulletin-list" });
  for (const b of page.items) {
    list.append(h("li", { class: "item", dataset: { bulletinId: String(b.id) } },
      h("a", { href: `#/b/${b.id}`, lang: langAttr(b.language) }, b.title),
      badge(b.priority, PRIORITY[b.priority]),
      badge(`st-${b.status}`, STATUS[b.status] || b.status),
      h("span", { class: "muted" }, `${LANG[b.language]} · v${b.version} · ${fmtTime(b.updated_at)}`)));
  }
  return h("section", { class: "card" },
    h("h1", {}, mine ? "Bản tin của tôi" : "Bản tin"),
    page.items.length ? list : h("p", { class: "muted empty" }, "Chưa có bản tin nào."),
    h("div", { class: "actions" }, h("a", { class: "button", href: "#/compose" }, "Soạn tin mới")));
}

async function viewBulletin(id, seq) {
  const b = await api(`/bulletins/${id}`);
  const [versions, history, reviews] = await Promise.all([
    api(`/bulletins/${id}/versions`),
    api(`/bulletins/${id}/history`),
    api(`/bulletins/${id}/reviews`),
  ]);
  const card = await reviewCard(b, { onDone: () => route() });
  if (seq !== renderSeq) return null;
  const own = state.me && b.author_id === state.me.id;
  const tools = h("div", { class: "actions" });
  if (own || state.me.role === "admin") {
    if (["draft", "rejected", "submitted", "approved"].includes(b.status)) tools.append(h("a", { class: "button", href: `#/compose/${b.id}` }, "Sửa"));
    if (["draft", "rejected"].includes(b.status)) {
      const submit = h("button", { type: "button", class: "primary", id: "submit-detail" }, "Gửi duyệt");
      submit.addEventListener("click", () => act(submit, async () => {
        await api(`/bulletins/${b.id}/submit`, { method: "POST" });
        flash("Đã gửi bản tin đi duyệt.", true);
        route();
      }));
      tools.append(submit);
    }
    if (["submitted", "approved"].includes(b.status)) {
      const withdraw = h("button", { type: "button", class: "danger", id: "withdraw" }, "Rút bản tin");
      withdraw.addEventListener("click", () => act(withdraw, async () => {
        await api(`/bulletins/${b.id}/withdraw`, { method: "POST", json: { reason: "Rút từ bàn biên tập" } });
        flash("Đã rút bản tin.", true);
        route();
      }));
      tools.append(withdraw);
    }
  }
  card.append(tools);
  const versionList = h("ul", { class: "plain versions" });
  for (const v of versions.slice().reverse()) {
    versionList.append(h("li", {},
      h("strong", {}, `Phiên bản ${v.version}`), " · ", fmtTime(v.created_at),
      v.submitted_at ? ` · gửi duyệt ${fmtTime(v.submitted_at)}` : "",
      h("div", { class: "muted", lang: langAttr(v.content.language) }, v.content.title)));
  }
  const reviewList = h("ul", { class: "plain reviews" });
  for (const r of reviews) {
    reviewList.append(h("li", {}, h("strong", {}, r.decision === "approve" ? "Duyệt" : "Từ chối"),
      ` · phiên bản ${r.bulletin_version} · ${fmtTime(r.created_at)}`,
      r.reason || r.comment ? h("div", { class: "text" }, r.reason || r.comment) : null));
  }
  const audit = h("ul", { class: "plain audit" });
  for (const e of history) {
    audit.append(h("li", { dataset: { action: e.action } },
      h("span", { class: "when" }, fmtTime(e.at)), " ",
      h("strong", {}, ACTIONS[e.action] || e.action), ` · ${e.actor}`,
      e.detail ? h("div", { class: "muted text" }, e.detail) : null));
  }
  return h("section", { id: "bulletin" }, card,
    h("div", { class: "grid two" },
      h("section", { class: "card" }, h("h2", {}, "Các phiên bản"), versionList),
      h("section", { class: "card" }, h("h2", {}, "Nhật ký"), audit,
        reviews.length ? [h("h3", {}, "Ý kiến duyệt"), reviewList] : null)));
}

// ------------------------------------------------------------------ compose
function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
const fromLocalInput = (value) => (value ? new Date(value).toISOString() : null);

function options(map, selected) {
  return Object.entries(map).map(([value, text]) => h("option", { value, selected: value === selected }, text));
}

function checkList(name, items, selected) {
  return h("div", { class: "checks", dataset: { name } },
    items.map((it) => h("label", { class: "check" },
      h("input", { type: "checkbox", name, value: it.code, checked: selected.includes(it.code) }),
      `${it.name} (${it.code})`)));
}
const checked = (root, name) => [...root.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

async function viewCompose(id) {
  const [stations, areas] = await Promise.all([stationsList(), areasList()]);
  let b = id ? await api(`/bulletins/${id}`) : null;
  const originals = (await api("/bulletins?language=vi&limit=200")).items;
  const v = b || { title: "", body: "", language: "vi", category: "other", priority: "normal", target_station_codes: [], target_area_codes: [], airing: { mode: "once", times: 1, days: 1 }, translation_of: null };
  const el = {
    title: h("input", { type: "text", id: "title", maxlength: "300", value: v.title }),
    body: h("textarea", { id: "body", maxlength: "20000", rows: "8", lang: langAttr(v.language) }, v.body),
    language: h("select", { id: "language" }, options(LANG, v.language)),
    category: h("select", { id: "category" }, options(CATEGORY, v.category)),
    priority: h("select", { id: "priority" }, options(PRIORITY, v.priority)),
    validFrom: h("input", { type: "datetime-local", id: "valid-from", value: toLocalInput(v.valid_from) }),
    validUntil: h("input", { type: "datetime-local", id: "valid-until", value: toLocalInput(v.valid_until) }),
    mode: h("select", { id: "airing-mode" }, options(AIRING, v.airing.mode || "once")),
    times: h("input", { type: "number", id: "airing-times", min: "1", max: "100", value: String(v.airing.times || 1) }),
    days: h("input", { type: "number", id: "airing-days", min: "1", max: "366", value: String(v.airing.days || 1) }),
    firstDay: h("input", { type: "date", id: "airing-first", value: v.airing.first_day || "" }),
    lastDay: h("input", { type: "date", id: "airing-last", value: v.airing.last_day || "" }),
    original: h("select", { id: "translation-of" }, h("option", { value: "" }, "— không —"),
      originals.map((o) => h("option", { value: String(o.id), selected: o.id === v.translation_of }, `#${o.id} ${o.title}`))),
  };
  const stationChecks = checkList("station", stations, v.target_station_codes);
  const areaChecks = checkList("area", areas, v.target_area_codes);
  const spread = h("div", { class: "grid two" }, h("div", {}, h("label", { for: "airing-times" }, "Số lần"), el.times), h("div", {}, h("label", { for: "airing-days" }, "Trong số ngày"), el.days));
  const every = h("div", { class: "grid two" }, h("div", {}, h("label", { for: "airing-first" }, "Từ ngày"), el.firstDay), h("div", {}, h("label", { for: "airing-last" }, "Đến ngày"), el.lastDay));
  const translation = h("div", { id: "translation-box" }, h("label", { for: "translation-of" }, "Bản dịch tiếng Khmer của bản tin tiếng Việt"), el.original);
  const syncForm = () => {
    spread.hidden = el.mode.value !== "spread";
    every.hidden = el.mode.value !== "every_session";
    translation.hidden = el.language.value !== "km";
    el.body.lang = langAttr(el.language.value);
    el.title.lang = langAttr(el.language.value);
  };
  el.mode.addEventListener("change", syncForm);
  el.language.addEventListener("change", syncForm);
  syncForm();

  const reading = h("p", { class: "reading", id: "reading", lang: langAttr(v.language), hidden: true });
  const clipBox = h("div", { id: "clip-box" });
  const progress = h("div", { id: "render-progress", hidden: true }, h("progress", {}), h("p", { class: "muted progress-text" }));
  let savedPayload = null; // what the server holds, as the form would send it
  const form = h("form", { class: "card", id: "compose-form", novalidate: true });

  const payload = () => {
    const airing = { mode: el.mode.value };
    if (el.mode.value === "spread") Object.assign(airing, { times: Number(el.times.value), days: Number(el.days.value) });
    if (el.mode.value === "every_session") Object.assign(airing, { first_day: el.firstDay.value || null, last_day: el.lastDay.value || null });
    return {
      title: el.title.value.trim(),
      body: el.body.value,
      language: el.language.value,
      category: el.category.value,
      priority: el.priority.value,
      valid_from: fromLocalInput(el.validFrom.value),
      valid_until: fromLocalInput(el.validUntil.value),
      airing,
      target_station_codes: checked(stationChecks, "station"),
      target_area_codes: checked(areaChecks, "area"),
      translation_of: el.language.value === "km" && el.original.value ? Number(el.original.value) : null,
    };
  };
  const check = (p) => {
    if (!p.title) return "Cần nhập tiêu đề.";
    if (!p.body.trim()) return "Cần nhập nội dung.";
    if (!p.target_station_codes.length && !p.target_area_codes.length) return "Cần chọn ít nhất một đài hoặc địa bàn.";
    return null;
  };
  const save = async () => {
    const p = payload();
    const problem = check(p);
    if (problem) throw new ApiError(422, problem);
    const key = JSON.stringify(p);
    if (!b) {
      b = await api("/bulletins", { method: "POST", json: p });
      history.replaceState(null, "", `#/compose/${b.id}`);
    } else if (key !== savedPayload) {
      b = await api(`/bulletins/${b.id}`, { method: "PATCH", json: p });
    }
    savedPayload = key;
    status.textContent = `Bản tin #${b.id} · phiên bản ${b.version} · ${STATUS[b.status] || b.status}`;
    return b;
  };
  const showClip = (clip) => {
    clipBox.replaceChildren();
    if (!clip) return;
    if (clip.status === "ready") {
      clipBox.append(h("h3", {}, "Bản âm thanh"), clipFacts(clip), player(clip));
      if (clip.normalized_text) { reading.textContent = clip.normalized_text; reading.hidden = false; }
    } else {
      clipBox.append(h("p", { class: "error clip-error" }, `${CLIP_STATUS[clip.status] || clip.status}${clip.error ? `: ${clip.error}` : ""}`));
    }
  };
  const follow = async (clip) => {
    const started = Date.now();
    progress.hidden = false;
    const text = progress.querySelector(".progress-text");
    while (clip.status === "rendering") {
      text.textContent = `Đang tạo âm thanh… ${Math.round((Date.now() - started) / 1000)} giây`;
      await new Promise((resolve) => setTimeout(resolve, 400));
      if (!form.isConnected) return;
      clip = await api(`/clips/${clip.id}`);
    }
    progress.hidden = true;
    showClip(clip);
    if (clip.status === "ready") flash("Đã tạo xong âm thanh. Hãy nghe lại trước khi gửi duyệt.", true);
  };

  const previewBtn = h("button", { type: "button", id: "preview" }, "Xem trước cách đọc");
  previewBtn.addEventListener("click", () => act(previewBtn, async () => {
    if (!el.body.value.trim()) throw new ApiError(422, "Cần nhập nội dung trước khi xem cách đọc.");
    const result = await api("/tts/preview", { method: "POST", json: { text: el.body.value, language: el.language.value } });
    reading.lang = langAttr(el.language.value);
    reading.textContent = result.text;
    reading.hidden = false;
  }));
  const saveBtn = h("button", { type: "button", id: "save" }, "Lưu nháp");
  saveBtn.addEventListener("click", () => act(saveBtn, async () => { await save(); flash("Đã lưu bản tin.", true); }));
  const renderBtn = h("button", { type: "button", class: "primary", id: "render" }, "Tạo âm thanh");
  renderBtn.addEventListener("click", () => act(renderBtn, async () => {
    await save();
    const clip = await api(`/bulletins/${b.id}/render`, { method: "POST", json: {} });
    await follow(clip);
  }));
  const file = h("input", { type: "file", id: "recording-file", accept: "audio/*,.mp3,.wav,.ogg,.opus,.m4a,.flac" });
  const uploadBtn = h("button", { type: "button", id: "upload" }, "Tải bản ghi âm lên");
  uploadBtn.addEventListener("click", () => act(uploadBtn, async () => {
    if (!file.files.length) throw new ApiError(422, "Chọn tệp ghi âm trước.");
    await save();
    const data = new FormData();
    data.append("file", file.files[0]);
    const clip = await api(`/bulletins/${b.id}/recording`, { method: "POST", formData: data });
    await follow(clip);
  }));
  const submitBtn = h("button", { type: "button", class: "approve", id: "submit" }, "Gửi duyệt");
  submitBtn.addEventListener("click", () => act(submitBtn, async () => {
    await save();
    b = await api(`/bulletins/${b.id}/submit`, { method: "POST" });
    flash("Đã gửi bản tin đi duyệt.", true);
    location.hash = `#/b/${b.id}`;
  }));
  const status = h("p", { class: "muted", id: "compose-status" }, b ? `Bản tin #${b.id} · phiên bản ${b.version} · ${STATUS[b.status] || b.status}` : "Bản tin mới");

  form.append(
    h("h1", {}, b ? "Sửa bản tin" : "Soạn bản tin"), status,
    h("label", { for: "title" }, "Tiêu đề"), el.title,
    h("div", { class: "grid two" },
      h("div", {}, h("label", { for: "language" }, "Ngôn ngữ"), el.language),
      h("div", {}, h("label", { for: "priority" }, "Mức ưu tiên"), el.priority)),
    h("label", { for: "category" }, "Lĩnh vực"), el.category,
    translation,
    h("label", { for: "body" }, "Nội dung"), el.body,
    h("div", { class: "actions" }, previewBtn), reading,
    h("fieldset", {}, h("legend", {}, "Đài phát"), stations.length ? stationChecks : h("p", { class: "muted" }, "Không có đài nào trong địa bàn của bạn.")),
    h("fieldset", {}, h("legend", {}, "Hoặc cả địa bàn"), areaChecks),
    h("div", { class: "grid two" },
      h("div", {}, h("label", { for: "valid-from" }, "Hiệu lực từ"), el.validFrom),
      h("div", {}, h("label", { for: "valid-until" }, "Hiệu lực đến"), el.validUntil)),
    h("label", { for: "airing-mode" }, "Lịch phát"), el.mode, spread, every,
    h("div", { class: "actions" }, saveBtn, renderBtn),
    progress, clipBox,
    h("fieldset", {}, h("legend", {}, "Hoặc dùng bản ghi âm"), file, h("div", { class: "actions" }, uploadBtn)),
    h("div", { class: "actions" }, submitBtn),
  );
  if (b) {
    savedPayload = JSON.stringify(payload());
    const clips = await clipsOf(b);
    showClip(readyClip(clips) || clips[0] || null);
    if (clips[0] && clips[0].status === "rendering") follow(clips[0]);
  }
  return form;
}

// ------------------------------------------------------------------ today
async function stationDay(station, fleetEntry) {
  const body = h("div", { class: "day" }, h("p", { class: "muted" }, "Đang tải…"));
  const online = fleetEntry ? fleetEntry.online : false;
  const summary = h("summary", {},
    h("strong", {}, station.name), ` (${station.code}) `,
    badge(online ? "online" : "offline", online ? "Trực tuyến" : "Mất kết nối"),
    fleetEntry && fleetEntry.on_air ? h("span", { class: "muted now-playing" }, ` Đang phát: ${fleetEntry.on_air.title}`) : null);
  const details = h("details", { class: "card station-day", dataset: { station: station.code } }, summary, body);
  let loaded = false;
  const load = async () => {
    if (loaded) return;
    loaded = true;
    try {
      const day = await api(`/stations/${encodeURIComponent(station.code)}/as-run`);
      const list = h("ul", { class: "plain programme" });
      for (const line of day.items) {
        list.append(h("li", { class: `item${line.status === "playing" ? " now" : ""}`, dataset: { status: line.status } },
          h("span", { class: "when" }, fmtTime(line.planned_start || line.started_at, false, station.timezone)),
          h("span", {}, line.title || line.kind),
          badge(`st-${line.status}`, LINE[line.status] || line.status),
          line.lateness_ms != null && line.started_at ? h("span", { class: "muted" }, `lệch ${line.lateness_ms} ms`) : null));
      }
      const facts = fleetEntry ? h("p", { class: "muted" },
        `Lần cuối liên lạc: ${fmtTime(fleetEntry.last_seen)}`,
        fleetEntry.clock_offset_ms != null ? ` · lệch đồng hồ ${fleetEntry.clock_offset_ms} ms` : "",
        fleetEntry.open_alerts ? ` · ${fleetEntry.open_alerts} cảnh báo` : "") : null;
      body.replaceChildren(facts || "",
        day.programme_version == null ? h("p", { class: "muted" }, "Hôm nay chưa có chương trình.") : h("p", { class: "muted" }, `Chương trình phiên bản ${day.programme_version} · ngày ${day.date}`),
        day.items.length ? list : h("p", { class: "muted" }, "Không có mục nào."));
    } catch (err) {
      body.replaceChildren(h("p", { class: "error" }, err.message));
    }
  };
  details.addEventListener("toggle", () => { if (details.open) load(); });
  return { details, load };
}

async function viewToday() {
  const [stations, fleet] = await Promise.all([stationsList(), api("/fleet?limit=200")]);
  const byCode = new Map(fleet.items.map((f) => [f.code, f]));
  const online = fleet.items.filter((f) => f.online).length;
  const wrap = h("section", { id: "today" }, h("h1", {}, "Hôm nay"),
    h("p", { class: "muted fleet-summary" }, `${online}/${fleet.items.length} điểm phát trực tuyến`));
  if (!stations.length) wrap.append(h("p", { class: "muted" }, "Không có đài nào trong địa bàn của bạn."));
  const days = [];
  for (const station of stations) {
    const day = await stationDay(station, byCode.get(station.code));
    wrap.append(day.details);
    days.push(day);
  }
  // The first few open at once (or those the user had open); the rest load when opened.
  const remembered = state.todayOpen;
  days.forEach((day, n) => {
    day.details.open = remembered ? remembered.has(day.details.dataset.station) : n < 5;
    day.details.addEventListener("toggle", () => {
      state.todayOpen = new Set(days.filter((d) => d.details.open).map((d) => d.details.dataset.station));
    });
  });
  // What is on air changes by the second: refresh every 30 s while this screen is shown.
  const timer = setInterval(() => {
    if (!wrap.isConnected) clearInterval(timer);
    else if (!document.hidden) route();
  }, 30_000);
  wrap.append(h("p", { class: "muted" }, `Tự cập nhật mỗi 30 giây · lúc ${fmtTime(new Date().toISOString(), false)}`));
  return wrap;
}

// ------------------------------------------------------------------ emergency
async function viewEmergency(seq) {
  const [stations, areas, recent] = await Promise.all([stationsList(), areasList(), api("/emergencies?limit=20")]);
  if (seq !== renderSeq) return null;
  const el = {
    title: h("input", { type: "text", id: "em-title", maxlength: "300" }),
    text: h("textarea", { id: "em-text", rows: "5", maxlength: "20000" }),
    language: h("select", { id: "em-language" }, options(LANG, "vi")),
    cap: h("select", { id: "em-cap" }, options(CAP, "Actual")),
    repeat: h("input", { type: "number", id: "em-repeat", min: "1", max: "10", value: "1" }),
    interval: h("input", { type: "number", id: "em-interval", min: "0", value: "0" }),
    expires: h("input", { type: "datetime-local", id: "em-expires" }),
    chime: h("input", { type: "checkbox", id: "em-chime", checked: true }),
  };
  el.language.addEventListener("change", () => { el.text.lang = langAttr(el.language.value); });
  const stationChecks = checkList("em-station", stations, []);
  const areaChecks = checkList("em-area", areas, []);
  const confirmBox = h("div", { class: "card confirm", id: "em-confirm", hidden: true });
  const next = h("button", { type: "button", class: "danger", id: "em-next" }, "Tiếp tục");
  const form = h("form", { class: "card emergency", id: "emergency-form", novalidate: true },
    h("h1", {}, "Phát khẩn cấp"),
    h("p", { class: "muted" }, "Bản tin khẩn cấp ngắt mọi chương trình đang phát trên các đài đã chọn, kể cả ngoài giờ phát."),
    h("label", { for: "em-title" }, "Tiêu đề"), el.title,
    h("label", { for: "em-text" }, "Nội dung (đọc bằng giọng máy)"), el.text,
    h("div", { class: "grid two" },
      h("div", {}, h("label", { for: "em-language" }, "Ngôn ngữ"), el.language),
      h("div", {}, h("label", { for: "em-cap" }, "Loại"), el.cap)),
    h("fieldset", {}, h("legend", {}, "Đài phát"), stationChecks),
    h("fieldset", {}, h("legend", {}, "Hoặc cả địa bàn"), areaChecks),
    h("div", { class: "grid two" },
      h("div", {}, h("label", { for: "em-repeat" }, "Số lần phát"), el.repeat),
      h("div", {}, h("label", { for: "em-interval" }, "Cách nhau (giây)"), el.interval)),
    h("label", { for: "em-expires" }, "Hết hạn lúc (không bắt buộc)"), el.expires,
    h("label", { class: "check" }, el.chime, "Chuông báo trước bản tin"),
    h("div", { class: "actions" }, next));
  const payload = () => ({
    title: el.title.value.trim(),
    text: el.text.value,
    language: el.language.value,
    cap_status: el.cap.value,
    target_station_codes: checked(stationChecks, "em-station"),
    target_area_codes: checked(areaChecks, "em-area"),
    repeat: Number(el.repeat.value || 1),
    interval_s: Number(el.interval.value || 0),
    expires_at: fromLocalInput(el.expires.value),
    chime: el.chime.checked,
  });
  next.addEventListener("click", () => {
    flash("");
    const p = payload();
    if (!p.text.trim()) { flash("Cần nhập nội dung khẩn cấp."); return; }
    if (!p.target_station_codes.length && !p.target_area_codes.length) { flash("Cần chọn ít nhất một đài hoặc địa bàn."); return; }
    const fire = h("button", { type: "button", class: "danger solid", id: "em-fire" }, "Xác nhận phát ngay");
    const back = h("button", { type: "button", id: "em-back" }, "Quay lại sửa");
    back.addEventListener("click", () => { confirmBox.hidden = true; form.hidden = false; });
    fire.addEventListener("click", () => act(fire, async () => {
      const created = await api("/emergencies", { method: "POST", json: p });
      flash(`Đã phát lệnh khẩn cấp #${created.id} tới ${created.target_count} đài.`, true);
      route();
    }));
    const where = [...p.target_station_codes.map((c) => `đài ${c}`), ...p.target_area_codes.map((c) => `địa bàn ${c}`)].join(", ");
    confirmBox.replaceChildren(
      h("h2", {}, "Xác nhận phát khẩn cấp"),
      h("p", {}, `Loại: ${CAP[p.cap_status]} · ${LANG[p.language]} · phát ${p.repeat} lần`),
      h("p", {}, `Tới: ${where}`),
      h("p", { class: "text", lang: langAttr(p.language) }, p.text),
      h("p", { class: "error" }, "Lệnh sẽ ngắt ngay chương trình đang phát trên các đài này."),
      h("div", { class: "actions" }, fire, back));
    form.hidden = true;
    confirmBox.hidden = false;
  });
  const list = h("ul", { class: "plain emergencies" });
  for (const e of recent.items) {
    const li = h("li", { class: "item", dataset: { emergencyId: String(e.id) } },
      h("strong", {}, `#${e.id} ${e.title || e.text.slice(0, 60)}`),
      badge(e.state === "active" ? "emergency" : "normal", EMERGENCY_STATE[e.state] || e.state),
      h("span", { class: "muted" }, `${CAP[e.cap_status] || e.cap_status} · ${e.aired_count}/${e.target_count} đài đã phát · ${fmtTime(e.created_at)}`));
    if (e.state === "active") {
      const cancel = h("button", { type: "button", class: "danger", dataset: { action: "cancel" } }, "Dừng");
      cancel.addEventListener("click", () => act(cancel, async () => {
        await api(`/emergencies/${e.id}/cancel`, { method: "POST" });
        flash(`Đã dừng lệnh khẩn cấp #${e.id}.`, true);
        route();
      }));
      li.append(cancel);
    }
    list.append(li);
  }
  return h("section", { id: "emergency" }, form, confirmBox,
    h("section", { class: "card" }, h("h2", {}, "Lệnh gần đây"), recent.items.length ? list : h("p", { class: "muted" }, "Chưa có lệnh khẩn cấp nào.")));
}

// ------------------------------------------------------------------ router
async function route() {
  const seq = ++renderSeq;
  const parts = (location.hash || "#/").slice(2).split("/");
  if (state.token && !state.me) {
    try {
      state.me = await api("/auth/me");
    } catch (err) {
      if (err.status !== 401) flash(err.message);
      return;
    }
  }
  if (!state.me) {
    renderChrome("login");
    view.replaceChildren(viewLogin());
    document.title = "Đăng nhập — Loa";
    return;
  }
  const [name, arg] = parts;
  const target = name || (isReviewer() ? "queue" : "compose");
  renderChrome(target === "b" ? "bulletins" : target);
  const views = {
    login: () => { location.hash = "#/"; return null; },
    compose: () => viewCompose(arg),
    queue: () => (isReviewer() ? viewQueue(seq) : viewForbidden()),
    bulletins: () => viewBulletins(),
    b: () => viewBulletin(arg, seq),
    today: () => viewToday(),
    emergency: () => (isReviewer() ? viewEmergency(seq) : viewForbidden()),
  };
  const make = views[target] || (() => h("p", { class: "error" }, "Không có trang này."));
  try {
    const content = await make();
    if (seq !== renderSeq || !content) return;
    view.replaceChildren(content);
    const heading = content.querySelector("h1");
    document.title = `${heading ? heading.textContent : "Loa"} — Loa`;
  } catch (err) {
    if (seq !== renderSeq) return;
    view.replaceChildren(h("p", { class: "error load-error" }, err instanceof ApiError ? err.message : `Lỗi: ${err.message}`));
  }
}
const viewForbidden = () => h("p", { class: "error" }, "Trang này chỉ dành cho người duyệt và quản trị.");

window.addEventListener("hashchange", () => route());
// A click on the menu starts afresh: the last message belonged to the last screen.
nav.addEventListener("click", (event) => { if (event.target.closest("a")) flash(""); });
route();
