// The compose screen: write, preview the reading, render or upload, submit.

import { AIRING, CATEGORY, CLIP_STATUS, LANG, PRIORITY, STATUS } from "./labels.js";
import { ApiError, act, api, areasList, checkList, checked, flash, fromLocalInput, h, langAttr, options, stationsList, toLocalInput, voicesList } from "./lib.js";
import { clipFacts, clipsOf, player, readyClip } from "./review.js";

export async function viewCompose(id) {
  const [stations, areas, voices] = await Promise.all([stationsList(), areasList(), voicesList()]);
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
  // The voice and speed of "Tạo âm thanh": the chain's voices of the bulletin's language.
  const voice = h("select", { id: "voice" });
  const rate = h("input", { type: "number", id: "rate", min: "-50", max: "50", step: "5", value: "0" });
  const voiceBox = h("div", { class: "grid two" },
    h("div", {}, h("label", { for: "voice" }, "Giọng đọc"), voice),
    h("div", {}, h("label", { for: "rate" }, "Tốc độ đọc (%)"), rate));
  const syncVoices = () => {
    const mine = voices.filter((x) => x.language === el.language.value);
    voice.replaceChildren(h("option", { value: "" }, mine.length ? "Mặc định" : "Không có giọng đọc (cần bản ghi âm)"),
      ...mine.map((x) => h("option", { value: x.id }, x.description || x.id)));
  };
  const syncForm = () => {
    syncVoices();
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
    const ask = { text: el.body.value, language: el.language.value, voice: voice.value || null };
    const result = await api("/tts/preview", { method: "POST", json: ask });
    reading.lang = langAttr(el.language.value);
    reading.textContent = result.text;
    reading.hidden = false;
  }));
  const saveBtn = h("button", { type: "button", id: "save" }, "Lưu nháp");
  saveBtn.addEventListener("click", () => act(saveBtn, async () => { await save(); flash("Đã lưu bản tin.", true); }));
  const renderBtn = h("button", { type: "button", class: "primary", id: "render" }, "Tạo âm thanh");
  renderBtn.addEventListener("click", () => act(renderBtn, async () => {
    await save();
    const request = { voice: voice.value || null, rate_percent: Number(rate.value) || null };
    const clip = await api(`/bulletins/${b.id}/render`, { method: "POST", json: request });
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
    voiceBox,
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
