// Small enhancements for the interview kit and the scorecard form; every page works without them.
(function () {
  "use strict";

  // Print buttons are hidden without JavaScript (the browser's own print still uses the print stylesheet).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.querySelector("[data-scorecard-form]");
  if (!form) { return; }

  // Move focus to the problems (or the conflict) so keyboard and screen reader users land on them.
  var alertBox = document.getElementById("conflict") || document.getElementById("error-summary");
  if (alertBox) { alertBox.setAttribute("tabindex", "-1"); alertBox.focus(); }

  // A red flag's note shows once the flag is ticked (or already has text or an error).
  form.querySelectorAll("[data-red-flag]").forEach(function (flag) {
    var box = flag.querySelector("input[type=checkbox]");
    var note = flag.querySelector("[data-note]");
    var text = note.querySelector("textarea");
    function sync(focus) {
      var show = box.checked || text.value.trim() !== "" || note.classList.contains("has-error");
      note.hidden = !show;
      box.setAttribute("aria-expanded", show ? "true" : "false");
      text.required = box.checked;
      if (focus && box.checked) { text.focus(); }
    }
    box.addEventListener("change", function () { sync(true); });
    sync(false);
  });

  // Each dimension: a way to take a score back, and evidence marked required once a score is chosen.
  form.querySelectorAll("[data-dimension]").forEach(function (block) {
    var radios = block.querySelectorAll("input[type=radio]");
    var evidence = block.querySelector("textarea");
    var legend = block.querySelector("legend");
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "link small";
    clear.textContent = "Clear score";
    clear.setAttribute("aria-label", "Clear the score for " + block.querySelector("h3").firstChild.textContent.trim());
    legend.appendChild(document.createTextNode(" "));
    legend.appendChild(clear);
    function sync() {
      var chosen = block.querySelector("input[type=radio]:checked");
      clear.hidden = !chosen;
      evidence.setAttribute("aria-required", chosen && chosen.value !== "na" ? "true" : "false");
    }
    clear.addEventListener("click", function () {
      radios.forEach(function (radio) { radio.checked = false; });
      sync();
      updateProgress();
      markDirty();
      radios[0].focus();
    });
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  });

  // A live summary of what submitting still needs.
  var progress = form.querySelector("[data-progress]");
  function updateProgress() {
    if (!progress) { return; }
    var focus = form.querySelectorAll("[data-focus]");
    var answered = 0;
    var missingEvidence = 0;
    focus.forEach(function (block) { if (block.querySelector("input[type=radio]:checked")) { answered += 1; } });
    form.querySelectorAll("[data-dimension]").forEach(function (block) {
      var chosen = block.querySelector("input[type=radio]:checked");
      if (chosen && chosen.value !== "na" && block.querySelector("textarea").value.trim() === "") { missingEvidence += 1; }
    });
    var parts = [answered + " of " + focus.length + " focus dimension" + (focus.length === 1 ? "" : "s") + " answered"];
    if (missingEvidence) { parts.push("evidence missing for " + missingEvidence + " score" + (missingEvidence === 1 ? "" : "s")); }
    if (!form.querySelector("input[name=overall]:checked")) { parts.push("no overall recommendation yet"); }
    progress.textContent = parts.join(" · ") + ".";
  }
  form.addEventListener("change", updateProgress);
  form.addEventListener("input", updateProgress);
  updateProgress();

  // Leaving with unsaved changes asks first; saving or submitting does not.
  var dirty = false;
  function markDirty() { dirty = true; }
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
