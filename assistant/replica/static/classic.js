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

  var actions = {
    nextButton: showForm,
    "add-number-command": addRow,
    "send-verification-code": function () {
      FCR.sendCode("/fcr/api/send-code", "We could not reach the registry. Please try again.");
    }
  };
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button");
    if (button && actions[button.id]) {
      e.preventDefault();
      actions[button.id]();
    }
  });
  if (FCR.byId("enableCheckbox")) FCR.byId("enableCheckbox").addEventListener("change", FCR.syncSubmit);
  FCR.syncSubmit();
  if (rowCount() >= MAX) FCR.byId("add-number-command").disabled = true;
  if (body.dataset.startStep === "form") showForm();
  else body.dataset.step = "acknowledgement";
});
