// Clips, the player that knows when a clip was heard, the review card, and the screens
// built from it: the review queue, the bulletin list and a bulletin with its history.

import { ACTIONS, AIRING, CATEGORY, CLIP_STATUS, LANG, PRIORITY, STATUS } from "./labels.js";
import { act, api, badge, flash, fmtDuration, fmtLufs, fmtTime, h, isCurrent, isReviewer, langAttr, rerender, state } from "./lib.js";

export async function clipsOf(bulletin) {
  const clips = await api(`/bulletins/${bulletin.id}/clips`);
  return clips.filter((c) => c.bulletin_version === bulletin.version).sort((a, b) => b.id - a.id);
}
export const readyClip = (clips) => clips.find((c) => c.status === "ready") || null;

export function clipFacts(clip) {
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
export function player(clip, onHeard) {
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
export function bulletinHeader(b) {
  return h(
    "div",
    { class: "row" },
    badge(b.priority, PRIORITY[b.priority] || b.priority),
    badge(`st-${b.status}`, STATUS[b.status] || b.status),
    badge("normal", LANG[b.language] || b.language),
    h("span", { class: "muted" }, CATEGORY[b.category] || b.category),
  );
}

export function targetsText(b) {
  const parts = [];
  if (b.target_station_codes.length) parts.push(`Đài: ${b.target_station_codes.join(", ")}`);
  if (b.target_area_codes.length) parts.push(`Địa bàn: ${b.target_area_codes.join(", ")}`);
  return parts.join(" · ");
}

export function bulletinFacts(b) {
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

export async function reviewCard(b, { onDone } = {}) {
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
export async function viewQueue(seq) {
  const page = await api("/reviews/queue?limit=100");
  // Newest first (the API already puts emergencies on top, then the newest).
  const wrap = h("section", { id: "queue" }, h("h1", {}, `Chờ duyệt (${page.total})`));
  if (!page.items.length) wrap.append(h("p", { class: "muted empty" }, "Không có bản tin nào chờ duyệt."));
  // The cards' clip look-ups go out together, not one after another.
  const cards = await Promise.all(page.items.map((b) => reviewCard(b, { onDone: () => rerender() })));
  if (!isCurrent(seq)) return null;
  wrap.append(...cards);
  return wrap;
}

export async function viewBulletins() {
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

export async function viewBulletin(id, seq) {
  const b = await api(`/bulletins/${id}`);
  const [versions, history, reviews] = await Promise.all([
    api(`/bulletins/${id}/versions`),
    api(`/bulletins/${id}/history`),
    api(`/bulletins/${id}/reviews`),
  ]);
  const card = await reviewCard(b, { onDone: () => rerender() });
  if (!isCurrent(seq)) return null;
  const own = state.me && b.author_id === state.me.id;
  const tools = h("div", { class: "actions" });
  if (own || state.me.role === "admin") {
    if (["draft", "rejected", "submitted", "approved"].includes(b.status)) tools.append(h("a", { class: "button", href: `#/compose/${b.id}` }, "Sửa"));
    if (["draft", "rejected"].includes(b.status)) {
      const submit = h("button", { type: "button", class: "primary", id: "submit-detail" }, "Gửi duyệt");
      submit.addEventListener("click", () => act(submit, async () => {
        await api(`/bulletins/${b.id}/submit`, { method: "POST" });
        flash("Đã gửi bản tin đi duyệt.", true);
        rerender();
      }));
      tools.append(submit);
    }
    if (["submitted", "approved"].includes(b.status)) {
      const withdraw = h("button", { type: "button", class: "danger", id: "withdraw" }, "Rút bản tin");
      withdraw.addEventListener("click", () => act(withdraw, async () => {
        await api(`/bulletins/${b.id}/withdraw`, { method: "POST", json: { reason: "Rút từ bàn biên tập" } });
        flash("Đã rút bản tin.", true);
        rerender();
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
