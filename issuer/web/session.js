// The signed-in token: kept in this tab's session storage only (never local storage, never a
// cookie), so closing the tab or "Sign out" forgets it.

import { ApiError, call } from "./api.js";

const KEY = "gatepass.token";
// A portal session (opened by the product the person is signed in to): where to go back to.
const PORTAL_KEY = "gatepass.portal";
const READ_SCOPES = ["tokens:read", "tokens:write", "tokens:admin"];

/** The stored token, or null. */
export function storedToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** Remembers `token` for this tab. */
export function store(token) {
  sessionStorage.setItem(KEY, token);
}

/** Forgets the token (and the portal it came from). */
export function forget() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(PORTAL_KEY);
}

/** The product this tab's session came from: `{ returnUrl, productName }`, or null. */
export function storedPortal() {
  try {
    const value = JSON.parse(sessionStorage.getItem(PORTAL_KEY) || "null");
    return value && typeof value.returnUrl === "string" ? value : null;
  } catch {
    return null;
  }
}

/**
 * Takes the one-time code of a portal link (`#portal=…`) out of the address bar at once, so it
 * stays in no history entry, bookmark or screenshot. Returns the code, or null.
 */
export function takePortalCode() {
  const match = /^#portal=([A-Za-z0-9_-]{1,100})$/.exec(location.hash);
  if (!location.hash.startsWith("#portal=")) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return match ? match[1] : "";
}

/**
 * Exchanges a portal code for a session (once; the issuer refuses a second use). Resolves to
 * the session token, or rejects with an Error saying, for people, what to do.
 */
export async function exchangePortalCode(code) {
  let session;
  try {
    session = await call(null, "POST", "/v1/portal-sessions/exchange", { code });
  } catch (error) {
    const back = "Go back to the product and open the token settings again.";
    if (error instanceof ApiError && error.code === "portal_code_used") throw new Error(`This link was used already. ${back}`);
    if (error instanceof ApiError && error.code === "portal_code_expired") throw new Error(`This link has expired. ${back}`);
    if (error instanceof ApiError && error.status === 404) throw new Error(`This link is not valid. ${back}`);
    throw new Error(explain(error));
  }
  sessionStorage.setItem(
    PORTAL_KEY,
    JSON.stringify({ returnUrl: session.return_url, productName: session.product_name || "the product", productUrl: session.product_url || null }),
  );
  return session.token;
}

/** What went wrong with a token, for people. */
export function explain(error) {
  if (!(error instanceof ApiError)) return String(error.message || error);
  if (error.status === 0) return error.message;
  if (error.status !== 401) return error.message;
  switch (error.tokenCode) {
    case "expired":
      return "This token has expired. Create a new one, or ask an admin to.";
    case "revoked":
      return "This token has been revoked.";
    case "malformed":
      return "That is not a gatepass token. Paste the whole token, including its prefix.";
    case "bad_signature":
    case "unknown_key":
    case "unsupported_algorithm":
      return "This token was not signed by this issuer.";
    case "wrong_issuer":
      return "This token belongs to another gatepass issuer.";
    case "not_yet_valid":
      return "This token is not valid yet. Check this computer's clock.";
    case "status_unavailable":
      return "The issuer cannot check revocations right now. Try again in a moment.";
    default:
      return error.problem.detail === "this token is not known to the issuer"
        ? "This issuer does not know this token."
        : `This token was not accepted: ${error.message}`;
  }
}

/** The signed-in person: their token and what `/v1/me` says of it. */
export class Session {
  constructor(token, me) {
    this.token = token;
    this.me = me;
    /** Called with the ApiError when the issuer stops accepting this session's token. */
    this.onUnauthorized = null;
  }

  /** Holds `scope` (scopes are already expanded by the issuer). */
  has(scope) {
    return this.me.scopes.includes(scope);
  }

  get isAdmin() {
    return this.has("tokens:admin");
  }

  get canWrite() {
    return this.has("tokens:write");
  }

  /** Calls the API as this session; a 401 (the token expired or was revoked) also ends it. */
  async call(method, path, body) {
    try {
      return await call(this.token, method, path, body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.onUnauthorized?.(error);
      throw error;
    }
  }
}

/**
 * Checks `token` with `/v1/me`. Resolves to a Session, or rejects with an Error whose message
 * says, for people, why the token cannot be used here.
 */
export async function signIn(token) {
  if (!token) throw new Error("Paste a token first.");
  let me;
  try {
    me = await call(token, "GET", "/v1/me");
  } catch (error) {
    throw new Error(explain(error));
  }
  if (!READ_SCOPES.some((s) => me.scopes.includes(s))) {
    const held = me.scopes.length ? me.scopes.join(", ") : "none";
    throw new Error(`This token cannot manage tokens: it needs the tokens:read scope or more (its scopes: ${held}).`);
  }
  return new Session(token, me);
}
