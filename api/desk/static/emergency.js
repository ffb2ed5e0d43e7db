// The emergency form, with its confirmation step, and recent emergencies.

import { CAP, EMERGENCY_STATE, LANG } from "./labels.js";
import { act, api, areasList, badge, checkList, checked, flash, fmtTime, fromLocalInput, h, isCurrent, langAttr, options, rerender, stationsList } from "./lib.js";

export async function viewEmergency(seq) {
  const [stations, areas, recent, approved] = await Promise.all([
    stationsList(), areasList(), api("/emergencies?limit=20"), api("/bulletins?status=approved&limit=200"),
  ]);
  if (!isCurrent(seq)) return null;
  const el = {
    title: h("input", { type: "text", id: "em-title", maxlength: "300" }),
    text: h("textarea", { id: "em-text", rows: "5", maxlength: "20000" }),
    language: h("select", { id: "em-language" }, options(LANG, "vi")),
    cap: h("select", { id: "em-cap" }, options(CAP, "Actual")),
    repeat: h("input", { type: "number", id: "em-repeat", min: "1", max: "10", value: "1" }),
    interval: h("input", { type: "number", id: "em-interval", min: "0", value: "0" }),
    expires: h("input", { type: "datetime-local", id: "em-expires" }),
    chime: h("input", { type: "checkbox", id: "em-chime", checked: true }),
    bulletin: h("select", { id: "em-bulletin" }, h("option", { value: "" }, "— chọn bản tin —"),
      approved.items.map((b) => h("option", { value: String(b.id), lang: langAttr(b.language) }, `#${b.id} ${b.title}`))),
    file: h("input", { type: "file", id: "em-file", accept: "audio/*,.mp3,.wav,.ogg,.opus,.m4a,.flac" }),
  };
  // What to air: a text read by the fastest voice, an approved bulletin's clip, or a recording.
  const sources = { text: "Đọc văn bản", bulletin: "Bản tin đã duyệt", audio: "Tệp ghi âm" };
  const sourcePick = h("div", { class: "row", id: "em-source", role: "radiogroup" },
    Object.entries(sources).map(([value, text]) => h("label", { class: "check" },
      h("input", { type: "radio", name: "em-source", value, checked: value === "text" }), text)));
  const parts = {
    text: h("div", {}, h("label", { for: "em-text" }, "Nội dung (đọc bằng giọng máy)"), el.text),
    bulletin: h("div", { hidden: true }, h("label", { for: "em-bulletin" }, "Bản tin"), el.bulletin),
    audio: h("div", { hidden: true }, h("label", { for: "em-file" }, "Tệp ghi âm"), el.file),
  };
  const source = () => sourcePick.querySelector("input:checked").value;
  sourcePick.addEventListener("change", () => {
    for (const [name, part] of Object.entries(parts)) part.hidden = name !== source();
  });
  el.language.addEventListener("change", () => { el.text.lang = langAttr(el.language.value); });
  const stationChecks = checkList("em-station", stations, []);
  const areaChecks = checkList("em-area", areas, []);
  const confirmBox = h("div", { class: "card confirm", id: "em-confirm", hidden: true });
  const next = h("button", { type: "button", class: "danger", id: "em-next" }, "Tiếp tục");
  const form = h("form", { class: "card emergency", id: "emergency-form", novalidate: true },
    h("h1", {}, "Phát khẩn cấp"),
    h("p", { class: "muted" }, "Bản tin khẩn cấp ngắt mọi chương trình đang phát trên các đài đã chọn, kể cả ngoài giờ phát."),
    h("label", { for: "em-title" }, "Tiêu đề"), el.title,
    h("fieldset", {}, h("legend", {}, "Phát gì"), sourcePick, parts.text, parts.bulletin, parts.audio),
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
    const kind = source();
    let what;
    if (kind === "text") {
      if (!el.text.value.trim()) { flash("Cần nhập nội dung khẩn cấp."); return; }
      p.text = el.text.value;
      what = h("p", { class: "text", lang: langAttr(p.language) }, p.text);
    } else if (kind === "bulletin") {
      if (!el.bulletin.value) { flash("Cần chọn một bản tin đã duyệt."); return; }
      p.bulletin_id = Number(el.bulletin.value);
      what = h("p", {}, `Bản tin: ${el.bulletin.selectedOptions[0].textContent}`);
    } else {
      if (!el.file.files.length) { flash("Cần chọn tệp ghi âm."); return; }
      what = h("p", {}, `Tệp ghi âm: ${el.file.files[0].name}`);
    }
    if (!p.target_station_codes.length && !p.target_area_codes.length) { flash("Cần chọn ít nhất một đài hoặc địa bàn."); return; }
    const fire = h("button", { type: "button", class: "danger solid", id: "em-fire" }, "Xác nhận phát ngay");
    const back = h("button", { type: "button", id: "em-back" }, "Quay lại sửa");
    back.addEventListener("click", () => { confirmBox.hidden = true; form.hidden = false; });
    fire.addEventListener("click", () => act(fire, async () => {
      const created = kind === "audio"
        ? await api("/emergencies/audio", { method: "POST", formData: audioForm(p, el.file.files[0]) })
        : await api("/emergencies", { method: "POST", json: p });
      flash(`Đã phát lệnh khẩn cấp #${created.id} tới ${created.target_count} đài.`, true);
      rerender();
    }));
    const where = [...p.target_station_codes.map((c) => `đài ${c}`), ...p.target_area_codes.map((c) => `địa bàn ${c}`)].join(", ");
    confirmBox.replaceChildren(
      h("h2", {}, "Xác nhận phát khẩn cấp"),
      h("p", {}, `Loại: ${CAP[p.cap_status]} · ${LANG[p.language]} · phát ${p.repeat} lần`),
      h("p", {}, `Tới: ${where}`),
      what,
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
        rerender();
      }));
      li.append(cancel);
    }
    list.append(li);
  }
  return h("section", { id: "emergency" }, form, confirmBox,
    h("section", { class: "card" }, h("h2", {}, "Lệnh gần đây"), recent.items.length ? list : h("p", { class: "muted" }, "Chưa có lệnh khẩn cấp nào.")));
}

// The multipart form of POST /emergencies/audio: lists as repeated fields, no empty expiry.
function audioForm(p, file) {
  const data = new FormData();
  data.append("file", file);
  for (const [key, value] of Object.entries(p)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) value.forEach((v) => data.append(key, v));
    else data.append(key, String(value));
  }
  return data;
}
