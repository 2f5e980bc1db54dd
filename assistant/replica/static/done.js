/* Confirmation and error pages. Under the `late-feedback` variant the Feedback ID element is
   there from the start, empty, and the ID shows 3 s later (as the classic portal did). */
window.FCR.boot(function () {
  "use strict";
  var id = document.querySelector(".feedback-id[data-pending]");
  if (!id) return;
  setTimeout(function () {
    id.textContent = id.dataset.pending;
  }, 3000);
});
