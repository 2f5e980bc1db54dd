/* The classic layout: an acknowledgement, then one form; the code is checked on submit. */
window.FCR.boot(function () {
  "use strict";
  var FCR = window.FCR;
  var body = document.body;
  var MAX = 20;

  function showForm() {
    FCR.byId("acknowledgement").hidden = true;
    FCR.byId("registration").hidden = false;
    body.dataset.step = "form";
    var first = FCR.byId("enterprise_phone_0");
    if (first) first.focus();
  }

  function rowCount() {
    return document.querySelectorAll("#number-rows .number-row").length;
  }

  function addRow() {
    var n = rowCount();
    if (n >= MAX) {
      FCR.showMessage("numbers-error", "You can register at most " + MAX +
        " numbers per submission. Send the rest in another registration.");
      return;
    }
    var pid = "enterprise_phone_" + n;
    var did = "enterprise_displayName_" + n;
    var row = document.createElement("div");
    row.className = "number-row";
    row.dataset.row = String(n);
    row.innerHTML =
      '<div class="field"><label for="' + pid + '">Phone number ' + (n + 1) + "</label>" +
      '<input id="' + pid + '" name="' + pid + '" type="tel" inputmode="numeric" ' +
      'placeholder="10 digits, e.g. 6195550100"></div>' +
      '<div class="field"><label for="' + did + '">Display name ' + (n + 1) + "</label>" +
      '<input id="' + did + '" name="' + did + '" type="text" maxlength="32"></div>';
    FCR.byId("number-rows").appendChild(row);
    if (rowCount() >= MAX) FCR.byId("add-number-command").disabled = true;
  }

  var IDS = FCR.IDS;

  function sendCode() {
    var button = FCR.byId("send-verification-code");
    var email = FCR.byId("enterprise_contact_email").value.trim();
    FCR.showMessage(IDS.code_error, "");
    FCR.showMessage(IDS.code_status, "");
    button.disabled = true;
    FCR.post("/fcr/api/send-code", { email: email }).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        FCR.showMessage(IDS.code_error, r.json.error || "We could not send the code. Try again.");
        return;
      }
      FCR.showMessage(IDS.code_status, "A 5-digit code was sent to " + email + ".");
    }, function () {
      button.disabled = false;
      FCR.showMessage(IDS.code_error, "We could not reach the registry. Please try again.");
    });
  }

  function syncSubmit() {
    var terms = FCR.byId("enableCheckbox");
    FCR.byId("submitButton").disabled = terms ? !terms.checked : false;
  }

  var actions = {
    nextButton: showForm,
    "add-number-command": addRow,
    "send-verification-code": sendCode
  };
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button");
    if (button && actions[button.id]) {
      e.preventDefault();
      actions[button.id]();
    }
  });
  if (FCR.byId("enableCheckbox")) FCR.byId("enableCheckbox").addEventListener("change", syncSubmit);
  syncSubmit();
  if (rowCount() >= MAX) FCR.byId("add-number-command").disabled = true;
  if (body.dataset.startStep === "form") showForm();
  else body.dataset.step = "acknowledgement";
});
