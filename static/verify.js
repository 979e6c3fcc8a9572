// verify.js: counts down the "Resend code" cool-down so the person sees when they may ask
// again. Without it the server still enforces the cool-down and says how long is left. Its
// words come from the page: the sentence in each plural form of the page's language
// (data-forms, the form picked by Intl.PluralRules) and the one for when the wait is over.
(function () {
  "use strict";
  var btn = document.querySelector("button[data-cooldown]"), note = document.getElementById("cooldown");
  if (!btn || !note) return;
  var left = parseInt(btn.getAttribute("data-cooldown"), 10) || 0;
  if (left <= 0) return;
  var forms, rules;
  try {
    forms = JSON.parse(note.getAttribute("data-forms"));
    rules = new Intl.PluralRules(document.documentElement.lang);
  } catch (e) { return; /* the server's sentence stays */ }
  btn.disabled = true;
  var timer = setInterval(function () {
    left -= 1;
    if (left > 0) {
      // Update the visible text every second, but announce only every 10 s to keep screen readers quiet.
      note.setAttribute("aria-live", left % 10 === 0 ? "polite" : "off");
      note.textContent = (forms[rules.select(left)] || forms.other).replace("{n}", left);
      return;
    }
    clearInterval(timer);
    btn.disabled = false;
    note.setAttribute("aria-live", "polite");
    note.textContent = note.getAttribute("data-done");
  }, 1000);
})();
