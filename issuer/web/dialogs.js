// Modal dialogs on the native <dialog> element: `showModal()` makes the rest of the page inert
// and Escape fires "cancel". On top of that, Tab and Shift+Tab wrap inside the dialog (focus
// never reaches the browser's toolbar mid-task) and focus returns to the control that opened it.

const openers = new WeakMap();

const FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

function focusables(dialog) {
  return [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => !el.closest("[hidden]") && el.getClientRects().length > 0);
}

function trapTab(event) {
  if (event.key !== "Tab") return;
  const items = focusables(event.currentTarget);
  if (items.length === 0) return;
  const first = items[0];
  const last = items[items.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/** Wires a dialog once: the Tab wrap, and every `[data-close]` button closes it. */
export function setUp(dialog) {
  dialog.addEventListener("keydown", trapTab);
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
  dialog.addEventListener("close", () => {
    const opener = openers.get(dialog);
    openers.delete(dialog);
    const next = document.querySelector("dialog[open]");
    if (next) {
      // One dialog led to another (create -> secret): the control that opened the first is
      // where focus returns when the last one closes.
      const nextOpener = openers.get(next);
      if (opener && (!nextOpener || nextOpener === document.body || nextOpener.closest("dialog"))) openers.set(next, opener);
      dialog.dispatchEvent(new Event("closed"));
      return;
    }
    // "close" is queued after the dialog has closed, and the browser may already have put focus
    // back (modal dialogs restore it themselves) or the user may have moved on: pulling focus
    // back to the opener then would steal it from whatever now holds it. Only focus that was
    // lost, to the body or with the closed dialog, is restored.
    const focused = document.activeElement;
    const lost = !focused || focused === document.body || focused.closest("dialog:not([open])");
    if (lost) {
      const target = opener && opener.isConnected && !opener.disabled && opener.getClientRects().length > 0 ? opener : document.getElementById("main");
      target?.focus();
    }
    dialog.dispatchEvent(new Event("closed"));
  });
}

/** Opens `dialog` modally and focuses `focus` (or its first control). */
export function open(dialog, focus) {
  if (!dialog.open) {
    if (document.activeElement instanceof HTMLElement) openers.set(dialog, document.activeElement);
    dialog.showModal();
  }
  (focus || focusables(dialog)[0])?.focus();
}
