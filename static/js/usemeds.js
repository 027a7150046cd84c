/* Use and medication in the check-in (issue 17): a follow-up question ("What did you use?",
   "How many doses did you miss?") shows only after the answer it belongs to. Hidden, its inputs
   are disabled, so neither the page nor the outbox sends them: the server refuses a follow-up
   without its answer (CheckIn.clean). Without this script every follow-up is simply shown. */
(() => {
  const boxes = [...document.querySelectorAll("[data-shown-by]")];

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
})();
