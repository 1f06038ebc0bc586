// Building DOM nodes. Every string becomes a text node or an attribute value, never markup:
// the page has no HTML sink at all (Trusted Types are enforced by the CSP to keep it so).

/** The element with this id (throws when the page is missing it: a bug, not a user error). */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

/**
 * Creates an element.
 * attrs: `class`, `text` (text content), `on<Event>` (listeners), booleans (set or left out),
 * anything else as an attribute. children: nodes or strings (as text), nulls skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") el.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Appends nodes or strings (as text) to `el`. */
export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the content of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Shows or hides `el` (the `hidden` attribute). */
export function show(el, visible) {
  el.hidden = !visible;
}
