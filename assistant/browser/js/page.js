/* Installed in every page of the portal's browser context before the page's own scripts run
   (context.add_init_script), so that the assistant learns from the page itself, not from any
   marker a portal would have to set for us:

   - readiness: DOM mutations (a MutationObserver), short timers the page set (setTimeout up to
     1 s, outside timer callbacks: the "re-render in 300 ms" kind) and fetch/XHR requests in
     flight; `idle()` resolves once none is pending and the DOM has been quiet for a window;
   - anchors: `resolve()` finds the element a map target means, trying its anchors in order
     (id, label, role + accessible name, placeholder, name, type, autocomplete, a select of
     ranges, CSS); the first that finds exactly one visible element wins;
   - read-back: `snapshot()` reads what elements hold; `required()` lists required fields the
     map does not know; `outcome()` looks for the Feedback ID or an error after the submit.

   The script runs twice in each page, once in each of two JavaScript worlds that share the
   page's DOM:

   - in the page's own world (an init script, before the page's scripts), where the page's
     timers and requests can be seen: it counts them, answers the reader's question about them
     (an event, see `pendingWork`), and serves `assistant learn`'s overlay;
   - in the assistant's isolated world (`assistant/browser/isolated_world.py`, with
     `window.__assistantReader` set first), which the page's scripts cannot reach: every read
     the assistant relies on is made there, with the DOM's own getters and the language's own
     builtins. A page that patches `HTMLInputElement.prototype.value`, `Promise.prototype.then`
     or `window.eval` in its own world changes nothing read there.

   The helpers sit on a frozen, non-writable `window.__assistant`, defined before any page
   script runs, so a page cannot replace them. */
(() => {
  "use strict";
  if (window.__assistant) return;
  // The isolated world's copy: reads the DOM; the page's timers and requests are asked of the
  // page's world.
  const reader = window.__assistantReader === true;
  const now = () => performance.now();
  const setT = window.setTimeout.bind(window);
  const clearT = window.clearTimeout.bind(window);
  const SHORT_TIMER_MS = 1000;
  // The question the reader asks the page's world, and the answer's event ("timers requests").
  const ASK = "__assistant:pending?";
  const ANSWER = "__assistant:pending";

  let lastMutation = now();
  // How many times the DOM changed (batches of mutations): a picture of the page taken between
  // two reads of the same count shows the DOM both reads saw.
  let changes = 0;
  const timers = new Set();
  let timerDepth = 0;
  let requests = 0;
  // The elements the assistant fills (weakly held) and how many times a change of the page
  // took any of them away: each such change is one reset (a re-render), counted as it
  // happens, however many come between two read-backs.
  let filled = [];
  const filledSelectors = new Set();
  let resets = 0;

  function observe() {
    new MutationObserver((records) => {
      lastMutation = now();
      changes += 1;
      if (!filled.length || !records.some((r) => r.removedNodes.length)) return;
      const kept = filled.filter((ref) => {
        const el = ref.deref();
        return el !== undefined && el.isConnected;
      });
      if (kept.length < filled.length) {
        resets += 1;
        filled = kept;
        watchFilled([]); // the elements that took their places are watched from now on
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  }
  observe();

  function watchFilled(selectors) {
    for (const selector of selectors) filledSelectors.add(selector);
    const known = new Set(filled.map((ref) => ref.deref()));
    for (const selector of filledSelectors) {
      let found;
      try {
        found = document.querySelectorAll(selector);
      } catch (error) {
        continue;
      }
      if (found.length === 1 && !known.has(found[0])) filled.push(new WeakRef(found[0]));
    }
  }

  // Timers set while handling an event (not from inside another timer: a polling loop would
  // never end) and due within a second are waited for: that is how pages re-render "soon".
  // Only the page's world sees them (and its requests): the reader asks it (`pendingWork`).
  if (!reader) trackPageWork();

  function trackPageWork() {
    window.setTimeout = function (handler, delay, ...rest) {
      if (typeof handler !== "function") return setT(handler, delay, ...rest);
      const track = timerDepth === 0 && (Number(delay) || 0) <= SHORT_TIMER_MS;
      let id = 0;
      const wrapped = function (...args) {
        timers.delete(id);
        timerDepth += 1;
        try {
          return handler.apply(this, args);
        } finally {
          timerDepth -= 1;
        }
      };
      id = setT(wrapped, delay, ...rest);
      if (track) timers.add(id);
      return id;
    };
    window.clearTimeout = function (id) {
      timers.delete(id);
      return clearT(id);
    };

    const done = () => {
      requests -= 1;
    };
    if (typeof window.fetch === "function") {
      const fetch0 = window.fetch;
      window.fetch = function (...args) {
        requests += 1;
        let promise;
        try {
          promise = fetch0.apply(this, args);
        } catch (error) {
          done();
          throw error;
        }
        Promise.resolve(promise).then(done, done);
        return promise;
      };
    }
    const send0 = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (...args) {
      requests += 1;
      this.addEventListener("loadend", done, { once: true });
      try {
        return send0.apply(this, args);
      } catch (error) {
        this.removeEventListener("loadend", done);
        done();
        throw error;
      }
    };

    // The reader's question, answered synchronously with what this world counts. The page can
    // see (and could stop) the events: that changes only how long the reader waits.
    const Custom = CustomEvent;
    const dispatch = EventTarget.prototype.dispatchEvent;
    const apply = Reflect.apply;
    window.addEventListener(
      ASK,
      () => {
        const answer = new Custom(ANSWER, { detail: timers.size + " " + requests });
        apply(dispatch, document, [answer]);
      },
      true,
    );
  }

  /* The page's short timers and requests pending now: counted here in the page's world; asked
     of it from the reader (a page that stops the question is taken as having none pending). */
  function pendingWork() {
    if (!reader) return { timers: timers.size, requests };
    let answer = "";
    const listen = (event) => {
      answer = String(event.detail);
    };
    window.addEventListener(ANSWER, listen, true);
    try {
      document.dispatchEvent(new CustomEvent(ASK));
    } finally {
      window.removeEventListener(ANSWER, listen, true);
    }
    const [t, r] = answer.split(" ").map((n) => Number(n) || 0);
    return { timers: t || 0, requests: r || 0 };
  }

  /* Resolves once no short timer and no fetch/XHR is pending and the DOM has not changed for
     `quietMs` (and not before `minMs`), or after `maxMs` with `timedOut`; with `withTimers`
     false, the page's timers are not waited for. */
  function idle(quietMs, maxMs, minMs, withTimers) {
    const start = now();
    const countTimers = withTimers !== false;
    return new Promise((resolve) => {
      const check = () => {
        const t = now();
        const quiet = t - lastMutation;
        const work = pendingWork();
        const pending = countTimers && work.timers > 0;
        const busy = pending || work.requests > 0 || quiet < quietMs || t - start < minMs;
        if (!busy || t - start >= maxMs) {
          resolve({
            waited: Math.round(t - start),
            timers: work.timers,
            requests: work.requests,
            timedOut: busy,
          });
          return;
        }
        const wait = quiet < quietMs ? quietMs - quiet : 10;
        setT(check, Math.max(4, Math.min(50, wait)));
      };
      check();
    });
  }

  // -- text -----------------------------------------------------------------------------------

  const norm = (s) =>
    String(s || "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();

  function matcher(spec) {
    if (spec.regex !== undefined) {
      const re = new RegExp(spec.regex, "i");
      return (text) => re.test(String(text || "").replace(/\s+/g, " ").trim());
    }
    const want = norm(spec.text);
    return (text) => norm(text) === want;
  }

  const CONTROLS = "input,select,textarea,button";

  function shown(el) {
    const style = getComputedStyle(el);
    return style.display !== "none" && style.visibility !== "hidden";
  }

  // The text of `node` without the form controls inside it (a label may wrap its select).
  function ownText(node, depth) {
    let out = "";
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) out += child.textContent;
      else if (child.nodeType === Node.ELEMENT_NODE && depth < 8) {
        if (child.matches(CONTROLS + ",script,style,template")) continue;
        if (!shown(child)) continue;
        out += " " + ownText(child, depth + 1) + " ";
      }
    }
    return out.replace(/\s+/g, " ").trim();
  }

  function byIds(ids) {
    return String(ids || "")
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => {
        const ref = document.getElementById(id);
        return ref ? ownText(ref, 0) || ref.textContent : "";
      })
      .join(" ")
      .trim();
  }

  function labelTexts(el) {
    const out = [];
    if (el.labels) for (const label of el.labels) out.push(ownText(label, 0));
    if (el.getAttribute("aria-labelledby")) out.push(byIds(el.getAttribute("aria-labelledby")));
    if (el.getAttribute("aria-label")) out.push(el.getAttribute("aria-label"));
    return out.filter(Boolean);
  }

  function inputType(el) {
    return (el.getAttribute("type") || "text").toLowerCase();
  }

  function roleOf(el) {
    const explicit = (el.getAttribute("role") || "").trim().split(/\s+/)[0];
    if (explicit) return explicit.toLowerCase();
    const tag = el.tagName.toLowerCase();
    if (tag === "button") return "button";
    if (tag === "a" && el.hasAttribute("href")) return "link";
    if (tag === "select") return el.multiple || el.size > 1 ? "listbox" : "combobox";
    if (tag === "textarea") return "textbox";
    if (tag !== "input") return "";
    const type = inputType(el);
    if (["button", "submit", "reset", "image"].includes(type)) return "button";
    if (type === "checkbox" || type === "radio") return type;
    if (type === "number") return "spinbutton";
    if (type === "search") return "searchbox";
    if (["text", "email", "tel", "url", ""].includes(type)) {
      return el.hasAttribute("list") ? "combobox" : "textbox";
    }
    return "";
  }

  function accessibleName(el) {
    if (el.getAttribute("aria-labelledby")) return byIds(el.getAttribute("aria-labelledby"));
    const aria = (el.getAttribute("aria-label") || "").trim();
    if (aria) return aria;
    const tag = el.tagName.toLowerCase();
    if (tag === "input") {
      const type = inputType(el);
      if (["button", "submit", "reset"].includes(type)) {
        return el.value || { submit: "Submit", reset: "Reset" }[type] || "";
      }
      if (type === "image") return el.getAttribute("alt") || "";
    }
    const labels = labelTexts(el);
    if (labels.length) return labels.join(" ");
    if (["button", "link", "tab", "menuitem", "option", "checkbox", "radio"].includes(roleOf(el))) {
      const text = (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();
      if (text) return text;
    }
    return el.getAttribute("title") || el.getAttribute("placeholder") || "";
  }

  // -- anchors --------------------------------------------------------------------------------

  function quoted(value) {
    return '"' + String(value).replace(/["\\]/g, "\\$&") + '"';
  }

  // "1 - 100", "1,001 to 10,000", "More than 1,000,000", "10,000+": a numeric range.
  function isRange(text) {
    const numbers = String(text).match(/\d[\d,]*/g) || [];
    const lower = String(text).toLowerCase();
    if (numbers.length === 2) return true;
    return (
      numbers.length === 1 &&
      /more than|over|above|greater|less than|under|below|fewer|up to|or more|\+/.test(lower)
    );
  }

  function rangeSelect(el) {
    if (el.tagName !== "SELECT") return false;
    const options = Array.from(el.options).filter((o) => o.value !== "" || o.index > 0);
    return options.length >= 2 && options.every((o) => isRange(o.label || o.text));
  }

  function candidates(anchor) {
    const all = (selector) => {
      try {
        return Array.from(document.querySelectorAll(selector));
      } catch (error) {
        return null;
      }
    };
    const fields = () => all("input:not([type=hidden]),select,textarea,[role],[contenteditable]");
    switch (anchor.kind) {
      case "id":
        return all("[id=" + quoted(anchor.value) + "]");
      case "css":
        return all(anchor.value);
      case "name":
        return all("[name=" + quoted(anchor.value) + "]");
      case "type":
        return all("input").filter((el) => inputType(el) === String(anchor.value).toLowerCase());
      case "autocomplete": {
        const want = String(anchor.value).toLowerCase();
        return all("[autocomplete]").filter((el) =>
          el.getAttribute("autocomplete").toLowerCase().split(/\s+/).includes(want)
        );
      }
      case "placeholder": {
        const match = matcher(anchor.match);
        return all("[placeholder]").filter((el) => match(el.getAttribute("placeholder")));
      }
      case "label": {
        const match = matcher(anchor.match);
        return fields().filter((el) => labelTexts(el).some(match));
      }
      case "role": {
        const role = String(anchor.value).toLowerCase();
        const match = anchor.match ? matcher(anchor.match) : () => true;
        return all("button,input,select,textarea,a[href],[role]").filter(
          (el) => roleOf(el) === role && match(accessibleName(el))
        );
      }
      case "options":
        return all("select").filter(rangeSelect);
      default:
        return null;
    }
  }

  function visible(el) {
    if (!el.isConnected) return false;
    if (typeof el.checkVisibility === "function" && !el.checkVisibility()) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  }

  // Ids a framework made up (":r3:", "input-17", "mat-input-4", hashes): not a stable anchor.
  function generated(id) {
    return (
      /[:\s]/.test(id) ||
      /\d{3,}/.test(id) ||
      /^[a-z]+[-_]?\d+$/i.test(id) ||
      /[0-9a-f]{8}/i.test(id) ||
      /^(ember|react|mui|mat-|ng-|radix-|headlessui)/i.test(id)
    );
  }

  function unique(selector) {
    try {
      return document.querySelectorAll(selector).length === 1;
    } catch (error) {
      return false;
    }
  }

  /* A CSS selector that finds `el` again later: its id (when unique and not made up), its
     name, or a short path from the nearest ancestor with such an id. */
  function selectorFor(el) {
    if (el.id && !generated(el.id) && unique("[id=" + quoted(el.id) + "]")) {
      return "[id=" + quoted(el.id) + "]";
    }
    const tag = el.tagName.toLowerCase();
    const name = el.getAttribute("name");
    if (name && unique(tag + "[name=" + quoted(name) + "]")) return tag + "[name=" + quoted(name) + "]";
    const parts = [];
    let node = el;
    while (node && node.nodeType === Node.ELEMENT_NODE && node !== document.documentElement) {
      if (node !== el && node.id && !generated(node.id) && unique("[id=" + quoted(node.id) + "]")) {
        parts.unshift("[id=" + quoted(node.id) + "]");
        return parts.join(" > ");
      }
      let index = 1;
      for (let sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) {
        if (sib.tagName === node.tagName) index += 1;
      }
      parts.unshift(node.tagName.toLowerCase() + ":nth-of-type(" + index + ")");
      node = node.parentElement;
    }
    return ":root > " + parts.join(" > ");
  }

  /* For each target (a list of anchors): which anchor won (-1: none), its element's selector,
     and how many elements each anchor tried found. An id found on several elements stops the
     search (ids are unique on a sound page: it is doubled, not ambiguous). */
  function resolveOne(anchors, needVisible) {
    const counts = [];
    for (let i = 0; i < anchors.length; i += 1) {
      const found = candidates(anchors[i]);
      if (found === null) {
        counts.push(-1);
        continue;
      }
      const usable = needVisible ? found.filter(visible) : found;
      counts.push(usable.length);
      if (usable.length === 1) {
        const el = usable[0];
        const selector =
          anchors[i].kind === "id" ? "[id=" + quoted(anchors[i].value) + "]" : selectorFor(el);
        return { anchor: i, selector, counts, label: labelTexts(el)[0] || "" };
      }
      if (usable.length > 1 && anchors[i].kind === "id") break;
    }
    return { anchor: -1, selector: "", counts, label: "" };
  }

  function resolve(targets, needVisible) {
    return targets.map((anchors) => resolveOne(anchors, needVisible));
  }

  // -- read-back -------------------------------------------------------------------------------

  // A number per element, so a read-back can tell a value cleared from an element replaced
  // (a re-render) without writing anything into the page.
  const tokens = new WeakMap();
  let nextToken = 1;
  function tokenOf(el) {
    let token = tokens.get(el);
    if (!token) {
      token = nextToken;
      nextToken += 1;
      tokens.set(el, token);
    }
    return token;
  }

  /* What `el` holds; `brief` (a read-back): without a select's options or whether the element
     is visible, enabled and editable (a select of 60 states costs more to send than all the
     values of a step, and visibility makes the browser lay the page out first). */
  function stateOf(el, brief) {
    const state = {
      count: 1,
      token: tokenOf(el),
      value: "",
      label: "",
      checked: false,
      options: null,
      name: el.getAttribute("name") || "",
    };
    if (!brief) {
      state.visible = visible(el);
      state.enabled = !el.disabled && el.getAttribute("aria-disabled") !== "true";
      state.editable = !el.readOnly;
      state.tag = el.tagName.toLowerCase();
    }
    if (el.tagName === "SELECT") {
      state.value = el.value;
      state.label = el.selectedIndex >= 0 ? el.options[el.selectedIndex].label : "";
      if (!brief) state.options = Array.from(el.options).map((o) => [o.value, o.label || o.text]);
    } else if (typeof el.value === "string") {
      state.value = el.value;
    }
    state.checked =
      typeof el.checked === "boolean" ? el.checked : el.getAttribute("aria-checked") === "true";
    return state;
  }

  function snapshot(selectors, brief) {
    return selectors.map((selector) => {
      let found;
      try {
        found = document.querySelectorAll(selector);
      } catch (error) {
        return null;
      }
      if (found.length !== 1) return { count: found.length };
      return stateOf(found[0], brief === true);
    });
  }

  function isEmpty(el) {
    const type = el.tagName === "INPUT" ? inputType(el) : "";
    if (type === "checkbox") return !el.checked;
    if (type === "radio") {
      const group = el.name ? document.querySelectorAll("input[type=radio][name=" + quoted(el.name) + "]") : [el];
      return !Array.from(group).some((r) => r.checked);
    }
    if (el.getAttribute("role") === "checkbox") return el.getAttribute("aria-checked") !== "true";
    return !String(el.value === undefined ? el.textContent : el.value).trim();
  }

  /* Required fields (required / aria-required) that are visible, empty and none of the map's
     (`known`: lists of anchors, any of whose elements count as known). */
  function required(known) {
    let mapped = null; // found only once a field needs it: most read-backs find none empty
    const out = [];
    const controls = document.querySelectorAll(
      "input,select,textarea,[role=textbox],[role=combobox],[role=checkbox],[role=listbox]"
    );
    for (const el of controls) {
      if (el.tagName === "INPUT" && ["hidden", "submit", "button", "image", "reset", "file"].includes(inputType(el))) continue;
      if (!(el.required || el.getAttribute("aria-required") === "true")) continue;
      if (!visible(el) || !isEmpty(el)) continue;
      if (mapped === null) {
        mapped = new Set();
        for (const anchors of known) {
          for (const anchor of anchors) for (const found of candidates(anchor) || []) mapped.add(found);
        }
      }
      if (mapped.has(el)) continue;
      const label =
        labelTexts(el)[0] || el.getAttribute("placeholder") || el.getAttribute("name") || el.id || el.tagName.toLowerCase();
      out.push({ label: label.replace(/\s*\*\s*$/, ""), selector: selectorFor(el) });
    }
    return out;
  }

  // -- outcome --------------------------------------------------------------------------------

  /* After the submit: a Feedback ID (in `feedbackSelector`, else anywhere in the text) not
     already on the page before, or an error region's text that was not shown before. */
  function outcome(spec) {
    const pattern = new RegExp(spec.pattern, "g");
    const ignore = new Set(spec.ignoreIds || []);
    const texts = [];
    try {
      for (const el of document.querySelectorAll(spec.feedbackSelector)) texts.push(el.innerText || el.textContent || "");
    } catch (error) {
      /* a selector the engine refuses: the page text still counts */
    }
    texts.push(document.body ? document.body.innerText : "");
    const ids = [];
    for (const text of texts) for (const m of String(text).matchAll(pattern)) ids.push(m[0]);
    const id = ids.find((found) => !ignore.has(found)) || null;
    const errors = visibleErrors(spec.errorSelector);
    const before = new Set(spec.ignoreErrors || []);
    const error = errors.find((text) => !before.has(text)) || null;
    return { id, ids, error, errors, url: location.href };
  }

  function visibleErrorRegions(selector) {
    const out = [];
    try {
      for (const el of document.querySelectorAll(selector)) {
        if (!visible(el)) continue;
        const text = (el.innerText || "").replace(/\s+/g, " ").trim();
        if (text) out.push({ el, text });
      }
    } catch (error) {
      /* a selector the engine refuses shows nothing */
    }
    return out;
  }

  function visibleErrors(selector) {
    return visibleErrorRegions(selector).map((region) => region.text);
  }

  /* The error regions the page has changed since `armErrors`: a refusal shown again in the
     same words (a second wrong code) is a new answer, not the old one still standing. */
  let touchedErrors = new WeakSet();
  let errorWatch = null;

  function regionsOf(node, selector) {
    const out = [];
    const el = node && node.nodeType === Node.ELEMENT_NODE ? node : node && node.parentElement;
    if (!el) return out;
    try {
      const region = el.closest(selector);
      if (region) out.push(region);
      for (const inner of el.querySelectorAll(selector)) out.push(inner);
    } catch (error) {
      /* a selector the engine refuses marks nothing */
    }
    return out;
  }

  /* Before a click: what the error regions show now, and from now on note every change to them. */
  function armErrors(selector) {
    if (errorWatch) errorWatch.disconnect();
    touchedErrors = new WeakSet();
    errorWatch = new MutationObserver((records) => {
      for (const record of records) {
        for (const region of regionsOf(record.target, selector)) touchedErrors.add(region);
        for (const added of record.addedNodes || []) {
          for (const region of regionsOf(added, selector)) touchedErrors.add(region);
        }
      }
    });
    errorWatch.observe(document.documentElement, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
    return visibleErrors(selector);
  }

  /* After a click: has `target` (anchors) become visible, or has an error region shown a text
     that was not there before (`before`), or shown again after the page changed it? */
  function effect(target, errorSelector, before) {
    // Shown at all counts: an element doubled on the page is still there (the step that uses it
    // says so); the click has taken effect.
    const done = target ? resolveOne(target, true).counts.some((c) => c >= 1) : false;
    let error = null;
    if (errorSelector && !done) {
      const seen = new Set(before || []);
      for (const region of visibleErrorRegions(errorSelector)) {
        if (!seen.has(region.text) || touchedErrors.has(region.el)) {
          error = region.text;
          break;
        }
      }
    }
    if (!done && !error) return null;
    if (errorWatch) {
      // The page has answered the click: its later changes need no watching.
      errorWatch.disconnect();
      errorWatch = null;
    }
    return { done, error };
  }

  /* Find a button (and read its caption) and read (and arm, see `armErrors`) the page's error
     regions, in one round trip. */
  function findWithErrors(target, errorSelector) {
    const located = resolveOne(target, true);
    let caption = "";
    if (located.anchor >= 0) {
      try {
        caption = accessibleName(document.querySelector(located.selector)).replace(/\s+/g, " ").trim();
      } catch (error) {
        caption = "";
      }
    }
    return { located, caption, errors: armErrors(errorSelector) };
  }

  /* Wait until the page is ready, then read its error regions. */
  async function settled(quietMs, maxMs, withTimers, errorSelector) {
    const ready = await idle(quietMs, maxMs, 0, withTimers);
    return { ready, errors: visibleErrors(errorSelector) };
  }

  /* One round trip for a step: wait until the page is ready, then resolve its targets and
     read what each holds. */
  async function check(targets, quietMs, maxMs) {
    const ready = await idle(quietMs, maxMs, 0);
    const located = resolve(targets, true);
    const selectors = located.map((l) => l.selector || ":not(*)");
    watchFilled(selectors);
    return { ready, located, states: snapshot(selectors), resets };
  }

  /* Read back after writing: wait until ready, read every selector, and (with `known`) list
     the required fields no anchor of the map finds; `resets` counts every change of the page
     that took away an element the assistant fills, since the page was loaded. */
  async function probe(selectors, quietMs, maxMs, known) {
    const ready = await idle(quietMs, maxMs, 0);
    watchFilled(selectors);
    return {
      ready,
      states: snapshot(selectors, true),
      required: known ? required(known) : [],
      resets,
      changes,
    };
  }

  /* What `selectors` hold right now, without waiting, with the count of DOM changes so far and
     whether a short timer or a request of the page is pending (`busy`): taken before a
     screenshot, so that a later read-back can tell whether the page changed meanwhile. */
  function mark(selectors) {
    const work = pendingWork();
    return { states: snapshot(selectors, true), changes, busy: work.timers > 0 || work.requests > 0 };
  }

  /* The visible elements one anchor finds (`assistant learn` checks that the anchor it
     derived for a clicked element finds exactly that element). */
  function find(anchor) {
    return (candidates(anchor) || []).filter(visible);
  }

  const api = Object.freeze({
    idle,
    check,
    probe,
    mark,
    effect,
    armErrors,
    findWithErrors,
    settled,
    visibleErrors,
    resolve,
    snapshot,
    required,
    outcome,
    generated,
    selectorFor,
    find,
    visible,
    labelTexts,
    accessibleName,
    roleOf,
  });
  Object.defineProperty(window, "__assistant", {
    value: api,
    writable: false,
    configurable: false,
    enumerable: false,
  });
})();
