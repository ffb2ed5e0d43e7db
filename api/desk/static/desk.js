// Loa review desk: a small single-page client of the public JSON API (/api/v1).
// No framework and no build step: DOM built with h(), text always set as text (never as HTML),
// the signed-in user's bearer token kept in this tab's sessionStorage.

import { ROLE } from "./labels.js";
import { ApiError, TOKEN_KEY, act, api, flash, h, hooks, isCurrent, isReviewer, signOut, state } from "./lib.js";
import { viewCompose } from "./compose.js";
import { viewEmergency } from "./emergency.js";
import { viewBulletin, viewBulletins, viewQueue } from "./review.js";
import { viewToday } from "./today.js";

const view = document.getElementById("view");
const nav = document.getElementById("nav");
const who = document.getElementById("who");

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

async function route() {
  const seq = ++state.renderSeq;
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
    if (!isCurrent(seq) || !content) return;
    view.replaceChildren(content);
    const heading = content.querySelector("h1");
    document.title = `${heading ? heading.textContent : "Loa"} — Loa`;
  } catch (err) {
    if (!isCurrent(seq)) return;
    view.replaceChildren(h("p", { class: "error load-error" }, err instanceof ApiError ? err.message : `Lỗi: ${err.message}`));
  }
}
const viewForbidden = () => h("p", { class: "error" }, "Trang này chỉ dành cho người duyệt và quản trị.");

hooks.route = route;
window.addEventListener("hashchange", () => route());
// A click on the menu starts afresh: the last message belonged to the last screen.
nav.addEventListener("click", (event) => { if (event.target.closest("a")) flash(""); });
route();
