/* Shared by every replica page: faults switched on for this run, and the ready signal.
   Plain JavaScript, no framework, like the real portal's pages.
   document.body.dataset.ready becomes "true" once the form is interactive (under the `slow`
   fault only after the late fields appear). Under `rerender`, it is "false" from the first
   input until the re-render has happened, so a filler that waits for ready sees the reset. */
(function () {
  "use strict";
  var body = document.body;
  var faults = (body.dataset.faults || "").split(/\s+/).filter(Boolean);
  var FCR = (window.FCR = {});

  FCR.has = function (name) {
    return faults.indexOf(name) !== -1;
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
      body.dataset.ready = "false";
      setTimeout(function () {
        current.innerHTML = pristine;
        done += 1;
        pending = false;
        body.dataset.rerenders = String(done);
        body.dataset.ready = "true";
      }, 300);
    });
  }

  /* offsite-request: a popup to another host (the pixel is in the HTML). */
  function installOffsite() {
    var origin = body.dataset.offsiteOrigin;
    try {
      window.open(origin + "/popup.html", "fcr-partner");
    } catch (err) {
      /* a blocked popup is fine */
    }
  }

  /* Run the page's own init once the form exists, then switch faults on and say "ready". */
  FCR.boot = function (init) {
    function start() {
      init();
      if (FCR.has("masked-phone")) installPhoneMask();
      if (FCR.has("rerender-twice")) installRerender(2);
      else if (FCR.has("rerender")) installRerender(1);
      if (FCR.has("offsite-request")) installOffsite();
      body.dataset.ready = "true";
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
