/* Urgent notices on a counselor's device (tracker/urgent.py): subscribe this browser to Web Push
   with the same subscription call a participant's phone uses for reminders (app.js: subscribe).
   The words come translated from the page (data-* on the section). */
"use strict";

(function setUpUrgentPush() {
  const section = document.getElementById("urgent-push-setup");
  if (!section) return;
  const words = section.dataset;
  const button = section.querySelector("button");
  const status = section.querySelector(".push-status");
  section.hidden = false;
  if (!pushSupported || !words.key) {
    say(status, words.unsupported);
    button.hidden = true;
    return;
  }
  if (Notification.permission === "denied") say(status, words.blocked);
  navigator.serviceWorker.ready.then((registration) => registration.pushManager.getSubscription()).then((found) => {
    if (found && Notification.permission === "granted") say(status, words.on);
  }).catch(() => {});
  button.addEventListener("click", async () => {
    // Asked inside the click: some browsers allow it only there.
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say(status, permission === "denied" ? words.blocked : words.refused);
      return;
    }
    try {
      say(status, (await subscribe(words.key)) ? words.on : words.failed);
    } catch (error) {
      say(status, words.failed);
    }
  });
})();
