/* The offline outbox, shared by the pages and the service worker (importScripts).
   Every entry is kept in IndexedDB under its client-made id until the server answers a PUT of it
   with a 2xx that names that id. A 400 or 409 keeps it, with the server's words, for the person
   to fix: nothing is ever dropped. A 410 is done too: the entry was deleted (on another device,
   maybe), and the page says so. */
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
  const put = (item) => run("readwrite", (store) => store.put({ ...item, rev: `${Date.now()}-${Math.random()}` }));

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

  let flushing = null;

  /* Send every waiting item once; resolve with {sent, failed} counts and the ids found deleted
     ({gone}). One flush at a time.
     A page passes its current CSRF token (signing in again changes it); the service worker,
     which cannot read cookies, uses the one stored with each item. */
  function flush(csrf) {
    if (flushing) {
      // One flush at a time; a flush asked for meanwhile runs after it, so new items go too.
      return flushing.then(() => flush(csrf));
    }
    flushing = (async () => {
        let sent = 0, failed = 0;
        const gone = [];
        for (const item of await all()) {
          let response;
          try {
            response = await fetch(item.url, {
              method: "PUT",
              credentials: "same-origin",
              headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || item.csrf },
              body: JSON.stringify(item.body),
            });
          } catch (error) {
            break; // no connection: everything waits for the next try
          }
          let answer = null;
          try { answer = await response.json(); } catch (error) { answer = null; }
          if (response.ok && answer && answer.id === item.id) {
            await settle(item, null);
            sent += 1;
          } else if (response.status === 410) {
            // Deleted since it was written: sending it again would bring it back. Done.
            await settle(item, null);
            gone.push(item.id);
          } else if (response.status === 400 || response.status === 409) {
            const errors = answer || { detail: ["The server could not save this."] };
            await settle(item, { ...item, errors, status: "needs-fix" });
            failed += 1;
          } else {
            break; // signed out, server trouble: keep everything and try later
          }
        }
        return { sent, failed, gone };
      })().finally(() => { flushing = null; });
    return flushing;
  }

  return { put, all, get, flush };
})();

if (typeof self !== "undefined" && typeof window === "undefined") {
  self.Outbox = Outbox;
}
