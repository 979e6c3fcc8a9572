// verify.js: counts down the "Resend code" cool-down so the person sees when they may ask
// again. Without it the server still enforces the cool-down and says how long is left.
(function () {
  "use strict";
  var btn = document.querySelector("button[data-cooldown]"), note = document.getElementById("cooldown");
  if (!btn || !note) return;
  var left = parseInt(btn.getAttribute("data-cooldown"), 10) || 0;
  if (left <= 0) return;
  btn.disabled = true;
  var timer = setInterval(function () {
    left -= 1;
    if (left > 0) {
      // Update the visible text every second, but announce only every 10 s to keep screen readers quiet.
      note.setAttribute("aria-live", left % 10 === 0 ? "polite" : "off");
      note.textContent = "You can ask for a new code in " + left + " seconds.";
      return;
    }
    clearInterval(timer);
    btn.disabled = false;
    note.setAttribute("aria-live", "polite");
    note.textContent = "You can ask for a new code now.";
  }, 1000);
})();
