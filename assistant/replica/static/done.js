/* Confirmation and error pages: nothing to set up but the ready signal. */
window.FCR.boot(function () {});
