// "Create token": name, description, preset, scopes grouped by category, expiration.
// Scopes the signed-in token lacks are shown disabled with the reason (the issuer refuses them
// anyway); a scope that a ticked one implies is shown ticked and says why.

import { ApiError } from "./api.js";
import * as dialogs from "./dialogs.js";
import { byId, h, replace, show } from "./dom.js";
import { charCount, date, daysFromNow } from "./format.js";

const NAME_MAX = 100;
const DESCRIPTION_MAX = 1000;
const DAYS_MAX = 3650;
const CHOICES = [30, 90, 365];

export class CreateDialog {
  /** onCreated(newToken) runs after the issuer answered 201. */
  constructor(onCreated) {
    this.onCreated = onCreated;
    this.dialog = byId("create-dialog");
    this.form = byId("create-form");
    dialogs.setUp(this.dialog);
    byId("create-name").addEventListener("input", () => this.updateCounters());
    byId("create-description").addEventListener("input", () => this.updateCounters());
    byId("create-preset").addEventListener("change", (e) => this.choosePreset(e.target.value));
    byId("create-expiry").addEventListener("change", () => this.updateExpiry());
    byId("create-custom-days").addEventListener("input", () => this.updateExpiry());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
  }

  /** Opens the dialog for `session` with the issuer's `catalog` (`GET /v1/scopes`). */
  open(session, catalog) {
    this.session = session;
    this.catalog = catalog;
    this.implies = new Map(catalog.scopes.map((s) => [s.name, s.implies || []]));
    this.explicit = new Set();
    this.form.reset();
    this.clearErrors();
    show(byId("create-subject-field"), session.isAdmin);
    byId("create-subject").placeholder = session.me.subject;
    this.renderPresets();
    this.renderScopes();
    this.renderExpiryChoices();
    this.updateCounters();
    dialogs.open(this.dialog, byId("create-name"));
  }

  /** Every scope `scope` carries, itself excluded. */
  closure(scope, seen = new Set()) {
    for (const next of this.implies.get(scope) || []) {
      if (!seen.has(next)) {
        seen.add(next);
        this.closure(next, seen);
      }
    }
    return seen;
  }

  /** The scopes the preset carries, implications included. */
  expanded(scopes) {
    const all = new Set(scopes);
    for (const s of scopes) for (const t of this.closure(s)) all.add(t);
    return all;
  }

  renderPresets() {
    const select = byId("create-preset");
    const options = [h("option", { value: "", text: "Custom (pick scopes below)" })];
    for (const preset of this.catalog.presets) {
      const lacking = [...this.expanded(preset.scopes)].filter((s) => !this.session.has(s));
      options.push(
        h("option", {
          value: preset.id,
          disabled: lacking.length > 0,
          text: lacking.length ? `${preset.label} (needs ${lacking.join(", ")})` : preset.label,
        }),
      );
    }
    replace(select, options);
  }

  renderScopes() {
    const groups = new Map();
    for (const scope of this.catalog.scopes) {
      const category = scope.category || "Other";
      if (!groups.has(category)) groups.set(category, []);
      groups.get(category).push(scope);
    }
    const container = byId("create-scopes-groups");
    replace(
      container,
      [...groups].map(([category, scopes]) =>
        h(
          "fieldset",
          { class: "scope-group" },
          h("legend", { text: category }),
          scopes.map((scope) => {
            const id = `scope-${scope.name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
            const box = h("input", { type: "checkbox", id, value: scope.name, "aria-describedby": `${id}-note`, onChange: (e) => this.toggle(scope.name, e.target.checked) });
            return h(
              "div",
              { class: "scope" },
              box,
              h("label", { for: id }, h("code", { text: scope.name }), h("span", { class: "scope-description", text: scope.description || "" })),
              h("span", { id: `${id}-note`, class: "scope-note" }),
            );
          }),
        ),
      ),
    );
    this.updateScopes();
  }

  toggle(scope, on) {
    if (on) this.explicit.add(scope);
    else this.explicit.delete(scope);
    this.updateScopes();
    const match = this.catalog.presets.find((p) => sameSet(this.expanded(p.scopes), this.expanded([...this.explicit])));
    byId("create-preset").value = match && !byId("create-preset").querySelector(`option[value="${CSS.escape(match.id)}"]`).disabled ? match.id : "";
  }

  choosePreset(id) {
    const preset = this.catalog.presets.find((p) => p.id === id);
    if (!preset) return;
    this.explicit = new Set(preset.scopes);
    this.updateScopes();
  }

  /** Ticks, disables and annotates every scope checkbox from `this.explicit`. */
  updateScopes() {
    const impliedBy = new Map();
    for (const s of this.explicit) {
      for (const t of this.closure(s)) if (!impliedBy.has(t)) impliedBy.set(t, s);
    }
    for (const box of byId("create-scopes-groups").querySelectorAll("input[type=checkbox]")) {
      const scope = box.value;
      const held = this.session.has(scope);
      const via = impliedBy.get(scope);
      box.checked = held && (this.explicit.has(scope) || Boolean(via));
      box.disabled = !held || Boolean(via);
      const note = byId(`${box.id}-note`);
      note.textContent = !held ? "Your token does not hold this scope, so it cannot grant it." : via ? `Included with ${via}.` : "";
      box.closest(".scope").classList.toggle("unavailable", !held);
    }
  }

  /** The scopes to send: the ticked ones the issuer will expand itself. */
  chosenScopes() {
    return [...this.explicit].filter((s) => this.session.has(s));
  }

  /** Whether the expiry limit is the workspace's or the signed-in token's own expiry. */
  capIsCreator() {
    return this.catalog.expiry_cap_reason === "creator";
  }

  renderExpiryChoices() {
    const cap = this.catalog.max_expires_in_days ?? null;
    const select = byId("create-expiry");
    const over = this.capIsCreator() ? "longer than your own token lasts" : `over this workspace's ${cap}-day limit`;
    const tooLong = (days) => (cap !== null && days > cap ? ` (${over})` : "");
    const never = this.capIsCreator() ? "No expiration (your own token expires)" : "No expiration (not allowed in this workspace)";
    replace(
      select,
      CHOICES.map((d) => h("option", { value: String(d), disabled: cap !== null && d > cap, text: `${d} days${tooLong(d)}` })),
      h("option", { value: "never", disabled: cap !== null, text: cap !== null ? never : "No expiration" }),
      h("option", { value: "custom", text: "Custom…" }),
    );
    select.value = cap !== null && cap < CHOICES[0] ? "custom" : String(CHOICES[0]);
    const custom = byId("create-custom-days");
    custom.max = String(Math.min(cap ?? DAYS_MAX, DAYS_MAX));
    custom.value = select.value === "custom" ? custom.max : "";
    this.updateExpiry();
  }

  /** The chosen lifetime: days, null for never, or NaN when the custom value is invalid. */
  expiryDays() {
    const value = byId("create-expiry").value;
    if (value === "never") return null;
    if (value !== "custom") return Number(value);
    const raw = byId("create-custom-days").value.trim();
    const days = /^\d+$/.test(raw) ? Number(raw) : NaN;
    return days >= 1 && days <= Number(byId("create-custom-days").max) ? days : NaN;
  }

  updateExpiry() {
    const custom = byId("create-expiry").value === "custom";
    show(byId("create-custom-wrap"), custom);
    const days = this.expiryDays();
    const cap = this.catalog.max_expires_in_days ?? null;
    let limit = "";
    if (cap !== null && this.capIsCreator()) {
      limit = ` The token you signed in with expires on ${date(this.catalog.token_expires_at)}; a token cannot outlive the token that creates it, so at most ${cap} days (cut to that moment).`;
    } else if (cap !== null) {
      limit = ` This workspace allows at most ${cap} days.`;
    }
    let text;
    if (days === null) text = "This token never expires: it works until it is revoked.";
    else if (Number.isNaN(days)) text = `Enter a whole number of days from 1 to ${byId("create-custom-days").max}.`;
    else text = `Expires on ${date(daysFromNow(days))}.`;
    byId("create-expiry-hint").textContent = text + limit;
  }

  updateCounters() {
    const name = charCount(byId("create-name").value);
    const description = charCount(byId("create-description").value);
    const nameCount = byId("create-name-count");
    nameCount.textContent = `${name} / ${NAME_MAX}`;
    nameCount.classList.toggle("over", name > NAME_MAX);
    const descriptionCount = byId("create-description-count");
    descriptionCount.textContent = `${description} / ${DESCRIPTION_MAX}`;
    descriptionCount.classList.toggle("over", description > DESCRIPTION_MAX);
  }

  clearErrors() {
    for (const el of this.form.querySelectorAll(".error")) el.textContent = "";
    for (const el of this.form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  fieldError(field, message) {
    const target = { name: "create-name", description: "create-description", scopes: "create-scopes-groups", preset: "create-preset", expires_in_days: "create-expiry", subject: "create-subject" }[field];
    const slot = target ? document.getElementById(`${target}-error`) : null;
    if (!slot) return false;
    slot.textContent = message;
    byId(target).setAttribute("aria-invalid", "true");
    return true;
  }

  /** Checks what the issuer would refuse, so the person learns it before sending. */
  validate() {
    const problems = [];
    const name = charCount(byId("create-name").value);
    if (name === 0) problems.push(["name", "Give the token a name, so you can recognise it later."]);
    if (name > NAME_MAX) problems.push(["name", `The name is ${name} characters long; at most ${NAME_MAX} are allowed.`]);
    const description = charCount(byId("create-description").value);
    if (description > DESCRIPTION_MAX) problems.push(["description", `At most ${DESCRIPTION_MAX} characters are allowed.`]);
    if (this.chosenScopes().length === 0) problems.push(["scopes", "Choose a preset or at least one scope."]);
    if (Number.isNaN(this.expiryDays())) problems.push(["expires_in_days", `Enter a whole number of days from 1 to ${byId("create-custom-days").max}.`]);
    return problems;
  }

  async submit() {
    this.clearErrors();
    const problems = this.validate();
    for (const [field, message] of problems) this.fieldError(field, message);
    if (problems.length) {
      this.form.querySelector("[aria-invalid=true]")?.focus();
      return;
    }
    const body = {
      name: byId("create-name").value.trim(),
      scopes: this.chosenScopes(),
      expires_in_days: this.expiryDays(),
    };
    const description = byId("create-description").value.trim();
    if (description) body.description = description;
    const subject = byId("create-subject").value.trim();
    if (this.session.isAdmin && subject) body.subject = subject;
    const button = byId("create-submit");
    button.disabled = true;
    try {
      const created = await this.session.call("POST", "/v1/tokens", body);
      this.dialog.close();
      this.onCreated(created);
    } catch (error) {
      let shown = false;
      if (error instanceof ApiError) for (const f of error.fields) shown = this.fieldError(f.field, f.message) || shown;
      if (!shown) byId("create-error").textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }
}

function sameSet(a, b) {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
