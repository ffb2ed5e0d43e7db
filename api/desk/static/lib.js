// Shared by every screen: state, DOM helpers, the API client, messages, form helpers.

import { ERROR_TYPE, FIELD, HTTP } from "./labels.js";

export const API = document.querySelector('meta[name="loa-api"]').content;
export const TOKEN_KEY = "loa.desk.token";
export const flashBox = document.getElementById("flash");

// renderSeq: a newer navigation makes older async renders drop their output.
export const state = { token: sessionStorage.getItem(TOKEN_KEY), me: null, cache: {}, renderSeq: 0, todayOpen: null };
export const isCurrent = (seq) => seq === state.renderSeq;
// The router registers itself here, so screens can redraw without importing it.
export const hooks = { route: () => {} };
export const rerender = () => hooks.route();

// ------------------------------------------------------------------ DOM helpers
export function h(tag, attrs = {}, ...children) {
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
export const badge = (cls, text) => h("span", { class: `badge ${cls}` }, text);
export const langAttr = (language) => (language === "km" ? "km" : "vi");

export function flash(message, ok = false) {
  flashBox.textContent = message;
  flashBox.classList.toggle("ok", ok);
  flashBox.hidden = !message;
  if (message) flashBox.scrollIntoView({ block: "nearest" });
}

// Times in the user's zone, or in a station's own zone (`timeZone`) for its programme.
export function fmtTime(iso, withDate = true, timeZone = undefined) {
  if (!iso) return "—";
  const d = new Date(iso);
  const opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone };
  if (withDate) Object.assign(opts, { day: "2-digit", month: "2-digit", year: "numeric" });
  return d.toLocaleString("vi-VN", opts);
}
export const fmtDuration = (ms) => (ms == null ? "—" : `${(ms / 1000).toFixed(1).replace(".", ",")} giây`);
export const fmtLufs = (v) => (v == null ? "—" : `${v.toFixed(1).replace(".", ",")} LUFS`);

// ------------------------------------------------------------------ API
export class ApiError extends Error {
  constructor(status, message, fields = []) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

export function fieldMessage(err) {
  const field = String(err.field || "");
  const name = FIELD[field.split(".")[0]] || field || "Nội dung";
  if (err.type === "value_error") return `${name}: ${String(err.message).replace(/^Value error, /, "")}`;
  return `${name}: ${ERROR_TYPE[err.type] || "không hợp lệ"}`;
}

export async function problemOf(response) {
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

export async function api(path, { method = "GET", json, form, formData } = {}) {
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

export async function cached(key, loader) {
  if (!(key in state.cache)) state.cache[key] = await loader();
  return state.cache[key];
}
export const stationsList = () => cached("stations", async () => (await api("/stations?limit=200")).items);
export const areasList = () => cached("areas", async () => (await api("/areas?limit=200")).items);
export const voicesList = () => cached("voices", () => api("/tts/voices"));

// Run an action from a button: disable it meanwhile, show the error in Vietnamese.
export async function act(button, fn) {
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

export function signOut(message) {
  state.token = null;
  state.me = null;
  state.cache = {};
  sessionStorage.removeItem(TOKEN_KEY);
  location.hash = "#/login";
  if (message) flash(message);
}

export const isReviewer = () => state.me && (state.me.role === "approver" || state.me.role === "admin");

export function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export const fromLocalInput = (value) => (value ? new Date(value).toISOString() : null);

export function options(map, selected) {
  return Object.entries(map).map(([value, text]) => h("option", { value, selected: value === selected }, text));
}

export function checkList(name, items, selected) {
  return h("div", { class: "checks", dataset: { name } },
    items.map((it) => h("label", { class: "check" },
      h("input", { type: "checkbox", name, value: it.code, checked: selected.includes(it.code) }),
      `${it.name} (${it.code})`)));
}
export const checked = (root, name) => [...root.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
