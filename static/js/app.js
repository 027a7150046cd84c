/* Steady in the browser: the service worker, updates, and reminders on this phone.
   Plain JavaScript, no framework; every page works without it. */
"use strict";

const signedIn = document.body.dataset.participant === "1";

// The CSRF cookie's name comes from the server: "csrftoken", or "__Host-steady-csrf" in production.
const csrfCookie = document.body.dataset.csrfCookie || "csrftoken";

function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === csrfCookie) return decodeURIComponent(value.join("="));
  }
  return "";
}

async function api(method, path, body) {
  return fetch(path, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function say(element, text) {
  if (element) element.textContent = text;
}

/* ---- Service worker and updates ---- */

let updateAccepted = false;

function offerUpdate(registration) {
  const banner = document.getElementById("update-banner");
  if (!banner || !registration.waiting) return;
  banner.hidden = false;
  banner.querySelector("button").addEventListener("click", () => {
    updateAccepted = true;
    registration.waiting.postMessage("skip-waiting");
  }, { once: true });
}

async function startServiceWorker() {
  if (!("serviceWorker" in navigator)) return null;
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  // Reload only when the person asked for the new version, never under a half-typed form.
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (updateAccepted) window.location.reload();
  });
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker && worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(registration);
    });
  });
  offerUpdate(registration);
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "resubscribe") checkPush(true);
  });
  const ready = await navigator.serviceWorker.ready;
  if (signedIn && ready.active) ready.active.postMessage("cache-pages");
  return registration;
}

/* ---- Reminders on this phone (Web Push) ---- */

function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

const pushSupported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

async function sendSubscription(subscription) {
  const response = await api("POST", "/api/v1/push-subscriptions/", subscription.toJSON());
  return response.ok;
}

async function subscribe(key) {
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  }
  return sendSubscription(subscription);
}

async function checkPush(force) {
  // On every app open: a subscription the browser still has is sent again (the server keeps one per
  // browser); one the browser lost is made again where permission was already given.
  const key = document.body.dataset.pushKey;
  if (!signedIn || !pushSupported || !key || Notification.permission !== "granted") return;
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (subscription && !force) await sendSubscription(subscription);
  else await subscribe(key).catch(() => {});
}

function isIos() {
  return /iphone|ipad|ipod/i.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

function setUpRemindersPage() {
  const section = document.getElementById("push-setup");
  if (!section) return;
  const button = section.querySelector("button");
  const status = section.querySelector(".push-status");
  const standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  if (isIos() && !standalone) {
    section.querySelector(".ios-guide").hidden = false;
  }
  if (!pushSupported) {
    say(status, "This browser can’t show notifications from Steady. Reminders will come by email if you have one on your account.");
    section.hidden = false;
    button.hidden = true;
    return;
  }
  section.hidden = false;
  if (Notification.permission === "granted") say(status, "Notifications are on for this phone.");
  if (Notification.permission === "denied") say(status, "Notifications are blocked for Steady in this browser’s settings.");
  button.addEventListener("click", async () => {
    // Asked inside the tap: iPhones only allow it there.
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say(status, "Notifications were not allowed. You can allow them in the browser’s settings.");
      return;
    }
    try {
      const ok = await subscribe(document.body.dataset.pushKey);
      say(status, ok ? "Notifications are on for this phone." : "Steady could not save this phone. Please try again.");
    } catch (error) {
      say(status, "This phone could not be set up for notifications. Please try again later.");
    }
  });
}

/* ---- Signing out: this phone forgets Steady's data ---- */

function setUpSignOut() {
  for (const form of document.querySelectorAll("form.signout-form")) {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.ready === "1") return;
      event.preventDefault();
      try {
        if (pushSupported && "serviceWorker" in navigator) {
          const registration = await navigator.serviceWorker.getRegistration();
          const subscription = registration && await registration.pushManager.getSubscription();
          if (subscription) {
            await api("DELETE", "/api/v1/push-subscriptions/", { endpoint: subscription.endpoint });
            await subscription.unsubscribe();
          }
        }
      } catch (error) { /* the server's Clear-Site-Data still clears this phone */ }
      if (typeof Outbox !== "undefined") {
        await Outbox.flush(csrfToken()).catch(() => {});
        const waiting = await Outbox.all().catch(() => []);
        const question = `${waiting.length} ${waiting.length === 1 ? "entry has" : "entries have"} not reached Steady yet ` +
          "and will be lost if you sign out now. Sign out anyway?";
        if (waiting.length && !window.confirm(question)) return;
      }
      form.dataset.ready = "1";
      form.submit();
    });
  }
}

startServiceWorker().then(() => checkPush(false)).catch(() => {});
setUpRemindersPage();
setUpSignOut();

/* ---- Forms that save through the offline outbox ---- */

// What the outbox says of an entry the server answered 410 Gone for: it stays deleted.
const DELETED_ELSEWHERE = "Deleted on another device, so not saved again.";

function contacts(text) {
  // "Maria, 555-123-4567" per line: the part after the last comma is a number if it has a digit.
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const comma = line.lastIndexOf(",");
    const phone = comma >= 0 ? line.slice(comma + 1).trim() : "";
    return /\d/.test(phone) ? { name: line.slice(0, comma).trim(), phone } : { name: line, phone: "" };
  });
}

function formBody(form) {
  // The form's fields as the API wants them: names are the same, values get their JSON types.
  const body = {};
  const groups = {};
  for (const element of form.elements) {
    const name = element.name;
    if (!name || name === "id" || name === "csrfmiddlewaretoken" || element.disabled) continue;
    const type = element.type;
    if (type === "checkbox" && form.querySelectorAll(`input[type=checkbox][name="${name}"]`).length > 1) {
      groups[name] = groups[name] || [];
      if (element.checked) groups[name].push(element.dataset.int !== undefined ? Number(element.value) : element.value);
    } else if (type === "checkbox") {
      body[name] = element.checked;
    } else if (type === "radio") {
      if (!(name in body)) body[name] = null;
      if (element.checked) body[name] = /^\d+$/.test(element.value) ? Number(element.value) : element.value;
    } else if (element.dataset.lines !== undefined) {
      body[name] = element.value.split("\n").map((line) => line.trim()).filter(Boolean);
    } else if (element.dataset.contacts !== undefined) {
      body[name] = contacts(element.value);
    } else if (type === "number") {
      body[name] = element.value === "" ? null : Number(element.value);
    } else if (["time", "date", "datetime-local", "select-one"].includes(type)) {
      body[name] = element.value === "" ? null : element.value;
    } else {
      body[name] = element.value;
    }
  }
  for (const [name, values] of Object.entries(groups)) body[name] = values;
  // Radio groups nobody picked are left out: the API takes its own default for them.
  for (const [name, value] of Object.entries(body)) if (value === null && form.querySelector(`input[type=radio][name="${name}"]`)) delete body[name];
  return body;
}

function showErrors(form, errors) {
  for (const old of form.querySelectorAll(".error.from-outbox")) old.remove();
  const messages = [];
  for (const [field, list] of Object.entries(errors || {})) {
    const text = Array.isArray(list) ? list.join(" ") : String(list);
    const input = form.querySelector(`[name="${field}"]`);
    if (input) {
      const note = document.createElement("p");
      note.className = "error from-outbox";
      note.id = `outbox-error-${field}`;
      note.textContent = text;
      const place = input.closest(".field") || input.parentElement;
      place.insertBefore(note, place.querySelector("input, textarea, select, .choices"));
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
    } else if (field !== "existing_id") {
      messages.push(text);
    }
  }
  return messages;
}

function outboxStatus(form, text, isError) {
  let status = form.querySelector(".outbox-status");
  if (!status) {
    status = document.createElement("p");
    status.className = "outbox-status";
    status.setAttribute("role", isError ? "alert" : "status");
    form.prepend(status);
  }
  status.classList.toggle("form-errors", Boolean(isError));
  status.textContent = text;
}

function fillForm(form, body) {
  // Put a stored entry back into its form, to be fixed: the same fields formBody() read.
  for (const [name, value] of Object.entries(body)) {
    const inputs = form.querySelectorAll(`[name="${name}"]`);
    for (const input of inputs) {
      if (input.type === "checkbox" && inputs.length > 1) input.checked = (value || []).map(String).includes(input.value);
      else if (input.type === "checkbox") input.checked = Boolean(value);
      else if (input.type === "radio") input.checked = value !== null && String(value) === input.value;
      else if (input.dataset.lines !== undefined) input.value = (value || []).join("\n");
      else if (input.dataset.contacts !== undefined) {
        input.value = (value || []).map((c) => (c.phone ? `${c.name}, ${c.phone}` : c.name)).join("\n");
      }
      else input.value = value === null || value === undefined ? "" : value;
    }
  }
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function hasAnswer(form) {
  // The server's rule, checked before anything reaches the outbox (also offline): a form that
  // names its answers (data-answers) needs at least one of them filled in or picked.
  const names = (form.dataset.answers || "").split(" ").filter(Boolean);
  if (!names.length) return true;
  return names.some((name) => [...form.querySelectorAll(`[name="${name}"]`)].some((input) =>
    (input.type === "radio" || input.type === "checkbox") ? input.checked : input.value.trim() !== ""));
}

function refuseEmpty(form) {
  // The message is the page's own (translated on the server), shown at the top of the form.
  outboxStatus(form, form.dataset.emptyMessage, true);
  const status = form.querySelector(".outbox-status");
  status.setAttribute("role", "alert");
  status.tabIndex = -1;
  status.focus();
}

function nextPage(form, body) {
  // After a strong urge or a setback, the support sheet (the server's rule, with its threshold
  // on the form); otherwise the form's own next page. Also offline: the sheet is on the phone.
  const support = form.dataset.support;
  const setback = body.outcome === "used";
  if (support && (setback || Number(body.intensity) >= Number(form.dataset.strong))) {
    return setback ? `${support}?after=setback` : support;
  }
  return form.dataset.done || "/";
}

function setUpOutboxForms() {
  for (const form of document.querySelectorAll("form[data-outbox]")) {
    const idInput = form.querySelector("input[name=id]");
    const queued = new URLSearchParams(window.location.search).get("outbox");
    // A new entry gets its id here, on the phone: a page served from the cache carries the id of
    // the day it was cached, and two entries must never share one.
    if (form.dataset.new === "1" && !queued) idInput.value = newId();
    if (queued) {
      Outbox.get(queued).then((item) => {
        if (!item) return;
        idInput.value = item.id;
        fillForm(form, item.body);
        const rest = showErrors(form, item.errors);
        outboxStatus(form, ["This entry is saved on this phone but needs a fix before it can sync.", ...rest].join(" "), true);
      });
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!hasAnswer(form)) {
        refuseEmpty(form);
        return;
      }
      const id = idInput.value;
      const item = {
        id, url: `/api/v1/${form.dataset.outbox}/${id}/`, page: `${window.location.pathname}?outbox=${id}`,
        body: formBody(form), csrf: csrfToken(), created: new Date().toISOString(), status: "waiting",
      };
      await Outbox.put(item);
      outboxStatus(form, "Saved on this phone, will sync.", false);
      if (form.dataset.new === "1") form.dataset.new = "saved"; // saving again changes this entry
      await requestBackgroundSync();
      const result = await Outbox.flush(csrfToken());
      const stored = await Outbox.get(id);
      if (!stored && result && result.gone.includes(id)) {
        // What was typed stays on the page; saving once more makes a new entry of it.
        idInput.value = newId();
        outboxStatus(form, `${DELETED_ELSEWHERE} Save once more to keep what you wrote as a new entry.`, true);
      } else if (!stored || (!stored.errors && nextPage(form, item.body) !== (form.dataset.done || "/"))) {
        // Saved, or (after a hard moment) waiting on the phone: the banner there says it waits.
        window.location.assign(nextPage(form, item.body));
      } else if (stored.errors) {
        const rest = showErrors(form, stored.errors);
        outboxStatus(form, ["Saved on this phone, but it needs a fix before it can sync.", ...rest].join(" "), true);
      } else if (result) {
        outboxStatus(form, "Saved on this phone, will sync when there is a connection.", false);
      }
    });
  }
}

async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register("outbox");
  } catch (error) { /* not in this browser: the online and open events flush instead */ }
}

async function showWaiting(gone = 0) {
  const banner = document.getElementById("outbox-banner");
  if (!banner) return;
  const items = await Outbox.all();
  const fixes = items.filter((item) => item.status === "needs-fix");
  banner.hidden = items.length === 0 && !gone;
  if (banner.hidden) return;
  const list = banner.querySelector("ul");
  list.textContent = "";
  banner.querySelector(".outbox-count").textContent = items.length === 0 ? "" :
    `${items.length} ${items.length === 1 ? "entry is" : "entries are"} saved on this phone and not synced yet.`;
  for (let n = 0; n < gone; n += 1) {
    const entry = document.createElement("li");
    entry.className = "outbox-gone";
    entry.textContent = DELETED_ELSEWHERE;
    list.append(entry);
  }
  for (const item of fixes) {
    const entry = document.createElement("li");
    const link = document.createElement("a");
    link.href = item.page;
    link.textContent = "Needs a fix: open it";
    entry.append(link);
    list.append(entry);
  }
}

async function flushAndShow() {
  if (!signedIn) return;
  const result = await Outbox.flush(csrfToken()).catch(() => null);
  if (result && result.sent) cachePages(); // the safety plan and support sheet on the phone follow the saves
  document.dispatchEvent(new Event("outbox-flushed"));
  await showWaiting(result ? result.gone.length : 0).catch(() => {});
}

async function cachePages() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.ready;
  if (registration.active) registration.active.postMessage("cache-pages");
}

/* ---- "I'd like to talk": one tap, through the outbox, so it waits on the phone without signal ---- */
function setUpTalkButtons() {
  for (const form of document.querySelectorAll("form[data-talk]")) {
    const idInput = form.querySelector("input[name=id]");
    const status = form.querySelector(".talk-status");
    idInput.value = newId(); // a cached page's id is old; taps on this page are one request
    const showIfSent = async () => {
      if (form.dataset.state === "waiting" && !(await Outbox.get(idInput.value))) {
        form.dataset.state = "sent";
        say(status, form.dataset.sent);
      }
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const id = idInput.value;
      await Outbox.put({
        id, url: `/api/v1/talk/${id}/`, page: window.location.pathname, csrf: csrfToken(),
        body: { source: form.querySelector("input[name=source]").value }, created: new Date().toISOString(),
        status: "waiting",
      });
      form.dataset.state = "waiting";
      await requestBackgroundSync();
      await Outbox.flush(csrfToken()).catch(() => null);
      if (await Outbox.get(id)) say(status, form.dataset.waiting);
      else await showIfSent();
    });
    document.addEventListener("outbox-flushed", showIfSent);
    if ("serviceWorker" in navigator) navigator.serviceWorker.addEventListener("message", showIfSent);
  }
}

if (typeof Outbox !== "undefined") {
  setUpOutboxForms();
  setUpTalkButtons();
  flushAndShow();
  window.addEventListener("online", flushAndShow);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") flushAndShow(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "synced") showWaiting(event.data.gone || 0);
    });
  }
}

/* ---- Parts of a page chosen by its address (?after=setback): a page served from the phone's
   cache is one copy for every address, so the script shows the part the address asks for. ---- */
for (const part of document.querySelectorAll("[data-after]")) {
  part.hidden = new URLSearchParams(window.location.search).get("after") !== part.dataset.after;
}

/* ---- Print buttons (the counselor's weekly summary) ---- */
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

/* ---- Joining: the time zone starts as this phone's own ---- */
for (const select of document.querySelectorAll("select[data-browser-zone]:not([data-chosen])")) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && [...select.options].some((option) => option.value === zone)) select.value = zone;
}

/* ---- Length limits: a counter near the limit, and never a silent cut ----
   Fields with a limit carry data-max-length and the counter's words (translated on the server),
   not the browser's maxlength, which cuts pasted text without a word. Text over the limit stays
   where it is; the form is not sent until it fits. Characters are counted as the server does. */
function fillIn(template, values) {
  return template.replace(/%\((\w+)\)s/g, (whole, key) => String(values[key]));
}

function tooLong(input) {
  return [...input.value].length > Number(input.dataset.maxLength);
}

for (const input of document.querySelectorAll("[data-max-length]")) {
  const limit = Number(input.dataset.maxLength);
  const counter = document.createElement("p");
  counter.className = "counter";
  counter.id = `${input.id || input.name}-counter`;
  counter.setAttribute("aria-live", "polite");
  input.after(counter);
  input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${counter.id}`.trim());
  const update = () => {
    const count = [...input.value].length;
    const over = count > limit;
    counter.classList.toggle("counter--over", over);
    // Shown from 80% of the limit on; quiet (and empty) before that.
    counter.textContent = count < limit * 0.8 ? "" :
      fillIn(over ? input.dataset.counterOver : input.dataset.counter, { count, limit, over: count - limit });
    if (over) input.setAttribute("aria-invalid", "true");
    else if (!input.closest(".field--error")) input.removeAttribute("aria-invalid");
  };
  input.addEventListener("input", update);
  update();
}

// Capturing, so it runs before any form's own handler (the outbox): nothing over-long is sent.
document.addEventListener("submit", (event) => {
  const first = [...event.target.querySelectorAll("[data-max-length]")].find(tooLong);
  if (!first) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  first.focus();
}, true);

/* ---- Copy and download (recovery codes, an invitation link) ----
   A button with data-copy="#id" copies that element's text (an input's value); one with
   data-download="#id" saves it as a .txt file made here, never sent anywhere. Hidden without
   script, shown here; the result is said in the nearby role=status element. */
function textOf(selector) {
  const source = document.querySelector(selector);
  if (!source) return "";
  if ("value" in source && source.tagName !== "UL" && source.tagName !== "OL") return source.value;
  const items = source.querySelectorAll("li");
  return items.length ? [...items].map((item) => item.textContent.trim()).join("\n") : source.textContent.trim();
}

function statusNear(button) {
  const box = button.closest(".copy-actions");
  return box ? box.querySelector(".copy-status") : null;
}

for (const button of document.querySelectorAll(".copy-actions [data-copy], .copy-actions [data-download], .copy-actions [data-print]")) {
  button.hidden = false;
}

for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const status = statusNear(button);
    try {
      await navigator.clipboard.writeText(textOf(button.dataset.copy));
      say(status, "Copied");
    } catch (error) {
      const source = document.querySelector(button.dataset.copy);
      if (source && typeof source.select === "function") source.select();
      say(status, "Could not copy: select the text and copy it yourself.");
    }
  });
}

for (const button of document.querySelectorAll("[data-download]")) {
  button.addEventListener("click", () => {
    const blob = new Blob([textOf(button.dataset.download) + "\n"], { type: "text/plain;charset=utf-8" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = button.dataset.downloadName || "steady.txt";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    say(statusNear(button), "Downloaded");
  });
}

/* ---- Chart tooltips ----
   Each bar of a server-drawn chart (templates/tracker/_chart.html) is focusable and named by
   its aria-label ("Sat 14 Nov, sleep: 6.5 h"). On focus, hover or tap that name is shown above
   the bar; screen readers already hear it, so the tooltip itself is aria-hidden. Without
   script the table under each chart has the same numbers. */
function showTip(bar) {
  const plot = bar.closest(".chart-plot");
  const tip = plot && plot.querySelector(".chart-tip");
  if (!tip) return;
  const box = bar.getBoundingClientRect();
  const area = plot.getBoundingClientRect();
  tip.textContent = bar.getAttribute("aria-label");
  tip.hidden = false;
  const half = tip.offsetWidth / 2;
  const centre = Math.min(Math.max(box.left + box.width / 2 - area.left, half), area.width - half);
  tip.style.left = `${centre}px`;
  tip.style.top = `${Math.max(box.top - area.top - 4, tip.offsetHeight)}px`;
}

function hideTip(bar) {
  const tip = bar.closest(".chart-plot")?.querySelector(".chart-tip");
  if (tip) tip.hidden = true;
}

for (const bar of document.querySelectorAll(".chart-svg .bar[aria-label]")) {
  bar.addEventListener("focus", () => showTip(bar));
  bar.addEventListener("blur", () => hideTip(bar));
  bar.addEventListener("pointerenter", () => showTip(bar));
  bar.addEventListener("pointerleave", () => { if (document.activeElement !== bar) hideTip(bar); });
}
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.activeElement?.matches(".chart-svg .bar")) hideTip(document.activeElement);
});

/* ---- The quick check-in: "Same as usual" and clock times in the phone's own habit ---- */

function showClockTimes() {
  // The server writes 24-hour times (HH:MM); the phone's locale says whether it reads 23:15 or 11:15 PM.
  const format = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
  for (const element of document.querySelectorAll("time[data-clock]")) {
    const [hours, minutes] = element.getAttribute("datetime").split(":").map(Number);
    element.textContent = format.format(new Date(2000, 0, 1, hours, minutes));
  }
}

function setUpUsualTimes() {
  // One tap fills the usual bed and wake times; typing other times afterwards unsets it, so a
  // saved "same as usual" is always the person's confirmation, never a leftover.
  const toggle = document.querySelector("input[data-usual]");
  if (!toggle) return;
  const form = toggle.form;
  const bed = form.querySelector("[name=in_bed_at]");
  const wake = form.querySelector("[name=final_wake_at]");
  const usual = toggle.closest("[data-bed]");
  if (usual) {
    toggle.addEventListener("change", () => {
      if (!toggle.checked) return;
      bed.value = usual.dataset.bed;
      wake.value = usual.dataset.wake;
    });
  }
  const confirmed = [bed.value, wake.value].join();
  for (const input of [bed, wake]) {
    input.addEventListener("input", () => {
      const expected = usual ? [usual.dataset.bed, usual.dataset.wake].join() : confirmed;
      if ([bed.value, wake.value].join() !== expected) toggle.checked = false;
    });
  }
}

showClockTimes();
setUpUsualTimes();

/* ---- Reminders: the test button only once this phone has notifications on ---- */

async function showTestButton() {
  const form = document.getElementById("test-notification");
  if (!form || !pushSupported || Notification.permission !== "granted") return;
  const registration = await navigator.serviceWorker.ready;
  form.hidden = !(await registration.pushManager.getSubscription());
}

function setUpTestButton() {
  const status = document.querySelector("#push-setup .push-status");
  if (!status) return;
  // Turning reminders on says so in the status line: look again then.
  new MutationObserver(() => showTestButton().catch(() => {})).observe(status, { childList: true, characterData: true, subtree: true });
  showTestButton().catch(() => {});
}

setUpTestButton();

/* ---- A folded part of a form opens when a field in it is marked wrong (e.g. by the outbox) ---- */

function openDetailsWithErrors() {
  const open = (element) => {
    for (let details = element.closest("details"); details; details = details.parentElement.closest("details")) details.open = true;
  };
  for (const form of document.querySelectorAll("form[data-outbox]")) {
    new MutationObserver((changes) => {
      for (const change of changes) if (change.target.getAttribute("aria-invalid") === "true") open(change.target);
    }).observe(form, { subtree: true, attributes: true, attributeFilter: ["aria-invalid"] });
  }
}

openDetailsWithErrors();
