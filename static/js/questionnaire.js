/* Answering a questionnaire (templates/tracker/questionnaire/page.html, tracker/web/measures.py).
   Without this script the page is one plain form. With it:
   - one item per screen, the stem above it, "3 of 9", Back and Next; each step is a history entry,
     so the browser's Back and Forward move between items, and focus goes to the item's heading;
   - the answers are kept on this phone as the person goes (localStorage, for this person and this
     questionnaire) and saved as a draft through the outbox (PUT complete=false) at each step, so
     stopping and coming back, here or on another phone, resumes;
   - a safety item (PHQ-9 item 9) answered above 0 is sent at once as its own write (a SafetyAnswer,
     by the id the page carries: re-sent with a new value above 0, kept if changed to 0), and the
     help under it shows at once, also without signal, saying plainly whether it has been sent;
   - "Send my answers" goes through the outbox like every entry (PUT complete=true): online, the
     result page follows; offline, the page says the answers wait on the phone.
   It uses app.js's csrfToken and requestBackgroundSync, and outbox.js's Outbox. */
"use strict";

(() => {
  const form = document.getElementById("q-form");
  if (!form || typeof Outbox === "undefined") return;
  const said = document.getElementById("q-words").dataset;
  const data = form.dataset;
  const user = document.body.dataset.user || "";
  const storeKey = `steady-questionnaire-${user}-${data.questionnaire}`;
  const steps = [...form.querySelectorAll(".q-item")];
  const idInput = form.querySelector("input[name=id]");
  const nav = form.querySelector(".q-nav");
  const back = form.querySelector(".q-back");
  const next = form.querySelector(".q-next");
  const send = form.querySelector(".q-send");
  const status = form.querySelector(".q-status");
  const savedPanel = document.getElementById("q-saved");
  const keyOf = (input) => input.name.slice("answer-".length);

  function fromForm() {
    const answers = {};
    for (const input of form.querySelectorAll("input[type=radio]:checked")) answers[keyOf(input)] = Number(input.value);
    return answers;
  }

  function toForm(answers) {
    for (const input of form.querySelectorAll("input[type=radio]")) {
      input.checked = String(answers[keyOf(input)]) === input.value;
    }
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (error) { return null; }
  }

  function store() {
    state.updated = Date.now();
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (error) { /* private mode: the draft still goes */ }
  }

  /* Where the answers come from: this phone's copy when it is newer than the draft the page was
     drawn with (the page may come from the phone's cache), else the page's (the server's draft,
     perhaps from another phone). */
  const kept = load();
  const drawn = Number(data.updated || 0) * 1000;
  let state;
  let lastDraft = null; // the answers the server has as a draft, as JSON
  if (kept && kept.version === data.version && (kept.updated || 0) >= drawn) {
    state = kept;
    if (!state.done) toForm(state.answers || {});
    idInput.value = state.responseId || idInput.value;
  } else {
    state = { responseId: idInput.value, version: data.version, answers: fromForm(), safety: (kept && kept.safety) || {},
              updated: drawn };
    if (drawn) lastDraft = JSON.stringify(state.answers);
  }
  state.safety = state.safety || {};
  for (const step of steps.filter((candidate) => candidate.dataset.safetyId)) {
    // An answer above 0 in the draft the page was drawn with reached the server with it, and the
    // server sent its safety answer under this same id: nothing more to send, the help shows.
    const value = state.answers[step.dataset.key];
    if (value > 0 && !state.safety[step.dataset.key]) state.safety[step.dataset.key] = { id: step.dataset.safetyId, value, sent: true };
  }

  function body(complete) {
    return { questionnaire: Number(data.questionnaire), instrument: data.instrument, version: data.version,
             answers: { ...state.answers }, complete };
  }

  function outboxItem(complete) {
    const id = state.responseId;
    return { id, url: `/api/v1/responses/${id}/`, page: window.location.pathname, csrf: csrfToken(),
             created: new Date().toISOString(), label: complete ? said.label : said.draftLabel, body: body(complete) };
  }

  async function flush() {
    const result = await Outbox.flush(csrfToken(), user).catch(() => null);
    if (result && result.sent) pagesChanged(); // app.js: the kept pages follow (the open questionnaires)
    document.dispatchEvent(new Event("outbox-flushed"));
    return result;
  }

  /* ---- One item per screen ---- */
  let current = 0;

  function answered(step) {
    return Boolean(step.querySelector("input:checked"));
  }

  function safetySection(step) {
    const section = step.nextElementSibling;
    return section && section.classList.contains("q-safety") ? section : null;
  }

  function show(index, focus) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach((step, at) => {
      step.hidden = at !== current;
      const section = safetySection(step);
      if (section) section.hidden = at !== current || !state.safety[step.dataset.key];
    });
    back.hidden = current === 0;
    const last = current === steps.length - 1;
    next.hidden = last;
    send.querySelector("[value=complete]").hidden = !last;
    say("");
    if (focus) steps[current].querySelector(".q-text").focus();
  }

  function go(index) {
    saveDraft();
    show(index, true);
    window.history.pushState({ step: current }, "", `#${steps[current].id}`);
  }

  function stepOfHash() {
    if (window.location.hash === "#q-safety") return steps.findIndex((step) => step.dataset.safetyId);
    return steps.findIndex((step) => `#${step.id}` === window.location.hash);
  }

  function say(text) {
    status.textContent = text;
  }

  function markError(step, text) {
    let note = step.querySelector(".error");
    if (!note) {
      note = document.createElement("p");
      note.className = "error";
      note.id = `q-error-${step.dataset.key}`;
      step.querySelector(".q-choices").before(note);
      step.setAttribute("aria-describedby", note.id);
    }
    note.textContent = text;
    step.classList.add("q-item--error");
  }

  function clearError(step) {
    const note = step.querySelector(".error");
    if (note) note.remove();
    step.removeAttribute("aria-describedby");
    step.classList.remove("q-item--error");
  }

  /* ---- The draft: through the outbox at each step, and when the person leaves ---- */
  async function saveDraft() {
    if (state.done || !Object.keys(state.answers).length) return;
    const answers = JSON.stringify(state.answers);
    if (answers === lastDraft) return;
    lastDraft = answers;
    await Outbox.put(outboxItem(false));
    await flush();
    const left = await Outbox.get(state.responseId);
    if (left && left.status === "conflict" && left.existing) {
      // Another phone started this questionnaire under its own id first: carry on in that one.
      await Outbox.remove(left.id);
      state.responseId = left.existing;
      idInput.value = left.existing;
      store();
      lastDraft = null;
      await saveDraft();
    } else if (left && left.status === "needs-fix" && left.errors && left.errors.complete) {
      await Outbox.remove(left.id); // finished on another phone: nothing to keep as a draft
      say(said.taken);
    }
  }

  /* ---- A safety answer: its own write, the moment it is given ---- */
  async function safetyAnswered(step, value) {
    const key = step.dataset.key;
    const known = state.safety[key];
    if (!(value > 0)) return; // an answer above 0 already sent stays: the team sees it
    const section = safetySection(step);
    section.hidden = false;
    if (known && known.value === value) return;
    const id = (known && known.id) || step.dataset.safetyId;
    state.safety[key] = { id, value, sent: false };
    store();
    showSafetyStatus();
    form.querySelector(".q-announce").textContent = said.safetyShown; // for a screen reader: the help is below
    section.scrollIntoView({ block: "start" });
    await Outbox.put({
      id, url: `/api/v1/safety-answers/${id}/`, page: window.location.pathname, csrf: csrfToken(),
      created: new Date().toISOString(), label: said.safetyLabel,
      body: { response_id: state.responseId, instrument: data.instrument, version: data.version, item: key, value,
              answered_at: new Date().toISOString() },
    });
    await requestBackgroundSync();
    await flush();
  }

  async function showSafetyStatus() {
    for (const [key, answer] of Object.entries(state.safety)) {
      const step = steps.find((candidate) => candidate.dataset.key === key);
      const line = step && safetySection(step) && safetySection(step).querySelector(".q-safety-status");
      if (!line) continue;
      const waiting = await Outbox.get(answer.id).catch(() => null);
      if (!waiting && !answer.sent) {
        answer.sent = true;
        store();
      }
      line.textContent = !waiting ? said.sent : waiting.status === "needs-fix" ? said.notTaken : said.notSent;
    }
  }

  /* "Your care team will see this by Monday at 9:00": true until then (or, drawn during office
     hours, for a while); a copy of the page from the phone's cache says the plain words after. */
  for (const when of document.querySelectorAll(".q-team-when[data-until]")) {
    if (Date.now() > Date.parse(when.dataset.until)) when.textContent = when.dataset.later;
  }

  /* ---- Finished: sent, or waiting on this phone ---- */
  async function showDone() {
    const waiting = await Outbox.get(state.responseId).catch(() => null);
    form.hidden = true;
    for (const part of document.querySelectorAll(".q-lead, .form-errors")) part.hidden = true;
    savedPanel.hidden = false;
    savedPanel.querySelector(".q-saved-waiting").hidden = !waiting;
    savedPanel.querySelector(".q-saved-sent").hidden = Boolean(waiting);
    if (!waiting && state.answers) {
      // The server has them: nothing of them needs to stay on this phone.
      state = { responseId: state.responseId, version: state.version, done: true, safety: state.safety };
      store();
    }
  }

  function showRefusal(errors) {
    const byItem = (errors && errors.answers && !Array.isArray(errors.answers)) ? errors.answers : {};
    let first = -1;
    steps.forEach((step, at) => {
      clearError(step);
      const messages = byItem[step.dataset.key];
      if (messages) {
        markError(step, [].concat(messages).join(" "));
        if (first < 0) first = at;
      }
    });
    const other = Object.entries(errors || {}).filter(([field]) => field !== "answers" && field !== "existing_id")
      .map(([, messages]) => [].concat(messages).join(" "));
    if (first >= 0) go(first);
    say([said.refused, ...other].join(" "));
  }

  form.addEventListener("change", (event) => {
    const input = event.target;
    if (input.type !== "radio") return;
    const step = input.closest(".q-item");
    state.answers[keyOf(input)] = Number(input.value);
    clearError(step);
    store();
    if (step.dataset.safetyId) safetyAnswered(step, Number(input.value));
  });

  next.addEventListener("click", () => {
    const step = steps[current];
    if (!step.hasAttribute("data-closing") && !answered(step)) {
      markError(step, said.pick);
      say(said.pick);
      return;
    }
    go(current + 1);
  });
  back.addEventListener("click", () => go(current - 1));
  for (const button of form.querySelectorAll(".q-continue")) {
    button.hidden = false;
    button.addEventListener("click", () => next.click());
  }
  window.addEventListener("popstate", () => {
    const at = stepOfHash();
    show(at >= 0 ? at : 0, true);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (event.submitter && event.submitter.value === "draft") {
      await saveDraft();
      window.location.assign("/");
      return;
    }
    const missing = steps.findIndex((step) => !step.hasAttribute("data-closing") && !answered(step));
    if (missing >= 0) {
      go(missing);
      markError(steps[missing], said.missing);
      say(said.missing);
      return;
    }
    state.done = true;
    store();
    await Outbox.put(outboxItem(true)); // takes the place of a draft waiting under the same id
    await requestBackgroundSync();
    const result = await flush();
    const left = await Outbox.get(state.responseId);
    if (!left) {
      await showDone();
      window.location.assign(data.result);
      return;
    }
    if (left.status === "needs-fix" || left.status === "conflict") {
      // A plain error on the page: nothing is kept in the outbox, the answers stay here.
      await Outbox.remove(left.id);
      state.done = false;
      store();
      if (left.status === "conflict") say(said.taken);
      else showRefusal(left.errors);
      return;
    }
    await showDone();
    if (result && result.signin) savedPanel.querySelector(".q-saved-waiting").textContent = said.signin;
    savedPanel.querySelector("h2").focus();
  });

  // What was sent meanwhile (the page's own flushes, app.js's on "online", the service worker's sync).
  const refresh = () => {
    showSafetyStatus();
    if (state.done) showDone();
  };
  document.addEventListener("outbox-flushed", refresh);
  if ("serviceWorker" in navigator) navigator.serviceWorker.addEventListener("message", refresh);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") saveDraft(); });

  /* ---- Start: one item per screen, at the address's item or the first one unanswered ---- */
  form.classList.add("q-steps");
  nav.hidden = false;
  if (state.done) {
    showDone();
    return;
  }
  const asked = stepOfHash();
  const open = steps.findIndex((step) => !step.hasAttribute("data-closing") && !answered(step));
  const firstError = steps.findIndex((step) => step.classList.contains("q-item--error"));
  show(firstError >= 0 ? firstError : asked >= 0 ? asked : open >= 0 ? open : steps.length - 1, false);
  window.history.replaceState({ step: current }, "", `#${steps[current].id}`);
  showSafetyStatus();
  saveDraft(); // answers kept on this phone that have not reached Steady yet
})();
