// The one-time secret of a new or rotated token: "Copy", a warning that it is not shown again,
// ready snippets (curl against /v1/me, the Python SDK, the Node SDK) filled in with this
// issuer's URL, and "Test token", which calls /v1/me with the new secret.

import { call, peekClaims } from "./api.js";
import * as dialogs from "./dialogs.js";
import { byId, h, replace } from "./dom.js";
import { date } from "./format.js";
import { explain } from "./session.js";

/** Copies `text`; falls back to the selection for pages not served from a secure context. */
async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field.focus();
    field.select();
    return document.execCommand("copy");
  }
}

function literal(text) {
  return JSON.stringify(text);
}

/** The three snippets for `created`, read from the token's own `iss`, `aud`, `ws` and `scope`. */
export function snippets(created, prefix) {
  const claims = peekClaims(created.token, prefix);
  const issuer = claims.iss || location.origin;
  const audience = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  const scope = (created.scopes || []).find((s) => !s.startsWith("tokens:") && s !== "usage:report") || created.scopes?.[0];
  const workspace = created.workspace;
  const pyArgs = [literal(issuer), audience ? `audience=${literal(audience)}` : null].filter(Boolean).join(", ");
  const pyRequire = [`os.environ["GATEPASS_TOKEN"]`, scope ? `scopes=[${literal(scope)}]` : null, `workspace=${literal(workspace)}`].filter(Boolean).join(", ");
  const nodeOptions = audience ? `, { audience: ${literal(audience)} }` : "";
  const nodeRequire = [scope ? `scopes: [${literal(scope)}]` : null, `workspace: ${literal(workspace)}`].filter(Boolean).join(", ");
  return [
    {
      label: "curl",
      code: `export GATEPASS_TOKEN='${created.token}'\ncurl -H "Authorization: Bearer $GATEPASS_TOKEN" ${issuer}/v1/me`,
    },
    {
      label: "Python",
      code: `# pip install gatepass\nimport os\nimport gatepass\n\nverifier = gatepass.Verifier(${pyArgs})\nclaims = verifier.require(${pyRequire})\nprint(claims.subject, claims.scopes)`,
    },
    {
      label: "Node",
      code: `// npm install gatepass  (an ES module: top-level await)\nimport { Verifier } from "gatepass";\n\nconst verifier = await Verifier.connect(${literal(issuer)}${nodeOptions});\nconst claims = verifier.require(process.env.GATEPASS_TOKEN, { ${nodeRequire} });\nconsole.log(claims.subject, claims.scopes);`,
    },
  ];
}

/** Why the new token expires sooner than asked (the issuer says which limit cut it). */
export function cappedNote(created) {
  const when = date(created.expires_at);
  return created.expiry_capped_by === "workspace"
    ? `Its expiry was shortened to ${when}: this workspace limits how long tokens last.`
    : `Its expiry was shortened to ${when}: a token cannot outlive the token that created it (the one you signed in with).`;
}

function block(created, prefix, single) {
  const fieldId = `secret-${created.id}`;
  const field = h("input", { id: fieldId, class: "secret", type: "text", readonly: true, spellcheck: "false", autocomplete: "off", value: created.token });
  const copyStatus = h("span", { class: "copy-status", role: "status" });
  const copy = h("button", {
    type: "button",
    class: "button primary",
    text: "Copy",
    "aria-label": single ? null : `Copy ${created.name}`,
    onClick: async () => {
      copyStatus.textContent = (await copyText(created.token, field)) ? "Copied to the clipboard." : "Press Ctrl+C (⌘C) to copy the selected token.";
    },
  });
  const result = h("p", { class: "test-result", role: "status" });
  const test = h("button", {
    type: "button",
    class: "button secondary",
    text: "Test token",
    "aria-label": single ? null : `Test token ${created.name}`,
    onClick: async () => {
      result.className = "test-result";
      result.textContent = "Testing…";
      try {
        const me = await call(created.token, "GET", "/v1/me");
        result.classList.add("ok");
        result.textContent = `Works: “${me.name}” acts for ${me.subject} in workspace ${me.workspace} with ${me.scopes.join(", ")}.`;
      } catch (error) {
        result.classList.add("failed");
        result.textContent = explain(error);
      }
    },
  });
  const snippetList = snippets(created, prefix).map((s) =>
    h("figure", { class: "snippet" }, h("figcaption", { text: s.label }), h("pre", { tabindex: "0", "aria-label": `${s.label} snippet` }, h("code", { text: s.code }))),
  );
  const snippetsBox = h("details", { class: "snippets", open: single }, h("summary", { text: "Use it: curl, Python and Node" }), snippetList);
  const capped = created.expiry_capped_by
    ? h("p", { class: "capped", role: "note", text: cappedNote(created) })
    : null;
  return h(
    "section",
    { class: "secret-block", "aria-label": created.name },
    single ? null : h("h3", { text: created.name }),
    h("label", { for: fieldId, text: single ? "Your token" : `Token of ${created.name}` }),
    h("div", { class: "secret-row" }, field, copy, test),
    capped,
    copyStatus,
    result,
    snippetsBox,
  );
}

export class SecretDialog {
  constructor() {
    this.dialog = byId("secret-dialog");
    dialogs.setUp(this.dialog);
    // The secrets leave the page when the dialog closes: nothing keeps them after "Done".
    this.dialog.addEventListener("closed", () => replace(byId("secret-list")));
  }

  /** Shows the secrets of `created` (new tokens) once. */
  show(created, { title, prefix }) {
    byId("secret-title").textContent = title;
    const single = created.length === 1;
    replace(byId("secret-list"), created.map((c) => block(c, prefix, single)));
    dialogs.open(this.dialog, this.dialog.querySelector(".secret-row .button.primary"));
  }
}
