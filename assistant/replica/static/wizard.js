/* The wizard layout: five steps on one page, one bar of buttons shown step by step. */
window.FCR.boot(function () {
  "use strict";
  var FCR = window.FCR;
  var body = document.body;
  var MAX = 20;
  var IDS = FCR.IDS;
  var ORDER = ["email", "code", "business", "numbers", "review"];
  var BUTTONS = {
    email: [IDS.send],
    code: [IDS.back, IDS.resend, IDS.verify],
    business: ["nextButton1"],
    numbers: [IDS.back, "nextButton2"],
    review: [IDS.back, "submitButton"]
  };
  var ALL = [IDS.back, IDS.resend, IDS.send, IDS.verify, "nextButton1", "nextButton2",
    "submitButton"];
  var NAMES = FCR.variant("display-names") && !FCR.variant("no-optional");
  // Under `no-optional` a new row appears only once the last one holds a whole number.
  var GROW_AT = FCR.variant("no-optional") ? 10 : 1;
  var current = "email";

  function value(id) {
    var el = FCR.byId(id);
    return el ? el.value.trim() : "";
  }

  function show(step) {
    current = step;
    body.dataset.step = step;
    document.querySelectorAll("section.step").forEach(function (section) {
      section.hidden = section.dataset.step !== step;
    });
    var index = ORDER.indexOf(step);
    document.querySelectorAll(".steps li").forEach(function (li) {
      var i = ORDER.indexOf(li.dataset.step);
      li.classList.toggle("done", i < index);
      li.classList.toggle("current", i === index);
      if (i === index) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    ALL.forEach(function (id) {
      FCR.byId(id).hidden = BUTTONS[step].indexOf(id) === -1;
    });
    if (step === "review") {
      if (FCR.has("review-drift")) {
        // The page changes a value on its own as the review shows (review-drift).
        var name = FCR.byId("enterprise_company_name");
        if (name) name.value = name.value + " Holdings";
      }
      buildSummary();
      FCR.reviewShown();
    }
  }

  function back() {
    var previous = { code: "email", numbers: "business", review: "numbers" }[current];
    if (previous) show(previous);
  }

  function sendCode() {
    var button = FCR.byId(current === "code" ? IDS.resend : IDS.send);
    var email = value(IDS.email);
    FCR.showMessage(IDS.email_error, "");
    FCR.showMessage(IDS.code_error, "");
    button.disabled = true;
    FCR.post("/fcr/api/send-code", { email: email }).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        var message = r.json.error || "We could not send the code. Please try again.";
        FCR.showMessage(current === "code" ? IDS.code_error : IDS.email_error, message);
        return;
      }
      FCR.byId("code-sent-to").textContent =
        "We sent a 5-digit code to " + email + ". Enter it below.";
      show("code");
      FCR.byId(IDS.code).focus();
    }, function () {
      button.disabled = false;
      FCR.showMessage(IDS.email_error, "We could not reach the registry. Please try again.");
    });
  }

  function verifyCode() {
    var button = FCR.byId(IDS.verify);
    FCR.showMessage(IDS.code_error, "");
    button.disabled = true;
    var data = { email: value(IDS.email), code: value(IDS.code) };
    FCR.post("/fcr/api/verify-code", data).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        FCR.showMessage(IDS.code_error, r.json.error || "The code was not accepted.");
        return;
      }
      FCR.byId("verification_token").value = r.json.token;
      show("business");
    }, function () {
      button.disabled = false;
      FCR.showMessage(IDS.code_error, "We could not reach the registry. Please try again.");
    });
  }

  function labelOf(el) {
    var label = document.querySelector('label[for="' + el.id + '"]');
    return label ? label.textContent.replace("*", "").trim() : el.id;
  }

  function checkBusiness() {
    var section = document.querySelector('section[data-step="business"]');
    var missing = [];
    section.querySelectorAll('[aria-required="true"]').forEach(function (el) {
      var empty = !el.value.trim();
      el.setAttribute("aria-invalid", empty ? "true" : "false");
      if (empty) missing.push(labelOf(el));
    });
    if (missing.length) {
      FCR.showMessage("business-error", "Please fill in: " + missing.join(", ") + ".");
      return;
    }
    FCR.showMessage("business-error", "");
    show("numbers");
  }

  function rows() {
    return document.querySelectorAll("#number-rows input[id^=enterprise_phone_]");
  }

  function addRow() {
    var n = rows().length;
    if (n >= MAX) return;
    var id = "enterprise_phone_" + n;
    var row = document.createElement("div");
    row.className = "number-row";
    row.dataset.row = String(n);
    row.innerHTML = '<div class="field"><label for="' + id + '">Phone number ' + (n + 1) +
      '</label><input id="' + id + '" name="' + id + '" type="tel" inputmode="numeric" ' +
      'placeholder="10 digits, e.g. 6195550100"></div>';
    if (NAMES) {
      var did = "enterprise_displayName_" + n;
      row.innerHTML += '<div class="field"><label for="' + did + '">Display name ' + (n + 1) +
        '</label><input id="' + did + '" name="' + did + '" type="text" maxlength="15"></div>';
    }
    FCR.byId("number-rows").appendChild(row);
    countRows();
  }

  function countRows() {
    var filled = Array.prototype.filter.call(rows(), function (el) {
      return el.value.trim();
    }).length;
    FCR.byId("number-count").textContent =
      filled + " of " + MAX + " numbers entered." + (filled >= MAX ? " That is the limit." : "");
  }

  function checkNumbers() {
    var filled = Array.prototype.filter.call(rows(), function (el) {
      return el.value.trim();
    });
    if (!filled.length) {
      FCR.showMessage("numbers-error", "Enter at least one phone number.");
      return;
    }
    var bad = filled.filter(function (el) {
      return FCR.digits(el.value).length !== 10;
    });
    if (bad.length) {
      FCR.showMessage("numbers-error", "Each phone number must have 10 digits: " +
        bad.map(function (el) { return el.value.trim(); }).join(", "));
      return;
    }
    FCR.showMessage("numbers-error", "");
    show("review");
  }

  function optionText(id) {
    var el = FCR.byId(id);
    return el && el.selectedIndex > 0 ? el.options[el.selectedIndex].text : "";
  }

  function buildSummary() {
    var address = [value("enterprise_company_address_line_1"),
      value("enterprise_company_address_line_2"),
      [value("enterprise_company_address_city"), optionText("enterprise_company_address_state"),
        value("enterprise_company_address_zip")].filter(Boolean).join(" ")]
      .filter(Boolean).join(", ");
    var numbers = Array.prototype.map.call(rows(), function (el) {
      var name = FCR.byId(el.id.replace("enterprise_phone_", "enterprise_displayName_"));
      var shown = el.value.trim();
      return shown && name && name.value.trim() ? shown + " (" + name.value.trim() + ")" : shown;
    }).filter(Boolean);
    var items = [
      ["Contact email", value(IDS.email)],
      ["Company name", value("enterprise_company_name")],
      ["Address", address],
      ["Company website", value("enterprise_company_url")],
      ["Contact name", value("enterprise_contact_name")],
      ["Contact phone", value("enterprise_contact_phone")],
      ["Call category", optionText("enterprise_category")],
      ["Calls per month", optionText(IDS.calls)],
      ["Service provider", value(IDS.provider)],
      ["Additional information", value(IDS.notes)],
      ["Phone numbers (" + numbers.length + ")", numbers.join(", ")]
    ];
    var dl = FCR.byId("review-summary");
    dl.innerHTML = "";
    items.forEach(function (item) {
      var dt = document.createElement("dt");
      var dd = document.createElement("dd");
      dt.textContent = item[0];
      dd.textContent = item[1] || "—";
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
  }

  function syncSubmit() {
    FCR.byId("submitButton").disabled = !FCR.byId("enableCheckbox").checked;
  }

  var actions = { nextButton1: checkBusiness, nextButton2: checkNumbers };
  actions[IDS.send] = sendCode;
  actions[IDS.resend] = sendCode;
  actions[IDS.verify] = verifyCode;
  actions[IDS.back] = back;
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button");
    if (button && actions[button.id]) {
      e.preventDefault();
      actions[button.id]();
    }
  });
  // Enter in a field runs the visible step's action instead of submitting the whole form.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.target.tagName !== "INPUT" || e.target.type === "checkbox") return;
    e.preventDefault();
    var visible = BUTTONS[current].filter(function (id) {
      return id !== IDS.back && id !== IDS.resend && id !== "submitButton";
    })[0];
    if (visible) actions[visible]();
  });
  document.addEventListener("input", function (e) {
    var list = rows();
    var last = list[list.length - 1];
    if (e.target === last && FCR.digits(last.value).length >= GROW_AT) addRow();
    if (e.target.id && e.target.id.indexOf("enterprise_phone_") === 0) countRows();
  });
  FCR.byId("enableCheckbox").addEventListener("change", syncSubmit);
  syncSubmit();
  countRows();
  show(ORDER.indexOf(body.dataset.startStep) >= 0 ? body.dataset.startStep : "email");
});
