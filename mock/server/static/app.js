// The ufhook dashboard: plain JS, no build step, no network beyond this server.
"use strict";

const $ = (sel) => document.querySelector(sel);
const MAX_ROWS = 200;
let selected = 0;
let stream = null;
let userEvents = []; // the events sent for one user (a login link, a code), from /ui/info

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

// api calls the server. Every change is a JSON POST: the server refuses
// any other, so that no other page can make one with the session cookie.
async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: "same-origin" };
  if (body === undefined && method !== "GET") body = {};
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (_) { /* empty body */ }
  if (!res.ok) {
    const err = new Error((data && data.message) || res.statusText);
    err.status = res.status;
    if (res.status === 401 && path !== "/ui/login" && path !== "/ui/info") showLogin(err.message);
    throw err;
  }
  return data;
}

function showLogin(message) {
  if (stream) { stream.close(); stream = null; }
  $("#app").hidden = true;
  $("#logout").hidden = true;
  $("#live").textContent = "offline";
  $("#live").className = "badge off";
  $("#login").hidden = false;
  $("#login-error").textContent = message || "";
}

async function login(key) {
  await api("POST", "/ui/login", { key });
}

async function start() {
  let info;
  try { info = await api("GET", "/ui/info"); } catch (e) {
    if (e.status === 401) { showLogin(e.message.startsWith("Your dashboard session has ended") ? e.message : ""); return; }
    showLogin("Cannot reach the server: " + e.message);
    return;
  }
  $("#login").hidden = true;
  $("#app").hidden = false;
  $("#logout").hidden = false;
  $("#mode").textContent = info.mode + " mode";
  $("#token").textContent = "webhook API key " + info.token;
  const buttons = $("#fire-buttons");
  buttons.replaceChildren();
  for (const ev of info.events) {
    const b = el("button", { type: "button", "data-event": ev.name, title: ev.summary + " → " + ev.url }, ...breakable(ev.name));
    b.addEventListener("click", () => fire(b, ev.name));
    buttons.append(b);
  }
  userEvents = info.events.filter((ev) => ev.forUser && ev.forUser.length > 0);
  await Promise.all([loadDeliveries(), loadRecords()]);
  connect();
}

// breakable is a dotted name whose lines may break after a dot.
function breakable(name) {
  const out = [];
  name.split(".").forEach((part, i, all) => {
    out.push(i < all.length - 1 ? part + "." : part);
    if (i < all.length - 1) out.push(el("wbr"));
  });
  return out;
}

// shortName drops an event name's model and action when more follows:
// user.login.link.email is "link.email" on a user's row.
function shortName(name) {
  const parts = name.split(".");
  return parts.length > 2 ? parts.slice(2).join(".") : name;
}

// sendButtons are a user's buttons, one per event sent for a user; one
// whose field the user lacks (an SMS code without a phone number) is off.
function sendButtons(u) {
  return userEvents.map((ev) => {
    const missing = ev.forUser.filter((f) => u[f] === null || u[f] === undefined || u[f] === "");
    const attrs = { type: "button", class: "small", "data-send": ev.name, "data-user": String(u.userId),
      title: missing.length ? ev.summary + ": the user has no " + missing.join(", ") : ev.summary + " → " + ev.url };
    if (missing.length) { attrs.disabled = ""; attrs["data-missing"] = missing.join(" "); }
    const b = el("button", attrs, shortName(ev.name));
    b.addEventListener("click", () => sendFor(b, u.userId, ev.name));
    return b;
  });
}

async function sendFor(button, userId, event) {
  button.disabled = true;
  try {
    const r = await api("POST", "/ui/users/" + userId + "/send", { event });
    const d = await api("GET", "/ui/deliveries/" + r.id);
    upsert(d);
  } catch (e) {
    alert("Could not send " + event + " to user " + userId + ": " + e.message);
  } finally {
    button.disabled = false;
  }
}

async function fire(button, event) {
  button.disabled = true;
  try {
    const r = await api("POST", "/ui/fire", { event });
    const d = await api("GET", "/ui/deliveries/" + r.id);
    upsert(d);
  } catch (e) {
    alert("Could not fire " + event + ": " + e.message);
  } finally {
    button.disabled = false;
  }
}

function stateText(d) {
  if (d.state === "delivered") return "✓ " + d.status;
  if (d.state === "failed") return "✗ " + (d.status || "error");
  if (d.attempts > 0) return "retrying" + (d.status ? " · " + d.status : "");
  return "pending";
}

function row(d) {
  const li = el("li", {
    class: "delivery " + d.state, tabindex: "0",
    "data-id": String(d.id), "data-event": d.event, "data-state": d.state,
  },
    el("span", { class: "id" }, "#" + d.id),
    el("span", { class: "event" }, d.event),
    el("span", { class: "status" }, stateText(d)),
    el("span", { class: "label" }, [d.label, d.source, d.latencyMs ? d.latencyMs + " ms" : "", d.attempts > 1 ? d.attempts + " attempts" : "", d.error || ""].filter(Boolean).join(" · ")),
  );
  if (d.id === selected) li.classList.add("selected");
  li.addEventListener("click", () => showDetail(d.id));
  li.addEventListener("keydown", (e) => { if (e.key === "Enter") showDetail(d.id); });
  return li;
}

function upsert(d) {
  const list = $("#delivery-list");
  const old = list.querySelector(`[data-id="${d.id}"]`);
  const li = row(d);
  if (old) {
    old.replaceWith(li);
  } else {
    let before = null;
    for (const c of list.children) { if (Number(c.dataset.id) < d.id) { before = c; break; } }
    list.insertBefore(li, before);
    while (list.children.length > MAX_ROWS) list.lastChild.remove();
  }
  $("#no-deliveries").hidden = list.children.length > 0;
  if (d.id === selected) showDetail(d.id, true);
}

async function loadDeliveries() {
  const r = await api("GET", "/ui/deliveries?limit=" + MAX_ROWS);
  const list = $("#delivery-list");
  list.replaceChildren(...r.deliveries.map(row));
  $("#no-deliveries").hidden = r.deliveries.length > 0;
  showCounts(r.counts);
}

function showCounts(c) {
  $("#counts").textContent = `${c.delivered} delivered · ${c.pending} pending · ${c.failed} failed`;
}

async function showDetail(id, quiet) {
  let d;
  try { d = await api("GET", "/ui/deliveries/" + id); } catch (e) { if (!quiet) alert(e.message); return; }
  selected = id;
  for (const li of document.querySelectorAll(".delivery.selected")) li.classList.remove("selected");
  const li = document.querySelector(`.delivery[data-id="${id}"]`);
  if (li) li.classList.add("selected");
  $("#detail").hidden = false;
  $("#detail-id").textContent = "#" + d.id + " · " + d.event + " · " + d.state;
  const req = d.request;
  const headers = Object.entries(req.headers).map(([k, v]) => k + ": " + v).join("\n");
  $("#detail-request").textContent = `${req.method} ${req.url}\n${headers}\n\n${JSON.stringify(req.body, null, 2)}`;
  const ol = $("#detail-attempts");
  ol.replaceChildren();
  if (d.attempts.length === 0) ol.append(el("li", {}, "not attempted yet"));
  for (const a of d.attempts) {
    const ok = a.status >= 200 && a.status < 300;
    ol.append(el("li", {},
      el("strong", { class: ok ? "ok" : "bad" }, a.status ? "HTTP " + a.status : "no response"),
      ` in ${a.latencyMs} ms at ${a.at}`,
      a.error ? el("div", { class: "error" }, a.error) : "",
      el("pre", {}, a.excerpt || "(empty response body)"),
    ));
  }
  if (!quiet) $("#detail").scrollIntoView({ behavior: "smooth", block: "nearest" });
}

let recordsTimer = 0;
function reloadRecordsSoon() {
  clearTimeout(recordsTimer);
  recordsTimer = setTimeout(loadRecords, 150);
}

async function loadRecords() {
  const [users, tenants] = await Promise.all([api("GET", "/ui/users?limit=500"), api("GET", "/ui/tenants?limit=500")]);
  $("#users tbody").replaceChildren(...users.results.map((u) =>
    el("tr", {}, el("td", {}, String(u.userId)), el("td", {}, u.email || "—"), el("td", {}, u.username || "—"),
      el("td", {}, u.name || "—"), el("td", {}, u.locked ? "yes" : "no"), el("td", { class: "send" }, ...sendButtons(u)))));
  $("#users-count").textContent = String(users.totalCount);
  $("#tenants tbody").replaceChildren(...tenants.results.map((t) =>
    el("tr", {}, el("td", {}, t.tenantId), el("td", {}, t.name), el("td", {}, t.type || ""))));
  $("#tenants-count").textContent = String(tenants.totalCount);
}

let countsTimer = 0;
function reloadCountsSoon() {
  clearTimeout(countsTimer);
  countsTimer = setTimeout(async () => {
    try { showCounts((await api("GET", "/ui/deliveries?limit=1")).counts); } catch (_) { /* offline */ }
  }, 200);
}

function connect() {
  if (stream) stream.close();
  const es = new EventSource("/ui/stream");
  stream = es;
  stream.onopen = () => {
    $("#live").textContent = "live";
    $("#live").className = "badge on";
    loadDeliveries().catch(() => {});
  };
  stream.onerror = () => {
    $("#live").textContent = "offline";
    $("#live").className = "badge off";
    if (es.readyState === EventSource.CLOSED && es === stream) {
      setTimeout(async () => {
        try { await api("GET", "/ui/info"); connect(); } catch (e) { if (e.status === 401) showLogin(e.message); else setTimeout(connect, 2000); }
      }, 1000);
    }
  };
  stream.addEventListener("delivery", (e) => { upsert(JSON.parse(e.data)); reloadCountsSoon(); });
  stream.addEventListener("records", reloadRecordsSoon);
}

$("#login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try { await login($("#login-key").value); $("#login-key").value = ""; start(); } catch (err) { showLogin(err.message); }
});
$("#resend").addEventListener("click", async () => {
  if (!selected) return;
  try { const r = await api("POST", `/ui/deliveries/${selected}/resend`); showDetail(r.id); } catch (e) { alert(e.message); }
});
$("#logout").addEventListener("click", async () => {
  try { await api("POST", "/ui/logout"); } catch (_) { /* the session is gone either way */ }
  showLogin("Logged out.");
});
$("#detail-close").addEventListener("click", () => { $("#detail").hidden = true; selected = 0; });

start();
