/* Installed in every frame and popup of the portal's browser context before the page's own
   scripts run (context.add_init_script; it runs at once in an iframe or a popup a page script
   creates, before that script can reach into it). It closes the ways out that Playwright's
   request routing, and so the request guard (assistant/browser/request_guard.py), never sees:

   - requests a page makes while it is being unloaded (a beacon, a keepalive fetch, a plain
     fetch, an image in `pagehide`, `unload`, `beforeunload`, `visibilitychange`, `freeze`,
     `pageswap`): Chromium sends them past routing. The page never hears those events: a
     listener of ours, registered before any of the page's, stops each one (HTML attributes
     such as `<body onunload>` are listeners registered later, and are stopped too);
   - channels that are not HTTP requests, or that routing does not cover: WebRTC (peer
     connections, data channels), WebSockets (also inside workers), WebTransport, shared and
     dedicated workers, `fetchLater` (sent when the document goes away), popups (`window.open`
     and `document.open`'s window form answer null; links and forms aimed at a new window stay
     in their page: a popup starts in a process of its own, where its first script could run
     before anything reached it), and speculation rules (prefetch and prerender of URLs the
     page chooses, fetched past routing): such script elements are removed as they are added,
     in the document and in every shadow root, before Chromium acts on them.

   The network fence (assistant/browser/fence.py) is the line behind this one: whatever still gets
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
  // document.open with three arguments opens a window as window.open does.
  const openDocument = Document.prototype.open;
  Object.defineProperty(Document.prototype, "open", {
    value: function open(...args) {
      return args.length > 2 ? null : openDocument.apply(this, args);
    },
    writable: false,
    configurable: false,
  });
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

  // Links and forms aimed at a new window open a popup, which starts in a process of its
  // own: they are kept in their page (a named frame of the page is still a fine target).
  const opensWindow = (target) => {
    const name = String(target || "").trim();
    if (!name || /^_(self|parent|top)$/i.test(name)) return false;
    return !Array.from(document.querySelectorAll("iframe[name],frame[name]")).some(
      (frame) => frame.name === name
    );
  };
  const baseTarget = () => {
    const base = document.querySelector("base[target]");
    return base ? base.getAttribute("target") : "";
  };
  window.addEventListener(
    "click",
    (event) => {
      const link = event.target && event.target.closest && event.target.closest("a[href],area[href]");
      if (link && opensWindow(link.getAttribute("target") || baseTarget())) event.preventDefault();
    },
    true
  );
  window.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (form && opensWindow(form.getAttribute("target") || baseTarget())) event.preventDefault();
    },
    true
  );
  const submitForm = HTMLFormElement.prototype.submit;
  Object.defineProperty(HTMLFormElement.prototype, "submit", {
    value: function submit() {
      if (opensWindow(this.getAttribute("target") || baseTarget())) return undefined;
      return submitForm.call(this);
    },
    writable: false,
    configurable: false,
  });

  // Speculation rules, wherever they are added: the document, and every shadow root (those a
  // script attaches, closed ones too, and the open ones the parser makes).
  const isRules = (node) =>
    node.nodeType === 1 &&
    node.localName === "script" &&
    /speculationrules/i.test(node.getAttribute("type") || "");
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) clean(node);
    }
  });
  const watch = (root) => observer.observe(root, { childList: true, subtree: true });
  function clean(node) {
    if (isRules(node)) {
      node.remove();
      return;
    }
    if (node.nodeType !== 1 && node.nodeType !== 11) return;
    for (const inner of node.querySelectorAll("script")) if (isRules(inner)) inner.remove();
    for (const el of [node, ...node.querySelectorAll("*")]) {
      if (el.shadowRoot) {
        clean(el.shadowRoot);
        watch(el.shadowRoot);
      }
    }
  }
  watch(document);
  const attachShadow = Element.prototype.attachShadow;
  Object.defineProperty(Element.prototype, "attachShadow", {
    value: function (...args) {
      const root = attachShadow.apply(this, args);
      watch(root);
      return root;
    },
    writable: false,
    configurable: false,
  });
  // HTML parsed by these makes shadow roots of its own, closed ones out of reach: not here.
  for (const [owner, name] of [
    [Element.prototype, "setHTMLUnsafe"],
    [ShadowRoot.prototype, "setHTMLUnsafe"],
    [Document, "parseHTMLUnsafe"],
  ]) {
    try {
      Object.defineProperty(owner, name, { value: undefined, writable: false, configurable: false });
    } catch (error) {
      /* not in this browser */
    }
  }
})();
