/* The sister forms (TRF at /trf/, VSF at /vsf/): two radios and #nextButton, then one form
   (TRF) or three tabs (VSF); the code is sent to the contact email and checked on submit. */
window.FCR.boot(function () {
  "use strict";
  var FCR = window.FCR;
  var body = document.body;
  var form = body.dataset.layout;
  var MAX = 20;

  function checked(id) {
    var el = FCR.byId(id);
    return !!(el && el.checked);
  }

  function showForm(check) {
    var second = form === "trf" ? "claim_enterprise" : "type-enterprise";
    if (check && !(checked("type_enterprise") && checked(second))) {
      FCR.showMessage("who-error", "Choose a business, and what you would like to do, to continue.");
      return;
    }
    FCR.showMessage("who-error", "");
    FCR.byId("who").hidden = true;
    FCR.byId("registration").hidden = false;
    body.dataset.step = "form";
  }

  function rowCount() {
    return document.querySelectorAll("#number-rows .number-row").length;
  }

  function addRow() {
    var n = rowCount();
    if (n >= MAX) {
      FCR.showMessage("numbers-error", "You can send at most " + MAX + " numbers at a time.");
      return;
    }
    var pid = "enterprise_phone_" + n;
    var row = document.createElement("div");
    row.className = "number-row";
    row.dataset.row = String(n);
    row.innerHTML =
      '<div class="field"><label for="' + pid + '">Phone number ' + (n + 1) + "</label>" +
      '<input id="' + pid + '" name="' + pid + '" type="tel" inputmode="numeric" ' +
      'placeholder="10 digits, e.g. 6195550100"></div>';
    FCR.byId("number-rows").appendChild(row);
    if (rowCount() >= MAX) FCR.byId("add-number-command").disabled = true;
  }

  function showTab(tab) {
    var tabs = document.querySelectorAll('[role="tab"]');
    for (var i = 0; i < tabs.length; i++) {
      var current = tabs[i] === tab;
      tabs[i].setAttribute("aria-selected", String(current));
      FCR.byId(tabs[i].dataset.panel).hidden = !current;
    }
  }

  var actions = {
    nextButton: function () { showForm(true); },
    "add-number-command": addRow,
    "send-verification-code": function () {
      FCR.sendCode("/" + form + "/api/send-code", "We could not reach the service. Please try again.");
    }
  };
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button");
    if (!button) return;
    if (button.getAttribute("role") === "tab") {
      e.preventDefault();
      showTab(button);
    } else if (actions[button.id]) {
      e.preventDefault();
      actions[button.id]();
    }
  });
  if (FCR.byId("enableCheckbox")) FCR.byId("enableCheckbox").addEventListener("change", FCR.syncSubmit);
  FCR.syncSubmit();
  if (rowCount() >= MAX) FCR.byId("add-number-command").disabled = true;
  if (body.dataset.startStep === "form") showForm(false);
  else body.dataset.step = "who";
});
