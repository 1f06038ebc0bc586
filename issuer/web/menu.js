// A menu button (WAI-ARIA "menu button" pattern): the button opens a list of actions; arrow
// keys, Home and End move between them, Escape closes and returns to the button, Tab and a
// click elsewhere close it.

import { h } from "./dom.js";

let openMenu = null;

function close(menu, refocus) {
  menu.list.hidden = true;
  menu.button.setAttribute("aria-expanded", "false");
  if (openMenu === menu) openMenu = null;
  if (refocus) menu.button.focus();
}

function items(menu) {
  return [...menu.list.querySelectorAll("[role=menuitem]:not([disabled])")];
}

function openAt(menu, index) {
  if (openMenu && openMenu !== menu) close(openMenu, false);
  menu.list.hidden = false;
  menu.button.setAttribute("aria-expanded", "true");
  openMenu = menu;
  const all = items(menu);
  all.at(index)?.focus();
}

document.addEventListener("click", (event) => {
  if (openMenu && !openMenu.root.contains(event.target)) close(openMenu, false);
});

/**
 * A menu button labelled `label` (its accessible name), showing `text`, with `actions`:
 * `{ label, onSelect, disabled, danger }`.
 */
export function menuButton(label, text, actions) {
  const button = h("button", { type: "button", class: "button ghost menu-button", "aria-haspopup": "menu", "aria-expanded": "false", "aria-label": label, text });
  const list = h("div", { role: "menu", class: "menu", hidden: true, "aria-label": label });
  const root = h("div", { class: "menu-root" }, button, list);
  const menu = { root, button, list };
  for (const action of actions) {
    list.append(
      h("button", {
        type: "button",
        role: "menuitem",
        tabindex: "-1",
        class: action.danger ? "menu-item danger" : "menu-item",
        disabled: Boolean(action.disabled),
        title: action.disabled || null,
        text: action.label,
        onClick: () => {
          close(menu, true);
          action.onSelect();
        },
      }),
    );
  }
  button.addEventListener("click", () => (list.hidden ? openAt(menu, 0) : close(menu, false)));
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      openAt(menu, event.key === "ArrowDown" ? 0 : -1);
    }
  });
  list.addEventListener("keydown", (event) => {
    const all = items(menu);
    const at = all.indexOf(document.activeElement);
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      all.at(moves[event.key] % all.length)?.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(menu, true);
    } else if (event.key === "Tab") {
      close(menu, false);
    }
  });
  return root;
}
