/* Steady's service worker, version {{ version }}. Served by Django from /sw.js (no-cache). */
const VERSION = "{{ version }}";
const CACHE = `steady-${VERSION}`;
const SHELL = {{ shell|safe }};
const PAGES = {{ pages|safe }};
const STATIC = {{ static_prefix|safe }};
// The words the scripts say, one catalog per language (tracker/web/pwa.py): /jsi18n/es.js for the
// pages, /jsi18n/es.json for this worker's own texts. LANGUAGE: the record of the language the
// person's pages are in, as the last page said (a message "language").
const CATALOGS = "/jsi18n/";
const LANGUAGE = "/jsi18n/language";
const DEFAULT_LANGUAGE = {{ default_language|safe }};
const PAGE_TIMEOUT_MS = 3000;
// The kept pages are fetched again once per version (a new version starts with an empty cache),
// after a save, and otherwise at most this often (STEADY_PAGES_REFRESH_SECONDS), never on every
// page view: on a phone's data plan that was all of them, 34-105 KB, behind each page. REFRESHED:
// the record of when they were last fetched, kept in the cache (like LANGUAGE) so that it outlives
// this worker being stopped, and gone with the cache (a new version, Clear-Site-Data at sign-out).
const PAGES_REFRESH_MS = {{ pages_refresh_ms }};
const REFRESHED = "/sw/pages-refreshed";
const NEVER_CACHED = ["/api/", "/admin/", "/care/"];
// The one exception to NEVER_CACHED: today's roll, names and marks only, for a group room
// without signal (see rollPage). Cleared at sign-out with everything else (Clear-Site-Data).
const ROLL_PAGES = /^\/care\/(roll|sessions\/\d+\/roll)\/$/;
const ACCOUNT_PAGES = ["/signin/", "/signout/", "/j/", "/password-reset/", "/account/"];
importScripts("{% load static %}{% static 'js/outbox.js' %}");

self.addEventListener("install", (event) => {
  // A new version waits until the page says so, so nothing in a form or the outbox is cut off.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  // A page view: the kept pages are fetched again if they are due. After a save: at once.
  if (event.data === "cache-pages") event.waitUntil(serially(refreshIfDue).then((refreshed) => notifyClients("pages-cached", { refreshed })));
  if (event.data === "pages-changed") event.waitUntil(pagesChanged().then((refreshed) => notifyClients("pages-cached", { refreshed })));
  if (event.data && event.data.type === "flush") event.waitUntil(notifyClients("flush"));
  if (event.data && event.data.type === "language") event.waitUntil(useLanguage(event.data.language, event.data.catalog));
});

/* ---- The person's language ----
   Every page tells the worker its language (<html lang>) and its catalog's address. The catalog is
   kept, so the page works offline in that language; so is the JSON form this worker reads its own
   texts from (notification actions). When the language is not the one the worker knew (the person
   switched in Settings, or signed in with another), every page kept on the phone is fetched again,
   so that what opens offline is in the new language too. */
async function currentLanguage(cache) {
  const record = await cache.match(LANGUAGE);
  return record ? record.text() : "";
}

async function keepCatalog(cache, path) {
  if (await cache.match(path)) return true;
  try {
    const response = await fetch(path, { credentials: "same-origin" });
    if (!response.ok) return false;
    await cache.put(path, response);
    return true;
  } catch (error) {
    return false; // offline: kept the next time a page loads it
  }
}

async function useLanguage(language, catalog) {
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(language || "")) return;
  const cache = await caches.open(CACHE);
  if (catalog) {
    const path = new URL(catalog, self.location.origin).pathname;
    if (path === `${CATALOGS}${language}.js`) await keepCatalog(cache, path);
  }
  if (!(await keepCatalog(cache, `${CATALOGS}${language}.json`))) return;
  const known = await currentLanguage(cache);
  if (known === language) return;
  // The first page after installing: what the worker keeps was fetched with this person's cookies,
  // in this language, so nothing is fetched twice. After a change, the kept pages are fetched
  // again, and the language recorded only then: cut off halfway (no signal), the next page retries.
  if (known && !(await refreshPages(cache))) return;
  await cache.put(LANGUAGE, new Response(language, { headers: { "Content-Type": "text/plain" } }));
}

async function refreshPages(cache) {
  // The kept pages (not the static files, the catalogs, or a roll, which is kept only as it is read).
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith(STATIC) || path.startsWith(CATALOGS) || ROLL_PAGES.test(path) || path === REFRESHED) continue;
    try {
      const response = await fetch(path, { credentials: "same-origin", redirect: "manual" });
      if (response.ok) await cache.put(path, response);
    } catch (error) {
      return false; // offline now
    }
  }
  return true;
}

/* This worker's own texts in the person's language: gettext over the kept JSON catalog. */
async function translations() {
  let catalog = {};
  try {
    const cache = await caches.open(CACHE);
    const language = (await currentLanguage(cache)) || DEFAULT_LANGUAGE;
    const response = await cache.match(`${CATALOGS}${language}.json`);
    if (response) catalog = (await response.json()).catalog || {};
  } catch (error) { /* the English words */ }
  return (msgid) => {
    const value = catalog[msgid];
    return typeof value === "string" ? value : Array.isArray(value) ? value[0] : msgid;
  };
}

/* The pages of the person's open questionnaires (issue 17), so one can be answered without signal:
   listed by the API, which answers only a signed-in participant. */
async function questionnairePages() {
  try {
    const response = await fetch("/api/v1/questionnaires/", { credentials: "same-origin", redirect: "manual" });
    if (!response.ok) return [];
    const answer = await response.json();
    return (answer.results || []).map((questionnaire) => `/questionnaires/${Number(questionnaire.id)}/`);
  } catch (error) {
    return [];
  }
}

async function cachePages(cache) {
  // One page after another: a gentle load on the server, and on a slow connection. True when every
  // page was answered (a redirect too: the check-in already made today opens as its edit page).
  let done = true;
  const catalogs = (await cache.keys()).map((request) => new URL(request.url).pathname)
    .filter((path) => path.startsWith(CATALOGS) && path !== LANGUAGE);
  for (const path of [...PAGES, ...await questionnairePages(), ...catalogs]) {
    try {
      const response = await fetch(path, { credentials: "same-origin", redirect: "manual" });
      if (response.ok) await cache.put(path, response);
    } catch (error) {
      done = false; // offline now: the page is cached the next time it is visited
    }
  }
  return done;
}

// One refresh at a time: two pages opened together fetch the pages once, and a save that comes
// while they are being fetched makes them due again once that refresh is over.
let queue = Promise.resolve();

function serially(task) {
  const run = queue.then(task);
  queue = run.catch(() => {});
  return run;
}

async function refreshIfDue() {
  const cache = await caches.open(CACHE);
  const record = await cache.match(REFRESHED);
  const age = record ? Date.now() - Number(await record.text()) : NaN;
  // No record: a new version, or a save since. A negative age: the phone's clock was put back.
  if (age >= 0 && age < PAGES_REFRESH_MS) return false;
  if (await cachePages(cache)) {
    await cache.put(REFRESHED, new Response(String(Date.now()), { headers: { "Content-Type": "text/plain" } }));
  }
  return true;
}

function pagesChanged() {
  // Something was saved (a page's form, the outbox): the safety plan, Today, the tasks... change.
  return serially(async () => {
    await (await caches.open(CACHE)).delete(REFRESHED);
    return refreshIfDue();
  });
}

async function notifyClients(type, extra = {}) {
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage({ type, ...extra });
}

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await Promise.race([fetch(request), timeout(PAGE_TIMEOUT_MS)]);
    if (response.ok && response.type === "basic" && !response.redirected) {
      cache.put(new URL(request.url).pathname, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(new URL(request.url).pathname);
    return cached || cache.match("/offline/");
  }
}

async function networkOnly(request) {
  try {
    return await fetch(request);
  } catch (error) {
    return (await caches.match("/offline/")) || Response.error();
  }
}

/* Today's roll. Online, the page comes from the network as it is; the copy kept on the device is
   the list of today's sessions, and each roll the server marks X-Steady-Roll-Today (a session
   meeting today), cut down to names and marks: the parts between online-only markers (hours,
   the walk-in search, messages) are left out. The copy is cut from the page just read, never
   asked for again, so one opening of a roll is one read on the server (and one audit row).
   Offline, a copy from an earlier day is thrown away, not shown. */
const ONLINE_ONLY = /<!--steady:online-only-->[\s\S]*?<!--\/steady:online-only-->/g;

async function keep(cache, path, response) {
  const headers = new Headers(response.headers);
  headers.set("X-Steady-Kept", String(Date.now()));
  await cache.put(path, new Response(await response.blob(), { status: response.status, headers }));
}

async function keepRoll(cache, path, response) {
  if (response.headers.get("X-Steady-Roll-Today") !== "1") return cache.delete(path);
  const html = (await response.text()).replace(ONLINE_ONLY, "");
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return keep(cache, path, new Response(html, { status: response.status, headers }));
}

async function rollPage(request) {
  const cache = await caches.open(CACHE);
  const path = new URL(request.url).pathname;
  try {
    const response = await Promise.race([fetch(request), timeout(PAGE_TIMEOUT_MS)]);
    if (response.ok && !response.redirected) {
      if (path === "/care/roll/") {
        await keep(cache, path, response.clone());
      } else {
        keepRoll(cache, path, response.clone()).catch(() => {});
      }
    }
    return response;
  } catch (error) {
    const cached = await cache.match(path);
    const day = (date) => new Date(date).toDateString();
    if (cached && day(Number(cached.headers.get("X-Steady-Kept"))) === day(Date.now())) return cached;
    if (cached) await cache.delete(path);
    return (await cache.match("/offline/")) || Response.error();
  }
}

async function catalogFromCache(request) {
  // The kept copy, offline too: the words change only with a deploy, which is a new version of this
  // worker with a cache of its own, and they are fetched again with the kept pages (cachePages). The
  // first time, from the network, then kept.
  const cache = await caches.open(CACHE);
  const path = new URL(request.url).pathname;
  const cached = await cache.match(path);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(path, response.clone());
  return response;
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && ROLL_PAGES.test(url.pathname) && !url.search) {
    event.respondWith(rollPage(request));
    return;
  }
  // Never from cache, never into it: the API, the admin site, and the care team's pages, which
  // show other people's records and must not stay behind on a counselor's device (today's roll,
  // above, is the one narrow exception).
  if (NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix))) return;
  // Signing in and account pages: from the network only, never stored (they carry one-time
  // tokens, and a sign-in page opened right after sign-out must not bring back the cache that
  // Clear-Site-Data has just emptied); offline, the offline page with the crisis lines.
  if (ACCOUNT_PAGES.some((prefix) => url.pathname.startsWith(prefix))) {
    if (request.mode === "navigate") event.respondWith(networkOnly(request));
    return;
  }
  if (url.pathname.startsWith(STATIC)) {
    event.respondWith(cacheFirst(request)); // file names carry their hash
  } else if (url.pathname.startsWith(CATALOGS)) {
    event.respondWith(catalogFromCache(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});

// Reminders. Every push shows a notification: a silent push would get the subscription revoked.
// The title and body come from the server, already in the person's language; the fallbacks and
// the action buttons are this worker's own words, from the catalog kept for the person's language.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  event.waitUntil(translations().then((gettext) => showPush(data, gettext)));
});

const ACTIONS = ["open", "snooze"];

function actionsFor(data, gettext) {
  const sent = Array.isArray(data.actions) ? data.actions.filter(
    (a) => a && ACTIONS.includes(a.action) && typeof a.title === "string" && a.title) : [];
  if (sent.length) return sent.map((a) => ({ action: a.action, title: a.title }));
  return [
    // Translators: a button on a reminder notification; it opens the page to log the entry.
    { action: "open", title: gettext("Log now") },
    // Translators: a button on a reminder notification; the reminder comes again in 30 minutes.
    { action: "snooze", title: gettext("Snooze 30 min") },
  ];
}

function showPush(data, gettext) {
  const title = data.title || "Steady";
  const options = {
    body: data.body || gettext("Open Steady"),
    tag: data.tag || "steady",
    icon: "{% static 'icons/icon-192.png' %}",
    badge: "{% static 'icons/icon-192.png' %}",
    data: { url: data.url || "/", token: data.token || "" },
    // An urgent notice to a counselor (tracker/urgent.py) opens its page; nothing to log or snooze.
    // A reminder's buttons come worded by the server in the recipient's language (their choice on
    // any device); the worker's own words are for a payload without them.
    actions: data.kind === "urgent" ? [] : actionsFor(data, gettext),
    requireInteraction: data.kind === "urgent",
  };
  return self.registration.showNotification(title, options);
}

async function postToken(path, token) {
  if (!token) return;
  try {
    await fetch(path, {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
    });
  } catch (error) { /* offline: nothing more to do */ }
}

async function openPage(url) {
  // Focus a window already on that page, else take an open Steady window there, else open one.
  const target = new URL(url, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const same = windows.find((client) => client.url === target);
  if (same) return same.focus();
  const other = windows.find((client) => "navigate" in client);
  if (other) {
    const navigated = await other.navigate(target);
    return (navigated || other).focus().catch(() => navigated);
  }
  return self.clients.openWindow(target);
}

self.addEventListener("notificationclick", (event) => {
  const { url, token } = event.notification.data || {};
  event.notification.close();
  if (event.action === "snooze") {
    event.waitUntil(postToken("/api/v1/reminders/snooze/", token));
    return;
  }
  event.waitUntil(Promise.all([postToken("/api/v1/reminders/opened/", token), openPage(url || "/")]));
});

self.addEventListener("pushsubscriptionchange", (event) => {
  // Tell open pages to subscribe again and send the new subscription (they hold the CSRF token).
  event.waitUntil(notifyClients("resubscribe"));
});

// Background Sync, where the browser has it: the outbox is sent even with Steady closed, by the
// same rules as a page's flush (outbox.js): a refused draft waits for the person, not for this.
self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") {
    event.waitUntil((async () => {
      const result = await Outbox.flush();
      if (result.sent) { // the safety plan and support sheet follow what was saved
        await notifyClients("pages-cached", { refreshed: await pagesChanged() });
      }
      await notifyClients("synced", { gone: result.gone, signin: result.signin });
      // Anything still waiting to be sent makes the browser try this sync again later; drafts that
      // need a fix, or a sign-in, wait for the person instead.
      // (A facilitator's roll marks wait for a page signed in as that person: not this.)
      if (!result.signin && (await Outbox.all()).some((item) => (!item.status || item.status === "waiting")
          && item.user === undefined)) {
        throw new Error("outbox not empty");
      }
    })());
  }
});
