// Today: each station's programme with as-run status, and the fleet.

import { LINE } from "./labels.js";
import { api, badge, fmtTime, h, rerender, state, stationsList } from "./lib.js";

export async function stationDay(station, fleetEntry) {
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

export async function viewToday() {
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
    else if (!document.hidden) rerender();
  }, 30_000);
  wrap.append(h("p", { class: "muted" }, `Tự cập nhật mỗi 30 giây · lúc ${fmtTime(new Date().toISOString(), false)}`));
  return wrap;
}
