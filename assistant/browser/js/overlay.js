/* The overlay `assistant learn` shows in the portal's page ("Click the field for: Calls per
   month", with Skip and Not on this page). Injected only while a person teaches a map, after
   `page.js` (whose helpers it uses: `generated`, `selectorFor`, `find`, `labelTexts` …).

   - It lives in a closed shadow root, on an element of its own outside <body>, whose few
     styles are inline and !important: the portal's CSS cannot restyle it, its scripts cannot
     read it, and nothing is set on the portal's own elements.
   - While it waits, the person's clicks and key presses are caught before the page sees them
     (capture phase, on window): nothing in the page is pressed, opened, typed or submitted.
     Only trusted events count, so a page script cannot answer for the person. Esc skips.
   - A click is checked against what is wanted: the wrong kind of element (a label for a list,
     a button for a box to type in) is refused with a sentence; an area holding exactly one
     element of that kind is narrowed to it, one holding several is refused. The most stable
     anchor that finds exactly the clicked element is derived (an id that is not made up, else
     its label, else role + accessible name, else a short CSS path; anchors that find several
     elements are passed over), and the element is highlighted.

   `window.__assistantLearn.show(prompt)` shows a prompt; `answer()` resolves with what the
   person chose: {action: "picked" | "skip" | "absent", anchor, label, tried, refusals}. */
(() => {
  "use strict";
  if (window.__assistantLearn) return;
  const api = window.__assistant;
  const raf = window.requestAnimationFrame.bind(window);

  const CONTROLS =
    "input:not([type=hidden]),select,textarea,button,a[href],[role=button],[role=link]," +
    "[role=checkbox],[role=switch],[role=combobox],[role=listbox],[role=textbox]," +
    "[role=searchbox],[contenteditable=''],[contenteditable=true]";
  const WANTED = {
    text: { a: "a box to type in", the: "the box", many: "boxes to type in" },
    select: { a: "a list to choose from", the: "the list", many: "lists" },
    checkbox: { a: "a checkbox", the: "the checkbox", many: "checkboxes" },
    file: { a: "a file chooser", the: "the file chooser", many: "file choosers" },
    button: { a: "a button", the: "the button", many: "buttons" },
  };
  const WHAT = {
    text: "the box",
    select: "the list",
    checkbox: "the checkbox",
    file: "the file chooser",
    button: "the button",
    label: "the label",
  };

  // -- what an element is ----------------------------------------------------------------------

  function kindOf(el) {
    const tag = el.tagName;
    if (tag === "SELECT") return "select";
    if (tag === "TEXTAREA") return "text";
    if (tag === "BUTTON") return "button";
    if (tag === "A") return "button";
    if (tag === "INPUT") {
      const type = (el.getAttribute("type") || "text").toLowerCase();
      if (type === "checkbox" || type === "radio") return "checkbox";
      if (type === "file") return "file";
      if (["button", "submit", "reset", "image"].includes(type)) return "button";
      return "text";
    }
    const role = api.roleOf(el);
    if (role === "button" || role === "link") return "button";
    if (role === "checkbox" || role === "switch") return "checkbox";
    if (role === "combobox" || role === "listbox") return "select";
    if (role === "textbox" || role === "searchbox" || el.isContentEditable) return "text";
    return "";
  }

  function clean(text) {
    return String(text || "")
      .replace(/\s+/g, " ")
      .replace(/[\s*:]+$/, "")
      .trim();
  }

  function nameOf(el) {
    return clean(api.labelTexts(el)[0] || api.accessibleName(el) || el.getAttribute("name") || "");
  }

  function called(el, kind) {
    const name = nameOf(el);
    return `${WHAT[kind] || "that element"}${name ? ` “${name}”` : ""}`;
  }

  // -- the anchor that finds exactly this element ---------------------------------------------

  const quoted = (s) => `"${s}"`;
  const slashed = (s) => s.length >= 2 && s.startsWith("/") && s.endsWith("/");

  function describe(anchor) {
    switch (anchor.kind) {
      case "id":
        return `#${anchor.value}`;
      case "label":
        return `label ${quoted(anchor.value)}`;
      case "role":
        return `${anchor.value} ${quoted(anchor.name)}`;
      case "name":
        return `name=${quoted(anchor.value)}`;
      default:
        return anchor.value;
    }
  }

  // A number row's anchor names its row: the last "0" standing alone becomes `{i}`.
  function perRow(value) {
    const all = [...String(value).matchAll(/(?<![0-9])0(?![0-9])/g)];
    if (!all.length) return null;
    const at = all[all.length - 1].index;
    return value.slice(0, at) + "{i}" + value.slice(at + 1);
  }

  function derive(el, row) {
    const candidates = [];
    if (el.id && !api.generated(el.id)) candidates.push({ kind: "id", value: el.id });
    if (row) {
      const name = el.getAttribute("name");
      if (name) candidates.push({ kind: "name", value: name });
    } else {
      const label = clean(api.labelTexts(el)[0]);
      if (label && !slashed(label)) {
        candidates.push({ kind: "label", value: label, match: { text: label } });
      }
      const role = api.roleOf(el);
      const name = clean(api.accessibleName(el));
      if (role && name && !slashed(name)) {
        candidates.push({ kind: "role", value: role, name, match: { text: name } });
      }
      const css = api.selectorFor(el);
      if (!css.startsWith(":root") && css.split(" > ").length <= 4) {
        candidates.push({ kind: "css", value: css });
      }
    }
    const tried = [];
    for (const anchor of candidates) {
      const found = api.find(anchor);
      if (found.length === 1 && found[0] === el) {
        if (!row) return { anchor, tried };
        const value = perRow(anchor.value);
        if (value) return { anchor: { ...anchor, value }, tried };
        continue;
      }
      tried.push({ anchor: describe(anchor), count: found.length });
    }
    if (row) {
      return {
        why:
          "That box has no id or name that numbers its row, so the other rows could not be " +
          "found; press Skip (the map must then be fixed by hand).",
        tried,
      };
    }
    return {
      why:
        "Several elements on the page look just like that one, and nothing that will last " +
        "tells it apart from them; click another, or press Skip.",
      tried,
    };
  }

  // -- the overlay -----------------------------------------------------------------------------

  let host = null;
  let parts = null;
  let prompt = null;
  let settle = null;
  let pending = null;
  let refusals = [];
  let chosen = null;
  let hovered = null;
  let listening = false;
  let releasing = false; // picked on a press: the rest of that click is still caught

  const STYLE = `
    :host { all: initial !important; }
    .panel { position: fixed; top: 12px; right: 12px; width: 340px; box-sizing: border-box;
      padding: 12px 14px; background: #14213d; color: #fff; border-radius: 10px;
      font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; text-align: left;
      box-shadow: 0 6px 24px rgba(0, 0, 0, 0.35); pointer-events: auto; }
    .head { font-size: 12px; opacity: 0.8; letter-spacing: 0.03em; }
    .title { font-size: 16px; font-weight: 600; margin: 4px 0; }
    .why { font-size: 13px; opacity: 0.85; }
    .note { margin-top: 8px; padding: 6px 8px; background: #ffd166; color: #1b1b1b;
      border-radius: 6px; font-size: 13px; }
    .buttons { display: flex; gap: 8px; margin-top: 10px; }
    button { font: inherit; font-size: 13px; padding: 5px 10px; border-radius: 6px;
      border: 1px solid rgba(255, 255, 255, 0.6); background: transparent; color: #fff;
      cursor: pointer; }
    button:focus-visible { outline: 2px solid #ffb703; }
    .box { position: fixed; pointer-events: none; box-sizing: border-box; display: none; }
    .hover { border: 2px dashed #ffb703; }
    .chosen { border: 3px solid #2a9d8f; background: rgba(42, 157, 143, 0.15); }
    .panel.done { pointer-events: none; opacity: 0.9; }
    .panel.done .buttons { display: none; }
    [hidden] { display: none !important; }`;

  function mount() {
    if (host && host.isConnected) return;
    host = document.createElement("assistant-learn");
    host.style.setProperty("all", "initial", "important");
    host.style.setProperty("position", "fixed", "important");
    host.style.setProperty("top", "0", "important");
    host.style.setProperty("left", "0", "important");
    host.style.setProperty("z-index", "2147483647", "important");
    const root = host.attachShadow({ mode: "closed" });
    root.innerHTML =
      `<style>${STYLE}</style>` +
      '<div class="box hover"></div><div class="box chosen"></div>' +
      '<div class="panel" role="dialog" aria-live="polite"><div class="head"></div>' +
      '<div class="title"></div><div class="why"></div><div class="note" hidden></div>' +
      '<div class="buttons"><button type="button" class="skip">Skip</button>' +
      '<button type="button" class="absent">Not on this page</button></div></div>';
    const $ = (selector) => root.querySelector(selector);
    parts = {
      panel: $(".panel"),
      head: $(".head"),
      title: $(".title"),
      why: $(".why"),
      note: $(".note"),
      skip: $(".skip"),
      absent: $(".absent"),
      hover: $(".hover"),
      chosen: $(".chosen"),
    };
    parts.skip.addEventListener("click", () => finish("skip"));
    parts.absent.addEventListener("click", () => finish("absent"));
    // What the person does in the overlay stays in it: the page's own handlers never hear it.
    for (const type of [...CAUGHT, "focusin", "focusout", "input"]) {
      root.addEventListener(type, (event) => event.stopPropagation());
    }
    document.documentElement.appendChild(host);
  }

  function place(box, el) {
    if (!el || !el.isConnected) {
      box.style.display = "none";
      return;
    }
    const r = el.getBoundingClientRect();
    box.style.display = "block";
    box.style.left = `${r.left - 4}px`;
    box.style.top = `${r.top - 4}px`;
    box.style.width = `${r.width + 8}px`;
    box.style.height = `${r.height + 8}px`;
  }

  // The boxes follow their elements as the page scrolls or moves (no timers: the assistant
  // waits for the page's own timers to end before it reads the page).
  function follow() {
    if (!parts) return;
    place(parts.chosen, chosen);
    place(parts.hover, listening ? hovered : null);
    if (chosen || listening) raf(follow);
  }

  function refuse(sentence) {
    refusals.push(sentence);
    parts.note.textContent = sentence;
    parts.note.hidden = false;
  }

  function finish(action, extra) {
    if (!prompt || !settle) return;
    if (releasing) hovered = null;
    else listen(false);
    const done = settle;
    settle = null;
    if (action !== "picked") parts.panel.hidden = true;
    done({ action, refusals: refusals.slice(), ...(extra || {}) });
  }

  function choose(el) {
    const found = derive(el, prompt.row);
    if (!found.anchor) {
      refuse(found.why);
      return;
    }
    chosen = el;
    releasing = true; // its mouseup and click must not reach the page either
    parts.panel.classList.add("done");
    parts.title.textContent = `✓ ${prompt.name}: ${describe(found.anchor)}`;
    parts.why.textContent = "Learnt. Going on…";
    parts.note.hidden = true;
    raf(follow);
    finish("picked", { anchor: found.anchor, label: nameOf(el), tried: found.tried });
  }

  /* What a click on `target` means: an element of the kind wanted, or a sentence why not. */
  function decide(target) {
    const want = prompt.kind;
    if (want === "any") {
      if (target === document.documentElement || target === document.body) {
        refuse("That is the whole page; click the element itself.");
        return;
      }
      choose(target);
      return;
    }
    const wanted = WANTED[want];
    const control = target.closest(CONTROLS);
    if (control) {
      const kind = kindOf(control);
      if (kind !== want) {
        refuse(`That is ${called(control, kind)}, not ${wanted.a}. Click ${wanted.the} itself.`);
        return;
      }
      choose(control);
      return;
    }
    const label = target.closest("label");
    if (label) {
      const text = clean(label.innerText);
      const name = text ? ` “${text}”` : "";
      refuse(`That is the label${name}, not ${wanted.a}. Click ${wanted.the} itself.`);
      return;
    }
    const inside = Array.from(target.querySelectorAll(CONTROLS)).filter(
      (el) => kindOf(el) === want && api.visible(el)
    );
    if (inside.length === 1) {
      choose(inside[0]); // narrowed: the one element of that kind in the area clicked
      return;
    }
    if (inside.length > 1) {
      refuse(`That area holds ${inside.length} ${wanted.many}; click the one for “${prompt.name}”.`);
      return;
    }
    refuse(`That is not ${wanted.a}. Click ${wanted.the} for “${prompt.name}”.`);
  }

  function ours(event) {
    return Boolean(host) && event.composedPath().includes(host);
  }

  const CAUGHT = [
    "pointerdown",
    "pointerup",
    "mousedown",
    "mouseup",
    "click",
    "dblclick",
    "auxclick",
    "contextmenu",
    "touchstart",
    "touchend",
    "keydown",
    "keypress",
    "keyup",
    "submit",
  ];

  function caught(event) {
    if (releasing) {
      event.preventDefault();
      event.stopImmediatePropagation();
      // The click that picked ends with this release: its mouseup and click follow in the
      // same task, and the page gets its events back after them.
      if (event.type === "pointerup") {
        raf(() => {
          releasing = false;
          if (!settle) listen(false);
        });
      }
      return;
    }
    if (event.type === "keydown" && event.key === "Escape" && event.isTrusted) {
      event.preventDefault();
      event.stopImmediatePropagation();
      finish("skip");
      return;
    }
    if (ours(event)) return; // the overlay's own buttons
    event.preventDefault();
    event.stopImmediatePropagation();
    // Pointer events reach disabled controls too (a click does not).
    if (event.type !== "pointerdown" || !event.isTrusted || event.button !== 0) return;
    const target = event.composedPath()[0];
    if (target instanceof Element) decide(target);
  }

  function moved(event) {
    if (ours(event)) return;
    const target = event.composedPath()[0];
    hovered = target instanceof Element ? target.closest(CONTROLS) || target : null;
  }

  function listen(on) {
    if (on === listening) return;
    listening = on;
    for (const type of CAUGHT) {
      if (on) window.addEventListener(type, caught, true);
      else window.removeEventListener(type, caught, true);
    }
    if (on) window.addEventListener("pointermove", moved, true);
    else window.removeEventListener("pointermove", moved, true);
    if (on) raf(follow);
  }

  /* Show a prompt: {step, name, title, why, kind, row, absentOk}. */
  function show(next) {
    mount();
    releasing = false;
    prompt = next;
    refusals = [];
    chosen = null;
    hovered = null;
    parts.head.textContent = `Teaching the map · ${next.step} step`;
    parts.title.textContent = next.title;
    parts.why.textContent = next.why || "";
    parts.note.hidden = true;
    parts.absent.hidden = !next.absentOk;
    parts.panel.classList.remove("done");
    parts.panel.hidden = false;
    pending = new Promise((resolve) => {
      settle = resolve;
    });
    listen(true);
    parts.skip.focus({ preventScroll: true }); // Tab and Enter reach the buttons at once
  }

  function answer() {
    return pending;
  }

  /* Take the overlay away (the highlight too). */
  function clear() {
    releasing = false;
    listen(false);
    chosen = null;
    if (parts) {
      parts.panel.hidden = true;
      place(parts.chosen, null);
      place(parts.hover, null);
    }
  }

  Object.defineProperty(window, "__assistantLearn", {
    value: Object.freeze({ show, answer, clear }),
    writable: false,
    configurable: false,
    enumerable: false,
  });
})();
