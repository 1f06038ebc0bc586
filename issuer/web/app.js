// The token management page (issuer/README.md, "The token management page"): sign in with a pasted token, list, create, revoke and
// rotate tokens. It talks only to the public management API, as the signed-in token.

import { call } from "./api.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { CreateDialog } from "./create-dialog.js";
import { byId, h, replace, show } from "./dom.js";
import { count, date, daysFromNow, quoted } from "./format.js";
import { SecretDialog } from "./secret-dialog.js";
import { exchangePortalCode, explain, forget, signIn, store, storedPortal, storedToken, takePortalCode } from "./session.js";
import { TokenList } from "./token-list.js";

// What discovery says of this issuer; the defaults serve until it answers.
let issuer = { token_prefix: "gp_", status_list_ttl: 60 };
let session = null;
let list = null;

const secrets = new SecretDialog();
const confirmDialog = new ConfirmDialog();
const createDialog = new CreateDialog((created) => {
  secrets.show([created], { title: "Your new token", prefix: issuer.token_prefix });
  announce(`Created ${quoted(created.name)}.`);
  list.load();
});

let toastTimer = 0;
/** Says `message` in the status region (read out by screen readers). */
function announce(message) {
  const toast = byId("toast");
  toast.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.textContent = ""), 8000);
}

const SIGNED_OUT = "Signed out. The token was forgotten by this tab.";

function showSignIn(message) {
  show(byId("tokens-view"), false);
  show(byId("who"), false);
  show(byId("sign-out"), false);
  show(byId("sign-in-view"), true);
  byId("sign-in-error").textContent = message || "";
  const field = byId("sign-in-token");
  field.value = "";
  field.focus();
}

async function enter(signedIn) {
  session = signedIn;
  session.onUnauthorized = (error) => signOut(`You were signed out: ${explain(error)}`);
  store(session.token);
  renderWho();
  list = new TokenList(session, { revoke, rotate, failed: (error) => announce(error.message) });
  byId("status-filter").value = "all";
  byId("create-open").disabled = !session.canWrite;
  byId("create-open").title = session.canWrite ? "" : "Your token needs the tokens:write scope to create tokens";
  show(byId("sign-in-view"), false);
  show(byId("tokens-view"), true);
  show(byId("sign-out"), true);
  await list.load();
  byId("tokens-title").focus();
}

function renderWho() {
  const me = session.me;
  const portal = storedPortal();
  replace(
    byId("who"),
    ...(portal
      ? ["API tokens of ", h("strong", { text: me.subject }), ` · workspace ${me.workspace}`]
      : ["Signed in with ", h("strong", { text: quoted(me.name) }), ` · ${me.subject} · workspace ${me.workspace}`]),
    session.isAdmin ? h("span", { class: "tag", text: "admin" }) : null,
  );
  show(byId("who"), true);
  const back = byId("back-to-product");
  if (portal) {
    back.href = portal.returnUrl;
    back.textContent = `Back to ${portal.productName}`;
  }
  show(back, Boolean(portal));
  const product = byId("product-link");
  if (portal?.productUrl) {
    product.href = portal.productUrl;
    product.textContent = portal.productName;
  }
  show(product, Boolean(portal?.productUrl));
}

function signOut(message) {
  // A session from the product's portal ends where it came from.
  const portal = storedPortal();
  if (portal && message === SIGNED_OUT) {
    forget();
    location.assign(portal.returnUrl);
    return;
  }
  show(byId("back-to-product"), false);
  show(byId("product-link"), false);
  session = null;
  list = null;
  forget();
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  replace(byId("token-rows"));
  replace(byId("who"));
  showSignIn(message);
}

/** How fast a revocation takes effect: at once here, within a second at connected services (the
 * push channel), and within the list ttl at services whose push link is down. */
function revocationText(it) {
  const pushed = issuer.status_stream_uri
    ? `services that verify tokens locally within a second (at the latest within ${ttlText()}, if their connection to this issuer is down)`
    : `services that verify tokens locally within ${ttlText()}`;
  return `Anything using ${it} stops working: this issuer refuses ${it} at once, and ${pushed}. Revocation cannot be undone.`;
}

function ttlText() {
  const ttl = Number(issuer.status_list_ttl) || 60;
  return ttl < 120 ? count(ttl, "second") : count(Math.round(ttl / 60), "minute");
}

/** "“ci-deploy”" for one token, "2 tokens" for several. */
function named(tokens) {
  return tokens.length === 1 ? quoted(tokens[0].name) : count(tokens.length, "token");
}

function names(tokens) {
  return tokens.length === 1 ? null : h("ul", { class: "names" }, tokens.map((t) => h("li", { text: t.name })));
}

function revoke(tokens) {
  const single = tokens.length === 1;
  const it = single ? "it" : "them";
  const own = tokens.some((t) => t.id === session.me.token_id);
  confirmDialog.ask({
    title: `Revoke ${named(tokens)}?`,
    body: [
      names(tokens),
      h("p", { text: revocationText(it) }),
      own ? h("p", { class: "warning", text: "This includes the token you signed in with: you will be signed out." }) : null,
    ],
    ok: single ? "Revoke" : `Revoke ${count(tokens.length, "token")}`,
    danger: true,
    run: async () => {
      if (single) await session.call("POST", `/v1/tokens/${encodeURIComponent(tokens[0].id)}/revoke`);
      else await session.call("POST", "/v1/tokens/revoke", { ids: tokens.map((t) => t.id) });
      list.clearSelection();
      if (own) return () => signOut("You revoked the token you signed in with. Sign in with another token.");
      announce(`Revoked ${named(tokens)}.`);
      await list.load();
      return null;
    },
  });
}

/** "never expires" or the expiry a rotation gives: now + the token's original lifetime. */
function renewedExpiry(token) {
  if (!token.expires_at) return "it still never expires";
  const lifetime = new Date(token.expires_at) - new Date(token.created_at);
  return `it expires on ${date(daysFromNow(lifetime / 86400000))}`;
}

function rotate(tokens) {
  const single = tokens.length === 1;
  confirmDialog.ask({
    title: `Rotate ${named(tokens)}?`,
    body: [
      names(tokens),
      h("p", {
        text: single
          ? `A new secret replaces this one, with the same name, description, scopes and lifetime (${renewedExpiry(tokens[0])}). You will see the new secret once.`
          : "Each gets a new secret with the same name, description, scopes and lifetime. You will see the new secrets once.",
      }),
      h("p", { text: "Choose when the current secret stops working; anything still using it fails from then on." }),
    ],
    ok: single ? "Rotate" : `Rotate ${count(tokens.length, "token")}`,
    grace: true,
    run: async ({ graceSeconds }) => {
      const grace = graceSeconds ? { grace_period_seconds: graceSeconds } : {};
      const created = single
        ? [await session.call("POST", `/v1/tokens/${encodeURIComponent(tokens[0].id)}/rotate`, grace)]
        : (await session.call("POST", "/v1/tokens/rotate", { ids: tokens.map((t) => t.id), ...grace })).rotated;
      list.clearSelection();
      // Rotating the token this page signed in with: carry on with its successor.
      const successor = created.find((c) => c.rotated_from === session.me.token_id);
      if (successor) {
        session.token = successor.token;
        session.me = await session.call("GET", "/v1/me");
        store(session.token);
        renderWho();
      }
      await list.load();
      announce(`Rotated ${named(tokens)}.`);
      return () =>
        secrets.show(created, {
          title: single ? "Token rotated: copy the new secret" : `${count(created.length, "token")} rotated: copy the new secrets`,
          prefix: issuer.token_prefix,
        });
    },
  });
}

async function openCreate() {
  try {
    const catalog = await session.call("GET", "/v1/scopes");
    createDialog.open(session, catalog);
  } catch (error) {
    announce(error.message);
  }
}

/** Signs in with a portal link's code (`null`: there was none); true when there was one. */
async function enterPortal(code) {
  if (code === null) return false;
  if (session) signOut();
  forget();
  try {
    await enter(await signIn(await exchangePortalCode(code)));
  } catch (error) {
    showSignIn(error.message);
  }
  return true;
}

async function start() {
  try {
    issuer = await call(null, "GET", "/.well-known/gatepass-configuration");
  } catch {
    // Keep the defaults; sign-in will say if the issuer is unreachable.
  }
  byId("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = byId("sign-in-submit");
    button.disabled = true;
    byId("sign-in-error").textContent = "";
    try {
      // Pasting often brings a stray newline or space along; the token itself has none.
      await enter(await signIn(byId("sign-in-token").value.trim()));
    } catch (error) {
      byId("sign-in-error").textContent = error.message;
      byId("sign-in-token").focus();
    } finally {
      button.disabled = false;
    }
  });
  byId("sign-out").addEventListener("click", () => signOut(SIGNED_OUT));
  byId("create-open").addEventListener("click", openCreate);

  // Opened from a product's portal link (also one followed in this tab later): exchange its
  // one-time code for a session.
  window.addEventListener("hashchange", () => enterPortal(takePortalCode()));
  if (await enterPortal(takePortalCode())) return;
  const token = storedToken();
  if (!token) return showSignIn();
  try {
    await enter(await signIn(token));
  } catch (error) {
    forget();
    showSignIn(error.message);
  }
}

start();
