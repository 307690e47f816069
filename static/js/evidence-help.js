// Evidence hints as the interviewer types: the rules of scorecards/evidence/rules.json, embedded in the page with
// json_script, applied exactly as scorecards/evidence/check.py applies them at submit. Hints never block a submit.
(function () {
  "use strict";

  var WORD = /[a-z0-9]+(?:[-'][a-z0-9]+)*/g;

  function wordsOf(text) {
    return text.toLowerCase().replace(/\u2019/g, "'").match(WORD) || [];
  }

  function matches(term, words, joined) {
    if (term.indexOf(" ") !== -1) { return joined.indexOf(" " + term + " ") !== -1; }
    if (term.charAt(term.length - 1) === "*") {
      var stem = term.slice(0, -1);
      return words.some(function (word) { return word.indexOf(stem) === 0; });
    }
    return words.indexOf(term) !== -1;
  }

  function matched(terms, words, joined) {
    return terms.filter(function (term) { return matches(term, words, joined); });
  }

  // Returns [{rule, group, title, why, instead, terms}], in the rules file's order.
  function check(spec, text) {
    var words = wordsOf(text);
    if (!words.length) { return []; }
    var joined = " " + words.join(" ") + " ";
    var hasBehaviour = matched(spec.behaviour_markers, words, joined).length > 0 || /[0-9]/.test(text);
    var tripped = {};
    var flags = [];
    spec.rules.forEach(function (rule) {
      var hit = false;
      var terms = [];
      if (rule.check === "min_words") {
        hit = words.length < rule.min_words;
      } else if (rule.check === "terms") {
        terms = matched(rule.terms, words, joined);
        hit = terms.length > 0;
      } else if (rule.check === "terms_without_behaviour") {
        terms = hasBehaviour ? [] : matched(rule.terms, words, joined);
        hit = terms.length > 0;
      } else if (rule.check === "no_behaviour") {
        hit = !hasBehaviour && !tripped[rule.except_rule];
      }
      if (hit) {
        tripped[rule.id] = true;
        flags.push({rule: rule.id, group: rule.group, title: rule.title, why: rule.why, instead: rule.instead,
                    terms: terms});
      }
    });
    return flags;
  }

  function shown(term) { return term.replace(/\*$/, "…"); }

  function render(box, flags) {
    box.textContent = "";
    box.hidden = flags.length === 0;
    if (!flags.length) { return; }
    var heading = document.createElement("p");
    heading.className = "evidence-hints-title";
    heading.textContent = labels.heading;
    box.appendChild(heading);
    var list = document.createElement("ul");
    flags.forEach(function (flag) {
      var item = document.createElement("li");
      item.className = "evidence-hint " + flag.group;
      item.setAttribute("data-rule", flag.rule);
      var title = document.createElement("strong");
      title.textContent = flag.title + (flag.terms.length ? " (" + flag.terms.map(shown).join(", ") + ")" : "");
      item.appendChild(title);
      item.appendChild(document.createTextNode(" " + flag.why + " "));
      var instead = document.createElement("em");
      instead.textContent = labels.instead + " " + flag.instead;
      item.appendChild(instead);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  var data = document.getElementById("evidence-rules");
  if (!data) { return; }
  var spec = JSON.parse(data.textContent);
  // Worded in the page's language by the server (scorecards/evidence/messages.py).
  var labels = spec.labels || {heading: "Hints on this evidence (you can still submit):", instead: "Instead:"};
  window.hireloopEvidence = {check: function (text) { return check(spec, text); }};

  document.querySelectorAll(".field.evidence textarea").forEach(function (area) {
    var box = document.createElement("div");
    box.className = "evidence-hints";
    box.id = area.id + "_hints";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    box.hidden = true;
    area.insertAdjacentElement("afterend", box);
    var timer = null;
    function update() { render(box, check(spec, area.value)); }
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 300);
    });
    if (area.value.trim()) { update(); }
  });
})();
