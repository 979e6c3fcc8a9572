// phone.js: the portal's phone policy in the browser. It is a port of internal/phone's Parse
// (itself nyaruka/phonenumbers, a port of Google's libphonenumber) and reads the metadata the
// server generates from the same library, so the browser and the server reach one verdict.
// The server still decides; this only saves the person a round trip.
//
// The metadata M is the core file (calling codes) plus the rules of the calling codes loaded so
// far (addGroup), and the page's words (words): its refusals and region names, in the page's
// language. A verdict that needed rules not loaded yet is {pending: [codes]}:
// load those groups (groupURL) and ask again.
(function (root) {
  "use strict";

  var MAX_INPUT = 40, MIN_NSN = 2, MAX_NSN = 17;
  var ORDER = ["PREMIUM_RATE", "TOLL_FREE", "SHARED_COST", "VOIP", "PERSONAL_NUMBER", "PAGER", "UAN", "VOICEMAIL"];
  var cache = {};

  function re(src, suffix) {
    var key = src + "\u0000" + suffix;
    if (!cache[key]) cache[key] = new RegExp("^(?:" + src + ")" + suffix);
    return cache[key];
  }

  function clean(s) {
    return s.replace(/[\u00a0\u2007\u202f\t]/g, " ").replace(/[\u2010-\u2014\u2212]/g, "-")
      .replace(/\uff0b/g, "+").trim();
  }

  // rules returns a region's rules, noting the calling code to load when they are not here yet.
  function rules(M, region) {
    if (!region || region === "001") return null;
    var md = M.r[region];
    if (!md) {
      var cc = regionCC(M)[region];
      if (cc && !M.loaded[cc] && M.missing.indexOf(cc) < 0) M.missing.push(cc);
    }
    return md || null;
  }

  // regionCC maps each region to its calling code, from the core file.
  function regionCC(M) {
    if (!M.rc) {
      M.rc = {};
      for (var cc in M.cc) for (var i = 0; i < M.cc[cc].length; i++) if (M.cc[cc][i] !== "001") M.rc[M.cc[cc][i]] = +cc;
    }
    return M.rc;
  }

  function digitsOnly(s) { return s.replace(/[^0-9]/g, ""); }

  function matchesDesc(nsn, d) {
    if (!d || !d.p) return false;
    if (d.l && d.l.length && d.l.indexOf(nsn.length) < 0) return false;
    return re(d.p, "$").test(nsn);
  }

  function numberType(nsn, md) {
    if (!matchesDesc(nsn, md.g)) return "UNKNOWN";
    for (var i = 0; i < ORDER.length; i++) if (matchesDesc(nsn, md.t[ORDER[i]])) return ORDER[i];
    if (matchesDesc(nsn, md.t.FIXED_LINE)) {
      if (md.same || matchesDesc(nsn, md.t.MOBILE)) return "FIXED_LINE_OR_MOBILE";
      return "FIXED_LINE";
    }
    if (!md.same && matchesDesc(nsn, md.t.MOBILE)) return "MOBILE";
    return "UNKNOWN";
  }

  // testLength is libphonenumber's testNumberLength for an unknown type.
  function testLength(nsn, md) {
    var lengths = md.g.l || [], local = md.g.ll || [], n = nsn.length;
    if (!lengths.length || lengths[0] === -1) return "INVALID_LENGTH";
    if (local.indexOf(n) >= 0) return "IS_POSSIBLE_LOCAL_ONLY";
    if (lengths[0] === n) return "IS_POSSIBLE";
    if (lengths[0] > n) return "TOO_SHORT";
    if (lengths[lengths.length - 1] < n) return "TOO_LONG";
    return lengths.indexOf(n, 1) >= 0 ? "IS_POSSIBLE" : "INVALID_LENGTH";
  }

  // stripNationalPrefix returns the number without its trunk prefix, or null to keep it.
  function stripNationalPrefix(num, md) {
    if (!num.length || !md.npp) return null;
    var m = re(md.npp, "").exec(num);
    if (!m) return null;
    var general = re(md.g.p || "", "$");
    var viable = general.test(num);
    var last = m.length - 1;
    if (!md.npt || m[last] === undefined) {
      if (viable && !general.test(num.slice(m[0].length))) return null;
      return num.slice(m[0].length);
    }
    var transformed = num.replace(re(md.npp, ""), md.npt);
    if (viable && !general.test(transformed)) return null;
    return transformed;
  }

  function extractCountryCode(full, M) {
    if (!full.length || full[0] === "0") return null;
    for (var i = 1; i <= 3 && i <= full.length; i++) {
      var cc = full.slice(0, i);
      if (M.cc[cc]) return { cc: +cc, rest: full.slice(i) };
    }
    return null;
  }

  // maybeExtractCountryCode follows libphonenumber: a leading +, an international prefix of the
  // picked region, or the picked region's own calling code in front of a national number.
  function maybeExtractCountryCode(number, md, M) {
    if (!number.length) return { cc: 0 };
    var full, source;
    var plus = /^\++/.exec(number);
    if (plus) {
      full = digitsOnly(number.slice(plus[0].length));
      source = "plus";
    } else {
      full = digitsOnly(number);
      source = "default";
      if (md && md.idd) {
        var idd = re(md.idd, "").exec(full);
        if (idd && full.charAt(idd[0].length) !== "0") {
          full = full.slice(idd[0].length);
          source = "idd";
        }
      }
    }
    if (source !== "default") {
      if (full.length <= MIN_NSN) return { err: "too_short" };
      var ex = extractCountryCode(full, M);
      if (ex) return { cc: ex.cc, nsn: ex.rest };
      return { err: "country_code" };
    }
    if (md) {
      var ccs = String(md.cc);
      if (full.indexOf(ccs) === 0) {
        var pot = full.slice(ccs.length);
        var stripped = stripNationalPrefix(pot, md);
        if (stripped !== null) pot = stripped;
        var general = re(md.g.p || "", "$");
        if ((!general.test(full) && general.test(pot)) || testLength(full, md) === "TOO_LONG") {
          return { cc: md.cc, nsn: pot };
        }
      }
    }
    return { cc: 0 };
  }

  function regionForNumber(cc, nsn, M) {
    var list = M.cc[cc] || [];
    if (list.length === 1) return list[0];
    for (var i = 0; i < list.length; i++) {
      var md = rules(M, list[i]);
      if (!md) continue;
      if (md.ld) { if (re(md.ld, "").test(nsn)) return list[i]; }
      else if (numberType(nsn, md) !== "UNKNOWN") return list[i];
    }
    return "";
  }

  // parse returns {cc, nsn} or {err}, as phonenumbers.Parse does for the restricted grammar.
  function parse(input, region, M) {
    var start = input.search(/[+0-9]/);
    if (start < 0) return { err: "invalid" };
    // Trailing punctuation stays: the Go library's pattern for dropping it never matches.
    var number = input.slice(start);
    var nd = digitsOnly(number).length;
    if (number.length < MIN_NSN || !(/^[0-9]{2}$/.test(number) || nd >= 3)) return { err: "invalid" };
    var md = rules(M, region);
    var r = maybeExtractCountryCode(number, md, M);
    if (r.err === "country_code" && number[0] === "+") {
      r = maybeExtractCountryCode(number.slice(1), md, M);
      if (r.err) return r;
      if (!r.cc) return { err: "country_code" };
    } else if (r.err) {
      return r;
    }
    var cc = r.cc, nsn = r.nsn;
    if (cc) {
      var main = (M.cc[cc] || [])[0];
      if (main !== region) md = rules(M, main);
    } else {
      nsn = digitsOnly(number);
      if (!md) return { err: "invalid" };
      cc = md.cc;
    }
    if (nsn.length < MIN_NSN) return { err: "too_short" };
    if (md) {
      var pot = stripNationalPrefix(nsn, md);
      if (pot !== null) {
        var v = testLength(pot, md);
        if (v !== "TOO_SHORT" && v !== "IS_POSSIBLE_LOCAL_ONLY" && v !== "INVALID_LENGTH") nsn = pot;
      }
    }
    if (nsn.length < MIN_NSN) return { err: "too_short" };
    if (nsn.length > MAX_NSN) return { err: "too_long" };
    // libphonenumber keeps a number's value as an integer plus its leading zeros: the same digits.
    return { cc: cc, nsn: nsn };
  }

  // verdict mirrors phone.Policy.Parse: {ok, e164, region, type} or {ok:false, reason, region, type}.
  function verdict(input, region, M, allowed) {
    M.missing = [];
    var v = decide(input, region, M, allowed);
    return M.missing.length ? { ok: false, pending: M.missing } : v;
  }

  function decide(input, region, M, allowed) {
    input = clean(input || "");
    region = (region || "").toUpperCase();
    if (region && !regionCC(M)[region]) region = "";
    // The picked region's rules (and name) are needed for nearly every verdict.
    rules(M, region);
    if (!input) return { ok: false, reason: "empty", region: region };
    if (input.length > MAX_INPUT) return { ok: false, reason: "too_long", region: region };
    if (!/^\+?[0-9 .\-()\/]*$/.test(input)) return { ok: false, reason: "characters", region: region };
    if (input[0] !== "+" && !region) return { ok: false, reason: "no_country", region: "" };
    var p = parse(input, region, M);
    if (p.err) return { ok: false, reason: p.err, region: p.err === "country_code" ? region : region };
    var list = M.cc[p.cc] || [];
    if (list[0] === "001") return { ok: false, reason: "non_geographic", region: "" };
    var numRegion = regionForNumber(p.cc, p.nsn, M);
    var msgRegion = numRegion || list[0] || "";
    var md = rules(M, numRegion);
    var type = md && md.cc === p.cc ? numberType(p.nsn, md) : "UNKNOWN";
    if (type === "UNKNOWN") {
      var lenMd = rules(M, list[0]);
      var why = lenMd ? testLength(p.nsn, lenMd) : "INVALID_LENGTH";
      if (why === "TOO_SHORT") return { ok: false, reason: "too_short", region: msgRegion };
      if (why === "TOO_LONG") return { ok: false, reason: "too_long", region: msgRegion };
      return { ok: false, reason: "invalid", region: msgRegion };
    }
    if (type !== "MOBILE" && type !== "FIXED_LINE_OR_MOBILE") return { ok: false, reason: "not_mobile", region: numRegion, type: type };
    if (allowed && allowed.indexOf(numRegion) < 0) return { ok: false, reason: "region", region: numRegion };
    return { ok: true, e164: "+" + p.cc + p.nsn, shown: shown(p.cc, p.nsn, M), region: numRegion, type: type };
  }

  // shown writes a number as people read it, +1 512-520-1234: libphonenumber's
  // Format(INTERNATIONAL) with the calling code's main region's formats (phone.Shown on the
  // server). The first format whose leading digits and whole pattern match is used; "NA" means
  // none, and without one the digits follow the calling code.
  function shown(cc, nsn, M) {
    var list = M.cc[cc] || [], md = M.r[list[0]], fs = (md && md.f) || [];
    for (var i = 0; i < fs.length; i++) {
      var f = fs[i];
      if (f.ld && !re(f.ld, "").test(nsn)) continue;
      if (!re(f.p, "$").test(nsn)) continue;
      if (f.f === "NA") break;
      return "+" + cc + " " + nsn.replace(re(f.p, "$"), f.f);
    }
    return "+" + cc + " " + nsn;
  }

  // message words a verdict with the server's own templates, which the page gave (words).
  function message(v, M) {
    var T = M.m;
    if (v.reason === "not_mobile") return T["not_mobile/" + (v.type || "")] || T["not_mobile/"];
    var name = v.region && M.n ? M.n[v.region] || "" : "";
    return name ? T[v.reason].replace("{region}", name) : T[v.reason + "/"];
  }

  // words adds the page's texts to M: "m" the refusals, "n" the regions' names.
  function words(M, texts) {
    M.m = texts.m;
    M.n = texts.n;
    return M;
  }

  // addGroup adds one calling code's rules (a group file) to M.
  function addGroup(M, g) {
    for (var region in g.r) M.r[region] = g.r[region];
    M.loaded[g.cc] = true;
  }

  // init prepares the core file as M.
  function init(core) {
    core.r = {};
    core.loaded = {};
    core.missing = [];
    return core;
  }

  // groupURL is where a calling code's rules are, relative to the core file's URL.
  function groupURL(M, cc, coreURL) {
    return new URL(M.g + cc + ".json", coreURL).href;
  }

  // callingCode returns the calling code of a region, or 0.
  function callingCode(M, region) { return regionCC(M)[region] || 0; }

  var api = { verdict: verdict, clean: clean, message: message, words: words, init: init, addGroup: addGroup,
    groupURL: groupURL, callingCode: callingCode };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.PhonePolicy = api;
})(this);
