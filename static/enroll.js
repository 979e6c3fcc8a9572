// enroll.js: checks the phone number as the person types, with the same metadata and verdict
// as the server (phone.js), shows the number that will be sent, and keeps an invalid number
// from being sent. Without it the form still works: the server checks again. Every word it
// shows comes from the page, in the page's language: the refusals and region names in the
// #phone-texts data block, the preview sentence in #phone-preview's data-text.
//
// The metadata comes in parts: a small core file first, then the rules of the picked country's
// calling code, and of a number's own calling code when one is typed after +. Each part is a
// content-versioned file the browser keeps, so the next page needs no download. While a part
// is on its way, or if it cannot be had, nothing is shown and nothing is blocked: the server
// decides.
(function () {
  "use strict";
  var form = document.querySelector("form.phone-form");
  if (!form || !window.PhonePolicy || !window.fetch || !window.Promise) return;
  var input = form.querySelector("#phone"), select = form.querySelector("#region");
  var error = form.querySelector("#phone-error"), preview = form.querySelector("#phone-preview");
  var allowed = [];
  for (var i = 0; i < select.options.length; i++) if (select.options[i].value) allowed.push(select.options[i].value);
  var coreURL = form.getAttribute("data-meta");
  var textsEl = document.getElementById("phone-texts"), texts;
  try { texts = JSON.parse(textsEl.textContent); } catch (e) { return; /* the server will check */ }
  var M = null, touched = input.value !== "", loading = {};

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  // load fetches calling codes' rules once each, then checks again.
  function load(codes) {
    codes.forEach(function (cc) {
      if (loading[cc]) return;
      loading[cc] = getJSON(PhonePolicy.groupURL(M, cc, new URL(coreURL, location.href)))
        .then(function (g) { PhonePolicy.addGroup(M, g); if (input.value) check(false); })
        .catch(function () { /* the server will check */ });
    });
  }

  function check(final) {
    if (!M) return null;
    var v = PhonePolicy.verdict(input.value, select.value, M, allowed);
    if (v.pending) {
      preview.textContent = "";
      load(v.pending);
      return null;
    }
    if (v.ok) {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", "phone-hint phone-preview");
      error.textContent = "";
      // In a right-to-left sentence the number keeps its left-to-right order: Unicode
      // isolates, as the server's printer writes them.
      var num = document.documentElement.dir === "rtl" ? "\u2066" + v.e164 + "\u2069" : v.e164;
      preview.textContent = (preview.getAttribute("data-text") || "").replace("{number}", num);
      return v;
    }
    preview.textContent = "";
    if (!touched && !final) return v;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "phone-hint phone-error");
    error.textContent = PhonePolicy.message(v, M);
    return v;
  }

  // pick loads the rules of the picked country, before anything is typed.
  function pick() {
    var cc = M && PhonePolicy.callingCode(M, select.value);
    if (cc) load([cc]);
  }

  getJSON(coreURL)
    .then(function (m) { M = PhonePolicy.words(PhonePolicy.init(m), texts); pick(); if (input.value) check(false); })
    .catch(function () { /* the server will check */ });

  input.addEventListener("input", function () { touched = true; check(false); });
  select.addEventListener("change", function () { pick(); if (input.value) check(false); });
  form.addEventListener("submit", function (e) {
    touched = true;
    var v = check(true);
    if (v && !v.ok) { e.preventDefault(); input.focus(); }
  });
})();
