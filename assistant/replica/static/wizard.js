/* The wizard layout: five steps on one page, one bar of buttons shown step by step. */
window.FCR.boot(function () {
  "use strict";
  var FCR = window.FCR;
  var body = document.body;
  var MAX = 20;
  var ORDER = ["email", "code", "business", "numbers", "review"];
  var BUTTONS = {
    email: ["send-verification-code"],
    code: ["backButton", "resend-code", "verify-code"],
    business: ["nextButton1"],
    numbers: ["backButton", "nextButton2"],
    review: ["backButton", "submitButton"]
  };
  var ALL = ["backButton", "resend-code", "send-verification-code", "verify-code",
    "nextButton1", "nextButton2", "submitButton"];
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
    if (step === "review") buildSummary();
  }

  function back() {
    var previous = { code: "email", numbers: "business", review: "numbers" }[current];
    if (previous) show(previous);
  }

  function sendCode() {
    var button = FCR.byId(current === "code" ? "resend-code" : "send-verification-code");
    var email = value("enterprise_contact_email");
    FCR.showMessage("email-error", "");
    FCR.showMessage("code-error", "");
    button.disabled = true;
    FCR.post("/fcr/api/send-code", { email: email }).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        var message = r.json.error || "We could not send the code. Please try again.";
        FCR.showMessage(current === "code" ? "code-error" : "email-error", message);
        return;
      }
      FCR.byId("code-sent-to").textContent =
        "We sent a 5-digit code to " + email + ". Enter it below.";
      show("code");
      FCR.byId("captcha").focus();
    }, function () {
      button.disabled = false;
      FCR.showMessage("email-error", "We could not reach the registry. Please try again.");
    });
  }

  function verifyCode() {
    var button = FCR.byId("verify-code");
    FCR.showMessage("code-error", "");
    button.disabled = true;
    var data = { email: value("enterprise_contact_email"), code: value("captcha") };
    FCR.post("/fcr/api/verify-code", data).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        FCR.showMessage("code-error", r.json.error || "The code was not accepted.");
        return;
      }
      FCR.byId("verification_token").value = r.json.token;
      show("business");
    }, function () {
      button.disabled = false;
      FCR.showMessage("code-error", "We could not reach the registry. Please try again.");
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
      return el.value.trim();
    }).filter(Boolean);
    var items = [
      ["Contact email", value("enterprise_contact_email")],
      ["Company name", value("enterprise_company_name")],
      ["Address", address],
      ["Company website", value("enterprise_company_url")],
      ["Contact name", value("enterprise_contact_name")],
      ["Contact phone", value("enterprise_contact_phone")],
      ["Call category", optionText("enterprise_category")],
      ["Calls per month", optionText("enterprise_calls_per_month")],
      ["Service provider", value("enterprise_service_provider")],
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

  var actions = {
    "send-verification-code": sendCode,
    "resend-code": sendCode,
    "verify-code": verifyCode,
    backButton: back,
    nextButton1: checkBusiness,
    nextButton2: checkNumbers
  };
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
      return id !== "backButton" && id !== "resend-code" && id !== "submitButton";
    })[0];
    if (visible) actions[visible]();
  });
  document.addEventListener("input", function (e) {
    var list = rows();
    var last = list[list.length - 1];
    if (e.target === last && last.value.trim()) addRow();
    if (e.target.id && e.target.id.indexOf("enterprise_phone_") === 0) countRows();
  });
  FCR.byId("enableCheckbox").addEventListener("change", syncSubmit);
  syncSubmit();
  countRows();
  show(ORDER.indexOf(body.dataset.startStep) >= 0 ? body.dataset.startStep : "email");
});
