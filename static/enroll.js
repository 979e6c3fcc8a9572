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
  var away = form.querySelector("#country-warning");
  var allowed = [];
  for (var i = 0; i < select.options.length; i++) if (select.options[i].value) allowed.push(select.options[i].value);
  var coreURL = form.getAttribute("data-meta");
  var textsEl = document.getElementById("phone-texts"), texts;
  try { texts = JSON.parse(textsEl.textContent); } catch (e) { return; /* the server will check */ }
  var M = null, loading = {}, chosen = select.value;

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

  // check asks the policy about the number. While the person types (final false) it only
  // clears a refusal that no longer holds and shows the number once it is valid: a number
  // half-typed is not wrong yet (issue #25). When the field is left or the form sent (final
  // true), a refusal is shown and tied to the field.
  function check(final) {
    if (!M) return null;
    var v = PhonePolicy.verdict(input.value, select.value, M, allowed);
    if (v.pending) {
      setPreview("");
      load(v.pending);
      return null;
    }
    follow(v);
    if (v.ok) {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", "phone-hint phone-preview");
      error.textContent = "";
      // In a right-to-left sentence the number keeps its left-to-right order: Unicode
      // isolates, as the server's printer writes them.
      var num = document.documentElement.dir === "rtl" ? "\u2066" + v.shown + "\u2069" : v.shown;
      setPreview((preview.getAttribute("data-text") || "").replace("{number}", num));
      warnAway(v.region);
      return v;
    }
    setPreview("");
    warnAway("");
    if (!final) return v;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "phone-hint phone-error");
    error.textContent = PhonePolicy.message(v, M);
    return v;
  }

  // warnAway says, before anything is sent, that a number is from another country than the
  // user's in the directory (the help desk's form only: data-home).
  function warnAway(region) {
    if (!away) return;
    var text = "";
    if (region && region !== away.getAttribute("data-home")) {
      var name = (M.n && M.n[region]) || region;
      text = (away.getAttribute("data-text") || "").replace("{country}", name);
    }
    if (away.textContent !== text) away.textContent = text;
  }

  // setPreview changes the preview only when its words change, so its live region speaks once.
  function setPreview(text) {
    if (preview.textContent !== text) preview.textContent = text;
  }

  // follow makes the country follow a number typed with its own calling code (+44 picks the
  // United Kingdom), and gives back the person's own choice once the + is gone (issue #25).
  // The server reads the number's + the same way, so without this the result is the same.
  function follow(v) {
    var intl = PhonePolicy.clean(input.value).charAt(0) === "+";
    if (intl && v.region && v.region !== select.value && allowed.indexOf(v.region) >= 0) {
      select.value = v.region;
      pick();
    } else if (!intl && select.value !== chosen) {
      select.value = chosen;
      pick();
    }
  }

  // pick loads the rules of the picked country, before anything is typed.
  function pick() {
    var cc = M && PhonePolicy.callingCode(M, select.value);
    if (cc) load([cc]);
  }

  getJSON(coreURL)
    .then(function (m) { M = PhonePolicy.words(PhonePolicy.init(m), texts); pick(); if (input.value) check(input.getAttribute("aria-invalid") === "true"); })
    .catch(function () { /* the server will check */ });

  input.addEventListener("input", function () { check(false); });
  // Leaving the field is when a refusal is worth saying; an empty field is not refused yet.
  input.addEventListener("change", function () { if (input.value) check(true); });
  select.addEventListener("change", function () { chosen = select.value; pick(); if (input.value) check(false); });
  form.addEventListener("submit", function (e) {
    var v = check(true);
    if (v && !v.ok) { e.preventDefault(); input.focus(); }
  });
})();
