/* Installed in every frame and popup of the portal's browser context before the page's own
   scripts run (context.add_init_script; it runs at once in an iframe or a popup a page script
   creates, before that script can reach into it). It closes the ways out that Playwright's
   request routing, and so the request guard (assistant/request_guard.py), never sees:

   - requests a page makes while it is being unloaded (a beacon, a keepalive fetch, a plain
     fetch, an image in `pagehide`, `unload`, `beforeunload`, `visibilitychange`, `freeze`,
     `pageswap`): Chromium sends them past routing. The page never hears those events: a
     listener of ours, registered before any of the page's, stops each one (HTML attributes
     such as `<body onunload>` are listeners registered later, and are stopped too);
   - channels that are not HTTP requests, or that routing does not cover: WebRTC (peer
     connections, data channels), WebSockets (also inside workers), WebTransport, shared and
     dedicated workers, `fetchLater` (sent when the document goes away), popups (`window.open`
     answers null), and speculation rules (prefetch and prerender of URLs the page chooses,
     fetched past routing): such script elements are removed as they are added, before
     Chromium acts on them.

   The network fence (assistant/fence.py) is the line behind this one: whatever still gets
   out can reach only the portal's hosts, and nothing once the context's decision is made. */
(() => {
  "use strict";
  if (Object.prototype.hasOwnProperty.call(window, "__assistantChannelsClosed")) return;
  Object.defineProperty(window, "__assistantChannelsClosed", { value: true });

  const stop = (event) => event.stopImmediatePropagation();
  for (const type of [
    "pagehide",
    "unload",
    "beforeunload",
    "visibilitychange",
    "freeze",
    "resume",
    "pageswap",
  ]) {
    window.addEventListener(type, stop, true);
  }

  for (const name of [
    "RTCPeerConnection",
    "webkitRTCPeerConnection",
    "RTCDataChannel",
    "RTCIceTransport",
    "RTCSctpTransport",
    "WebSocket",
    "WebSocketStream",
    "WebTransport",
    "SharedWorker",
    "Worker",
    "fetchLater",
  ]) {
    try {
      Object.defineProperty(window, name, {
        value: undefined,
        writable: false,
        configurable: false,
        enumerable: false,
      });
    } catch (error) {
      /* a name this browser does not have */
    }
  }
  try {
    Object.defineProperty(window, "open", {
      value: function open() {
        return null;
      },
      writable: false,
      configurable: false,
    });
  } catch (error) {
    /* kept as it is: popups are then refused by the guard and closed */
  }

  const isRules = (node) =>
    node.nodeType === 1 &&
    node.localName === "script" &&
    /speculationrules/i.test(node.getAttribute("type") || "");
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (isRules(node)) node.remove();
        else if (node.nodeType === 1 || node.nodeType === 11) {
          for (const inner of node.querySelectorAll("script")) if (isRules(inner)) inner.remove();
        }
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();
