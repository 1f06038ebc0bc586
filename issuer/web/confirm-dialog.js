// A confirmation that names what will happen. The action runs while the dialog stays open, so
// a failure is shown where the person is looking and nothing is lost.

import * as dialogs from "./dialogs.js";
import { byId, replace, show } from "./dom.js";

export class ConfirmDialog {
  constructor() {
    this.dialog = byId("confirm-dialog");
    this.form = byId("confirm-form");
    dialogs.setUp(this.dialog);
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.confirm();
    });
  }

  /**
   * Asks `title`, explaining with `body` (nodes); `ok` labels the confirming button.
   * `grace`: offer the rotation grace period. `run(options)` does the work; the dialog closes
   * when it resolves (then calls the function it resolved to, if any) and shows the error when
   * it rejects.
   */
  ask({ title, body, ok, danger, grace, run }) {
    byId("confirm-title").textContent = title;
    replace(byId("confirm-body"), body);
    byId("confirm-error").textContent = "";
    show(byId("confirm-grace"), Boolean(grace));
    byId("confirm-grace-select").value = "0";
    const button = byId("confirm-ok");
    button.textContent = ok;
    button.className = danger ? "button danger" : "button primary";
    button.disabled = false;
    this.run = run;
    // The safe choice has the focus: Enter alone never destroys anything.
    dialogs.open(this.dialog, byId("confirm-cancel"));
  }

  async confirm() {
    const button = byId("confirm-ok");
    button.disabled = true;
    byId("confirm-error").textContent = "";
    try {
      const then = await this.run({ graceSeconds: Number(byId("confirm-grace-select").value) });
      this.dialog.close();
      then?.();
    } catch (error) {
      byId("confirm-error").textContent = error.message;
      button.disabled = false;
    }
  }
}
