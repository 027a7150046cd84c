/* The offline outbox, shared by the pages and the service worker (importScripts).
   Every entry is kept in IndexedDB under its client-made id until the server answers a PUT of it
   with a 2xx that names that id. Each other answer is taken on purpose (send() below):
   - 400 or 413: refused as it is. The draft waits, status "needs-fix", with the server's words,
     and is never sent again until the person changes it (a put() makes it "waiting" again) or
     throws it away (remove()).
   - 409: another entry already holds that day. Status "conflict", with the id of that entry.
   - 410: deleted (on another device, maybe): done, and the page says so.
   - 401 or 403: signed out. Everything is kept; the page asks the person to sign in, and the
     flush after sign-in sends it.
   - no connection, or any other answer: everything waits for the next try. */
"use strict";

const Outbox = (() => {
  const DB = "steady";
  const STORE = "outbox";

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = work(tx.objectStore(STORE));
      tx.oncomplete = () => { db.close(); resolve(result && "result" in result ? result.result : undefined); };
      tx.onerror = () => { db.close(); reject(tx.error); };
      tx.onabort = () => { db.close(); reject(tx.error || new Error("outbox transaction aborted")); };
    });
  }

  // Every save of an item gets a new revision, so a flush never overwrites or removes a newer one.
  // A save is a change by the person: it waits to be sent unless the caller says otherwise.
  const put = (item) => run("readwrite", (store) => store.put({
    status: "waiting", ...item, rev: `${Date.now()}-${Math.random()}`,
  }));

  /* Replace (or with null, remove) the item, but only if it is still the revision that was sent. */
  function settle(sent, next) {
    return run("readwrite", (store) => {
      const request = store.get(sent.id);
      request.onsuccess = () => {
        const current = request.result;
        if (!current || current.rev !== sent.rev) return; // changed meanwhile: the newer one waits
        if (next) store.put(next);
        else store.delete(sent.id);
      };
    });
  }
  const all = () => run("readonly", (store) => store.getAll());
  const get = (id) => run("readonly", (store) => store.get(id));
  const remove = (id) => run("readwrite", (store) => store.delete(id));

  /* One PUT of an item, and what its answer means: {outcome, answer}. The pages use this for a
     save made online too, so the rules above hold for every write. */
  async function send(item, csrf) {
    let response;
    try {
      response = await fetch(item.url, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || item.csrf },
        body: JSON.stringify(item.body),
      });
    } catch (error) {
      return { outcome: "offline", answer: null };
    }
    let answer = null;
    try { answer = await response.json(); } catch (error) { answer = null; }
    if (answer !== null && typeof answer !== "object") answer = null;
    const code = response.status;
    if (response.ok && answer && answer.id === item.id) return { outcome: "sent", answer };
    if (code === 410) return { outcome: "gone", answer };
    if (code === 409) return { outcome: "conflict", answer };
    if (code === 400 || code === 413) return { outcome: "refused", answer, code };
    if (code === 401 || code === 403) return { outcome: "signin", answer };
    return { outcome: "later", answer };
  }

  /* What a refusal leaves of an item: it waits for the person, not for the network. */
  function refused(item, result) {
    if (result.outcome === "conflict") {
      return { ...item, status: "conflict", errors: result.answer, existing: result.answer && result.answer.existing_id };
    }
    return { ...item, status: "needs-fix", errors: result.answer, code: result.code };
  }

  let flushing = null;

  /* Send every item that waits ("waiting"; an item from before statuses counts as one) once;
     resolve with {sent, failed, gone, signin}: counts, the items found deleted ({id, label}),
     and whether the server asked to sign in. One flush at a time.
     A page passes its current CSRF token (signing in again changes it); the service worker,
     which cannot read cookies, uses the one stored with each item. `user`: the signed-in
     person's id, which items stored with a `user` must match. */
  function flush(csrf, user) {
    if (flushing) {
      // One flush at a time; a flush asked for meanwhile runs after it, so new items go too.
      return flushing.then(() => flush(csrf, user));
    }
    flushing = (async () => {
        let sent = 0, failed = 0, signin = false;
        const gone = [];
        for (const item of await all()) {
          if (item.status && item.status !== "waiting") continue; // waits for a fix or a discard
          // An item kept for one person (a facilitator's roll marks) goes only when a page signed in
          // as that same person flushes: never from the service worker, never for someone else.
          if (item.user !== undefined && String(item.user) !== String(user)) continue;
          const result = await send(item, csrf);
          if (result.outcome === "sent") {
            await settle(item, null);
            sent += 1;
          } else if (result.outcome === "gone") {
            // Deleted since it was written: sending it again would bring it back. Done.
            await settle(item, null);
            gone.push({ id: item.id, label: item.label || "" });
          } else if (result.outcome === "refused" || result.outcome === "conflict") {
            await settle(item, refused(item, result));
            failed += 1;
          } else {
            signin = result.outcome === "signin";
            break; // signed out, no connection, server trouble: keep everything and try later
          }
        }
        return { sent, failed, gone, signin };
      })().finally(() => { flushing = null; });
    return flushing;
  }

  return { put, all, get, remove, send, refused, flush };
})();

if (typeof self !== "undefined" && typeof window === "undefined") {
  self.Outbox = Outbox;
}
