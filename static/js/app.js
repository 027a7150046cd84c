/* Steady in the browser: the service worker, updates, and reminders on this phone.
   Plain JavaScript, no framework; every page works without it. */
"use strict";

/* The words: gettext, ngettext and interpolate come from the page's language catalog
   (/jsi18n/<language>.js, tracker/web/pwa.py), loaded before this file. Should it be missing (a
   page kept from before the catalog, a failed load), the page still works, in English. */
if (typeof window.gettext !== "function") {
  window.gettext = (msgid) => msgid;
  window.ngettext = (singular, plural, count) => (count === 1 ? singular : plural);
  window.interpolate = (format, values) => format.replace(/%\((\w+)\)s/g, (whole, key) => String(values[key]));
}

/* Dates and times in the page's language (<html lang>), in the phone's own regional habit when the
   phone speaks that language (en-GB: a 24-hour clock); else the language's own. */
function pageLocale() {
  const language = (document.documentElement.lang || "en").toLowerCase();
  const base = language.split("-")[0];
  const own = (navigator.languages || [navigator.language]).find((tag) => tag && tag.toLowerCase().split("-")[0] === base);
  return own || language;
}

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

// A note for the next page that something was saved (a form that goes on to another page at once).
const PAGES_CHANGED = "steady-pages-changed";

function notePagesChanged() {
  try { sessionStorage.setItem(PAGES_CHANGED, "1"); } catch (error) { /* the pages follow at the next refresh */ }
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
  // The page's language: the worker keeps its catalog for offline use and says its own texts in it;
  // after a change (Settings) it fetches again the pages it keeps, so offline pages follow.
  const catalog = document.querySelector("script[src^='/jsi18n/']");
  if (ready.active) {
    ready.active.postMessage({ type: "language", language: document.documentElement.lang,
                               catalog: catalog ? catalog.getAttribute("src") : "" });
  }
  // The pages it keeps for use without signal: fetched again after a save (said by the page before
  // this one, which went on at once), else only when due (once per version, at most every few hours).
  let changed = false;
  try {
    changed = sessionStorage.getItem(PAGES_CHANGED) === "1";
    sessionStorage.removeItem(PAGES_CHANGED);
  } catch (error) { /* no note: the pages follow at the next refresh */ }
  if (signedIn && ready.active) ready.active.postMessage(changed ? "pages-changed" : "cache-pages");
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
    say(status, gettext("This browser can’t show notifications from Steady. Reminders will come by email if you have one on your account."));
    section.hidden = false;
    button.hidden = true;
    return;
  }
  section.hidden = false;
  if (Notification.permission === "granted") say(status, gettext("Notifications are on for this phone."));
  if (Notification.permission === "denied") say(status, gettext("Notifications are blocked for Steady in this browser’s settings."));
  button.addEventListener("click", async () => {
    // Asked inside the tap: iPhones only allow it there.
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say(status, gettext("Notifications were not allowed. You can allow them in the browser’s settings."));
      return;
    }
    try {
      const ok = await subscribe(document.body.dataset.pushKey);
      say(status, ok ? gettext("Notifications are on for this phone.") : gettext("Steady could not save this phone. Please try again."));
    } catch (error) {
      say(status, gettext("This phone could not be set up for notifications. Please try again later."));
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
        await Outbox.flush(csrfToken(), document.body.dataset.user).catch(() => {});
        const waiting = await Outbox.all().catch(() => []);
        const question = interpolate(ngettext(
          "%(count)s entry has not reached Steady yet and will be lost if you sign out now. Sign out anyway?",
          "%(count)s entries have not reached Steady yet and will be lost if you sign out now. Sign out anyway?",
          waiting.length), { count: waiting.length }, true);
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

/* ---- Forms that save through the offline outbox ----
   Online, a form is sent straight to the API (a PUT keyed by the entry's client-made id, so a
   second send changes nothing); only when there is no connection does it wait in the outbox.
   A refusal is a plain form error, never "saved". The rules for each answer are in outbox.js. */

const ZERO_ID = "00000000-0000-0000-0000-000000000000";

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
    } else if (element.dataset.list !== undefined) {
      // Several boxes of one name (a medication's times): a list of the filled-in ones.
      groups[name] = groups[name] || [];
      if (element.value !== "") groups[name].push(element.value);
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

function fillForm(form, body) {
  // Put a stored entry back into its form, to be fixed: the same fields formBody() read.
  for (const [name, value] of Object.entries(body)) {
    const inputs = form.querySelectorAll(`[name="${name}"]`);
    for (const input of inputs) {
      if (input.type === "checkbox" && inputs.length > 1) input.checked = (value || []).map(String).includes(input.value);
      else if (input.type === "checkbox") input.checked = Boolean(value);
      else if (input.type === "radio") input.checked = value !== null && String(value) === input.value;
      else if (input.dataset.lines !== undefined) input.value = (value || []).join("\n");
      else if (input.dataset.list !== undefined) input.value = (value || [])[[...inputs].indexOf(input)] || "";
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

function fieldLabel(form, input) {
  const group = input.closest("fieldset");
  const label = group ? group.querySelector("legend") : form.querySelector(`label[for="${input.id}"]`);
  return label ? label.textContent.trim() : "";
}

/* The error summary at the top of the form: what went wrong, a link to each field with its own
   message, and focus moved to it. Each field also shows its message beside it. */
function showRefusal(form, errors, lead) {
  clearStatus(form);
  const box = document.createElement("div");
  box.className = "form-errors outbox-status";
  box.setAttribute("role", "alert");
  box.tabIndex = -1;
  const head = document.createElement("p");
  head.append(...(Array.isArray(lead) ? lead : [lead || notSaved()]));
  box.append(head);
  const list = document.createElement("ul");
  for (const [field, messages] of Object.entries(errors || {})) {
    if (field === "existing_id" || field === "deleted_at") continue;
    const text = (Array.isArray(messages) ? messages : [messages]).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
    const input = form.querySelector(`[name="${field}"]`);
    const item = document.createElement("li");
    const visible = input && input.type !== "hidden" && input.id;
    if (visible) {
      const note = document.createElement("p");
      note.className = "error from-outbox";
      note.id = `outbox-error-${field}`;
      note.textContent = text;
      const place = input.closest(".field") || input.parentElement;
      place.insertBefore(note, place.querySelector("input, textarea, select, .choices"));
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
      const link = document.createElement("a");
      link.href = `#${input.id}`;
      const label = fieldLabel(form, input);
      link.textContent = !label ? text : /[?:.]$/.test(label) ? `${label} ${text}` : `${label}: ${text}`;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const details = input.closest("details");
        if (details) details.open = true;
        input.focus();
      });
      item.append(link);
    } else {
      item.textContent = text;
    }
    list.append(item);
  }
  if (list.children.length) box.append(list);
  form.prepend(box);
  box.focus();
}

function showStatus(form, text) {
  clearStatus(form);
  const status = document.createElement("p");
  status.className = "outbox-status";
  status.setAttribute("role", "status");
  status.textContent = text;
  form.prepend(status);
}

function clearStatus(form) {
  for (const old of form.querySelectorAll(".outbox-status, .error.from-outbox")) old.remove();
  for (const input of form.querySelectorAll("[aria-invalid][aria-describedby^=outbox-error-]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
}

function hasAnswer(form) {
  // The server's rule, checked before anything reaches the outbox (also offline): a form that
  // names its answers (data-answers) needs at least one of them filled in or picked.
  const names = (form.dataset.answers || "").split(" ").filter(Boolean);
  if (!names.length) return true;
  return names.some((name) => [...form.querySelectorAll(`[name="${name}"]`)].some((input) =>
    (input.type === "radio" || input.type === "checkbox") ? input.checked : input.value.trim() !== ""));
}

/* "Check-in, Tue 24 Nov": what the entry is (the page's noun) and its day (the form's own date
   field, or today), with the day's and month's short names in the page's language. */
function itemLabel(form) {
  const field = form.dataset.when && form.querySelector(`[name="${form.dataset.when}"]`);
  const match = field && /^(\d{4})-(\d{2})-(\d{2})/.exec(field.value);
  const day = match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : new Date();
  const name = (options) => new Intl.DateTimeFormat(pageLocale(), options).format(day);
  // Translators: an entry waiting on the phone, e.g. "Check-in, Tue 24 Nov"; weekday and month are short names.
  return interpolate(gettext("%(what)s, %(weekday)s %(day)s %(month)s"), {
    what: form.dataset.label, weekday: name({ weekday: "short" }), day: day.getDate(), month: name({ month: "short" }),
  }, true);
}

function notSaved() {
  return gettext("Nothing was saved yet. Please check the fields below; everything you typed is still here.");
}

function tooLarge() {
  return gettext("This is too long to send. Shorten it and save again.");
}

function editUrl(form, id) {
  return form.dataset.edit ? form.dataset.edit.replace(ZERO_ID, id) : "";
}

function conflictLead(form, answer, edit) {
  // 409: the server's words ("You already have a check-in for this day."), and a link that opens
  // the entry that already holds the day.
  const link = document.createElement("a");
  link.href = (edit || form.dataset.edit || "").replace(ZERO_ID, (answer && answer.existing_id) || "");
  link.textContent = gettext("Open it");
  const said = Object.entries(answer || {}).find(([key, value]) => key !== "existing_id" && Array.isArray(value));
  return [`${said ? said[1].join(" ") : gettext("You already have one for this day.")} `, link];
}

/* Where to go after a save. One place, so what follows a save can change here only. */
function rememberForUndo(form, item, before) {
  // Read by the next page (showSaved): it offers Undo until the person leaves it. Entries only:
  // a safety plan's versions are kept, never deleted, so its form (no data-edit) has no Undo.
  if (!form.dataset.edit) return;
  const saved = { url: item.url, label: item.label, undo: before };
  try { sessionStorage.setItem("steady-saved", JSON.stringify(saved)); } catch (error) { /* no Undo then */ }
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
    // What an edit form held when it opened: Undo puts it back.
    let before = form.dataset.new === "0" ? formBody(form) : "new";
    if (queued) {
      // A draft from the outbox, opened to fix it: saving it changes that draft, under its id.
      idInput.value = queued;
      form.dataset.new = "saved";
      Outbox.get(queued).then((item) => {
        if (!item) return;
        fillForm(form, item.body);
        if (item.status === "conflict") showRefusal(form, {}, conflictLead(form, item.errors, item.edit));
        else if (item.status === "needs-fix") showRefusal(form, item.errors, item.code === 413 ? tooLarge() : notSaved());
      });
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!hasAnswer(form)) {
        // The message is the page's own (translated on the server), in the summary at the top.
        showRefusal(form, {}, form.dataset.emptyMessage);
        return;
      }
      const id = idInput.value;
      const body = formBody(form);
      const item = {
        id, url: `/api/v1/${form.dataset.outbox}/${id}/`, page: `${window.location.pathname}?outbox=${id}`,
        body, csrf: csrfToken(), created: new Date().toISOString(), label: itemLabel(form), edit: form.dataset.edit || "",
      };
      const result = await Outbox.send(item, csrfToken());
      const saved = () => {
        if (form.dataset.new === "1") form.dataset.new = "saved"; // saving again changes this entry
        document.dispatchEvent(new CustomEvent("steady:saved", { detail: { kind: form.dataset.outbox, id, body } }));
      };
      if (result.outcome === "sent") {
        notePagesChanged();
        if (queued) await Outbox.remove(id).catch(() => {});
        rememberForUndo(form, item, before);
        saved();
        // Back to this form opens the saved entry to edit, never a blank form that would save it twice.
        const edit = editUrl(form, id);
        if (edit) window.history.replaceState(null, "", edit);
        window.location.assign(nextPage(form, body));
      } else if (result.outcome === "gone") {
        if (queued) await Outbox.remove(id).catch(() => {});
        // What was typed stays on the page; saving once more makes a new entry of it.
        idInput.value = newId();
        form.dataset.new = "1";
        before = "new";
        showRefusal(form, {}, `${gettext("Deleted on another device, so not saved again.")} ${gettext("Save once more to keep what you wrote as a new entry.")}`);
      } else if (result.outcome === "refused" || result.outcome === "conflict") {
        // A plain form error: nothing is kept anywhere but on this page (and a draft being fixed
        // keeps what was typed, still waiting for the fix).
        if (queued && await Outbox.get(id)) await Outbox.put(Outbox.refused({ ...item, rev: undefined }, result));
        if (result.outcome === "conflict") showRefusal(form, {}, conflictLead(form, result.answer));
        else showRefusal(form, result.answer, result.code === 413 ? tooLarge() : notSaved());
      } else {
        // No connection, signed out, or server trouble: it waits on this phone and is sent later.
        await Outbox.put({ ...item, status: "waiting" });
        saved();
        window.history.replaceState(null, "", item.page);
        await requestBackgroundSync();
        const next = nextPage(form, body);
        if (result.outcome !== "signin" && next !== (form.dataset.done || "/")) {
          // After a hard moment the support sheet comes next, also offline (it is on the phone);
          // the banner there says the urge waits on this phone.
          window.location.assign(next);
          return;
        }
        showStatus(form, result.outcome === "signin" ? gettext("Saved on this phone. Sign in to send it.")
          : gettext("Saved on this phone, will sync."));
        if (result.outcome === "signin") await showWaiting([], true).catch(() => {});
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

function button(text, className) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className || "button";
  element.textContent = text;
  return element;
}

/* Discard asks once, in the page: the question and two buttons take the place of the item's own. */
function askToDiscard(entry, item) {
  const actions = entry.querySelector(".outbox-actions");
  const ask = document.createElement("div");
  ask.className = "outbox-ask";
  const question = document.createElement("p");
  question.textContent = gettext("Throw this away? It has not reached Steady.");
  const yes = button(gettext("Yes, throw it away"), "button button--danger");
  const keep = button(gettext("Keep it"));
  ask.append(question, yes, keep);
  actions.hidden = true;
  entry.append(ask);
  yes.focus();
  keep.addEventListener("click", () => {
    ask.remove();
    actions.hidden = false;
    actions.querySelector("button").focus();
  });
  yes.addEventListener("click", async () => {
    await Outbox.remove(item.id);
    const banner = document.getElementById("outbox-banner");
    await showWaiting();
    if (banner && !banner.hidden) {
      banner.tabIndex = -1;
      banner.focus();
    }
    say(document.querySelector("#saved-note p"), gettext("Thrown away."));
    document.getElementById("saved-note").hidden = false;
  });
}

/* The banner on every page: each draft on this phone once, by what it is and when, with Fix and
   Discard for those that wait for the person; the ones found deleted; a sign-in link if needed. */
async function showWaiting(gone = [], signin = false) {
  const banner = document.getElementById("outbox-banner");
  if (!banner) return;
  const items = await Outbox.all();
  banner.hidden = items.length === 0 && !gone.length;
  banner.querySelector(".outbox-signin").hidden = !(signin && items.length);
  if (banner.hidden) return;
  const list = banner.querySelector(".outbox-list");
  list.textContent = "";
  banner.querySelector(".outbox-count").textContent = items.length === 0 ? "" : interpolate(ngettext(
    "%(count)s entry is saved on this phone and not synced yet.",
    "%(count)s entries are saved on this phone and not synced yet.", items.length), { count: items.length }, true);
  for (const item of gone) {
    const entry = document.createElement("li");
    entry.className = "outbox-gone";
    entry.textContent = item.label
      ? interpolate(gettext("%(label)s: Deleted on another device, so not saved again."), { label: item.label }, true)
      : gettext("Deleted on another device, so not saved again.");
    list.append(entry);
  }
  for (const item of items) {
    const entry = document.createElement("li");
    entry.className = "outbox-item";
    const what = document.createElement("p");
    const name = document.createElement("strong");
    name.textContent = item.label || "";
    what.append(name);
    if (item.status === "conflict") {
      what.append(": ", ...conflictLead(document.createElement("form"), item.errors, item.edit));
    } else {
      // Translators: an entry's state in the list of what waits on the phone, after its name and a colon.
      what.append(`: ${item.status === "needs-fix" ? gettext("needs a fix") : gettext("waiting to sync")}`);
    }
    entry.append(what);
    if (item.status === "needs-fix" || item.status === "conflict") {
      const actions = document.createElement("p");
      actions.className = "outbox-actions";
      const fix = document.createElement("a");
      fix.className = "button";
      fix.href = item.page;
      fix.textContent = gettext("Fix");
      const discard = button(gettext("Discard"));
      discard.addEventListener("click", () => askToDiscard(entry, item));
      actions.append(fix, discard);
      entry.append(actions);
    }
    list.append(entry);
  }
}

async function flushAndShow() {
  if (!signedIn) return;
  const result = await Outbox.flush(csrfToken()).catch(() => null);
  if (result && result.sent) pagesChanged(); // the safety plan and support sheet on the phone follow the saves
  document.dispatchEvent(new Event("outbox-flushed"));
  await showWaiting(result ? result.gone : [], Boolean(result && result.signin)).catch(() => {});
}

/* ---- Saved, with Undo ----
   The page after a save says so, with an Undo that stays until the person leaves the page.
   Undo of a new entry deletes it; Undo of an edit puts the earlier answers back. */
function showSaved() {
  const note = document.getElementById("saved-note");
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem("steady-saved") || "null");
    sessionStorage.removeItem("steady-saved");
  } catch (error) { saved = null; }
  if (!note || !saved) return;
  const text = note.querySelector("p");
  const undo = note.querySelector("button");
  text.textContent = interpolate(gettext("Saved: %(label)s."), { label: saved.label }, true);
  note.hidden = false;
  undo.hidden = false;
  undo.addEventListener("click", async () => {
    undo.disabled = true;
    let response = null;
    try {
      response = saved.undo === "new" ? await api("DELETE", saved.url) : await api("PUT", saved.url, saved.undo);
    } catch (error) { response = null; }
    undo.disabled = false;
    if (response && response.ok) {
      pagesChanged();
      undo.hidden = true;
      text.textContent = saved.undo === "new" ? gettext("Undone: it is deleted.") : gettext("Undone: your earlier answers are back.");
      note.tabIndex = -1;
      note.focus();
    } else {
      text.textContent = gettext("Could not undo. Check the connection and try again.");
    }
  });
}

async function pagesChanged() {
  // Something reached Steady: the service worker fetches again the pages it keeps on the phone.
  if (!signedIn || !("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.ready;
  if (registration.active) registration.active.postMessage("pages-changed");
}

/* ---- Forms that post to the server (deleting an entry, a high-risk time, reminders): the page
   after them tells the service worker the kept pages changed. Not signing out (the browser forgets
   everything) nor the language (the worker fetches the pages again in the new one by itself). ---- */
for (const form of document.querySelectorAll("form[method=post]:not([data-outbox]):not([data-talk])")) {
  const action = new URL(form.action, window.location.href).pathname;
  if (action === "/signout/" || action === "/language/") continue;
  form.addEventListener("submit", notePagesChanged);
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
        status: "waiting", label: itemLabel(form),
      });
      form.dataset.state = "waiting";
      await requestBackgroundSync();
      const result = await Outbox.flush(csrfToken()).catch(() => null);
      if (result && result.sent) pagesChanged();
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
  showSaved();
  flushAndShow();
  window.addEventListener("online", flushAndShow);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") flushAndShow(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "synced") showWaiting(event.data.gone || [], event.data.signin).catch(() => {});
    });
  }
}

/* ---- Parts of a page chosen by its address (?after=setback): a page served from the phone's
   cache is one copy for every address, so the script shows the part the address asks for. ---- */
for (const part of document.querySelectorAll("[data-after]")) {
  part.hidden = new URLSearchParams(window.location.search).get("after") !== part.dataset.after;
}

/* ---- Print buttons (the counselor's weekly summary, the recovery passport) ---- */
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
      say(status, gettext("Copied"));
    } catch (error) {
      const source = document.querySelector(button.dataset.copy);
      if (source && typeof source.select === "function") source.select();
      say(status, gettext("Could not copy: select the text and copy it yourself."));
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
    say(statusNear(button), gettext("Downloaded"));
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
  // The server writes 24-hour times (HH:MM); the page's language, in the phone's own habit when
  // the phone speaks it, says whether it reads 23:15 or 11:15 PM.
  const format = new Intl.DateTimeFormat(pageLocale(), { hour: "numeric", minute: "2-digit" });
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

/* ---- Issue 16, the participant's side of group: "Can't make it" / "I missed it" ----
   One tap on a reason puts the notice in the outbox (PUT /api/v1/notices/<id>/, so it waits on the
   phone without signal and is never made twice) and shows that reason's next step, which is in the
   page already (offline too). 409: a notice for this session exists; its page says "You already told us". */
function setUpNoticeForms() {
  for (const form of document.querySelectorAll("form[data-notice]")) {
    const idInput = form.querySelector("input[name=id]");
    const status = form.querySelector(".notice-status");
    const steps = document.querySelector("[data-next-steps]");
    const showIfSent = async () => {
      if (form.dataset.state === "waiting" && !(await Outbox.get(idInput.value))) {
        form.dataset.state = "sent";
        say(status, form.dataset.sent);
      }
    };
    form.addEventListener("submit", async (event) => {
      const reason = event.submitter && event.submitter.value;
      if (!reason) return;
      event.preventDefault();
      const id = idInput.value;
      const words = form.querySelector("input[name=words]").value;
      const item = {
        id, url: `/api/v1/notices/${id}/`, page: window.location.pathname, csrf: csrfToken(),
        body: { session: Number(form.dataset.session), reason, words }, created: new Date().toISOString(),
        status: "waiting", label: form.dataset.label,
      };
      await Outbox.put(item);
      const result = await Outbox.send(item, csrfToken());
      if (result.outcome === "conflict" && result.answer && result.answer.existing_id) {
        await Outbox.remove(id);
        window.location.assign(`/group/notices/${result.answer.existing_id}/?again=1`);
        return;
      }
      if (result.outcome === "refused") {
        await Outbox.remove(id);
        const said = result.answer ? Object.values(result.answer).flat().join(" ") : "";
        say(status, said);
        return;
      }
      if (result.outcome === "sent" || result.outcome === "gone") await Outbox.remove(id);
      else {
        form.dataset.state = "waiting";
        await requestBackgroundSync();
      }
      for (const part of steps.querySelectorAll("[data-next-step]")) part.hidden = part.dataset.nextStep !== reason;
      for (const own of steps.querySelectorAll("[data-own-words]")) {
        own.textContent = words;
        own.parentElement.hidden = !words;
      }
      for (const part of form.querySelectorAll(".reasons, .field")) part.hidden = true; // sent or waiting: done here
      steps.hidden = false;
      say(status, form.dataset.state === "waiting" ? form.dataset.waiting : form.dataset.sent);
      steps.querySelector("h2").focus();
    });
    document.addEventListener("outbox-flushed", showIfSent);
    if ("serviceWorker" in navigator) navigator.serviceWorker.addEventListener("message", showIfSent);
  }
}

if (typeof Outbox !== "undefined") setUpNoticeForms();

/* ---- The roll (issue 16, attendance) ----
   Each mark is a PUT keyed by session and participant, saved first in the outbox with the
   signed-in staff member's id and the time of the tap (the later recorded time wins on the
   server). Marks wait through no signal and an expired sign-in; they are sent only from a page
   signed in as the same person (with the second factor: the API refuses anyone else). */

function setUpRoll() {
  const form = document.querySelector("form.roll-form");
  if (!form || typeof Outbox === "undefined") return;
  const { session, user } = form.dataset;
  const status = form.querySelector(".roll-status");
  const prefix = `attendance-${session}-`;
  const tapped = {};
  const rowOf = (id) => form.querySelector(`.roll-row[data-participant="${id.slice(prefix.length)}"]`);

  form.addEventListener("change", (event) => {
    const row = event.target.closest(".roll-row");
    if (row) tapped[row.dataset.participant] = new Date().toISOString();
  });

  const ours = async () => (await Outbox.all().catch(() => [])).filter((item) => item.id.startsWith(prefix) && String(item.user) === user);

  async function send() {
    const before = (await ours()).length;
    if (!before) return 0;
    await Outbox.flush(csrfToken(), user).catch(() => null);
    const mine = await ours();
    const lines = [];
    for (const item of mine) {
      const row = rowOf(item.id);
      const name = item.label || "";
      if (item.status === "conflict" && item.errors && item.errors.current) {
        // A later mark is on the server: show it, and drop ours.
        const radio = row && row.querySelector(`input[value="${item.errors.current.status}"]`);
        if (radio) radio.checked = true;
        lines.push(fillIn(form.dataset.stale, { name }));
        await Outbox.remove(item.id);
      } else if (item.status === "needs-fix") {
        lines.push(fillIn(form.dataset.refused, { name, reason: (item.errors && (item.errors.detail || JSON.stringify(item.errors))) || "" }));
        await Outbox.remove(item.id);
      }
    }
    const waiting = mine.filter((item) => !item.status || item.status === "waiting");
    if (waiting.length) lines.push(navigator.onLine ? form.dataset.signin : form.dataset.savedHere);
    else if (!lines.length) lines.push(form.dataset.sent);
    status.textContent = lines.join(" ");
    return before;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const now = new Date().toISOString();
    for (const row of form.querySelectorAll(".roll-row")) {
      const id = row.dataset.participant;
      const checked = row.querySelector("input[type=radio]:checked");
      // Only what was tapped here, or a pre-marked row never saved: a mark shown from the server
      // is not sent back (it could undo a later one made on another device).
      if (!checked || !(tapped[id] || row.dataset.marked === "0")) continue;
      const body = { status: checked.value, recorded_at: tapped[id] || now, walk_in: row.dataset.walkIn === "1" };
      const typed = row.querySelector("input[type=number]").value.trim();
      if (typed !== "" && ["present", "late", "left_early"].includes(checked.value)) body.minutes = Number(typed);
      await Outbox.put({ id: `${prefix}${id}`, url: `/api/v1/care/sessions/${session}/attendance/${id}/`, body, user,
        csrf: csrfToken(), label: row.dataset.name, page: window.location.pathname, created: now });
      delete tapped[id];
      row.dataset.marked = "1";
    }
    if (!(await send())) status.textContent = form.dataset.sent;
  });
  window.addEventListener("online", () => send().catch(() => {}));
  send().catch(() => {});
}

setUpRoll();

/* ---- Issue 17, use and medication in the check-in: a follow-up question ("What did you use?",
   "How many doses did you miss?") shows only after the answer it belongs to. Hidden, its inputs
   are disabled, so neither the page nor the outbox sends them: the server refuses a follow-up
   without its answer (CheckIn.clean). Without the script every follow-up is simply shown.
   (Here, not in a file of its own: the check-in page keeps to two scripts, its budget.) ---- */

function setUpFollowUps() {
  const boxes = [...document.querySelectorAll("[data-shown-by]")];
  if (!boxes.length) return;

  function update(box) {
    const form = box.closest("form");
    const picked = form && form.querySelector(`input[name="${box.dataset.shownBy}"]:checked`);
    // A follow-up the server refused stays in view, to be fixed or cleared.
    const show = Boolean((picked && picked.value === box.dataset.shownFor) || box.querySelector(".field--error"));
    box.hidden = !show;
    for (const input of box.querySelectorAll("input, select, textarea")) input.disabled = !show;
  }

  for (const box of boxes) {
    const form = box.closest("form");
    if (!form) continue;
    for (const radio of form.querySelectorAll(`input[name="${box.dataset.shownBy}"]`)) {
      radio.addEventListener("change", () => update(box));
    }
    update(box);
  }
  // A draft opened from the outbox has its answers put back without change events: look again
  // just before a save (capture: before the outbox reads the form).
  document.addEventListener("submit", () => boxes.forEach(update), true);
}

setUpFollowUps();
