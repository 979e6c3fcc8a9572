// enroll.js: checks the phone number as the person types, with the same metadata and verdict
// as the server (phone.js), shows the number that will be sent, and keeps an invalid number
// from being sent. Without it the form still works: the server checks again.
(function () {
  "use strict";
  var form = document.querySelector("form.phone-form");
  if (!form || !window.PhonePolicy || !window.fetch) return;
  var input = form.querySelector("#phone"), select = form.querySelector("#region");
  var error = form.querySelector("#phone-error"), preview = form.querySelector("#phone-preview");
  var allowed = [];
  for (var i = 0; i < select.options.length; i++) if (select.options[i].value) allowed.push(select.options[i].value);
  var M = null, touched = input.value !== "";

  function check(final) {
    if (!M) return null;
    var v = PhonePolicy.verdict(input.value, select.value, M, allowed);
    if (v.ok) {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", "phone-hint phone-preview");
      error.textContent = "";
      preview.textContent = "We will text " + v.e164 + ".";
      return v;
    }
    preview.textContent = "";
    if (!touched && !final) return v;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "phone-hint phone-error");
    error.textContent = PhonePolicy.message(v, M);
    return v;
  }

  fetch(form.getAttribute("data-meta"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (m) { M = m; if (input.value) check(false); })
    .catch(function () { /* the server will check */ });

  input.addEventListener("input", function () { touched = true; check(false); });
  select.addEventListener("change", function () { if (input.value) check(false); });
  form.addEventListener("submit", function (e) {
    touched = true;
    var v = check(true);
    if (v && !v.ok) { e.preventDefault(); input.focus(); }
  });
})();
