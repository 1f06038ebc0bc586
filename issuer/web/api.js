// The management API (docs/api.md), as the signed-in person. Only this module calls fetch.

/** A failed call: the HTTP status (0 when the issuer was unreachable) and its problem+json. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    // `urn:gatepass:problem:<code>`
    this.code = String(problem.type || "").split(":").pop() || "unknown";
    // For 401s: why the token was refused (`expired`, `revoked`, …).
    this.tokenCode = problem.code || null;
    this.fields = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

/**
 * Calls the API with `token`; resolves to the parsed JSON body or rejects with ApiError.
 * `path` ("/v1/me") is resolved against the page's own address, so an issuer published under a
 * path prefix behind a proxy (the page at https://example.com/gatepass/) calls its own API.
 */
export async function call(token, method, path, body) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path.replace(/^\//, ""), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
  } catch {
    throw new ApiError(0, { title: "Unreachable", detail: "The issuer could not be reached. Check that it is running, then try again." });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, data && typeof data === "object" ? data : { detail: `The issuer answered HTTP ${response.status}.` });
  }
  return data;
}

/** The claims of a token, read (not verified) for display: `iss` and `aud` for the snippets. */
export function peekClaims(token, prefix) {
  try {
    const jws = prefix && token.startsWith(prefix) ? token.slice(prefix.length) : token;
    const payload = jws.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}
