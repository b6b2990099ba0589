// What one step of the JWT flow means, in sentences: the status against what a correct app
// answers, the token's times as people read them, and what the app's jwt.decode said.
// Pure functions: no DOM.

/** "in 30 min", "5 s ago", "in 2 h 5 min": `seconds` from the app's now to a moment. */
export function relative(seconds) {
  const ahead = seconds >= 0;
  let left = Math.round(Math.abs(seconds));
  const parts = [];
  for (const [size, unit] of [[86400, "d"], [3600, "h"], [60, "min"], [1, "s"]]) {
    if (left >= size && parts.length < 2) {
      parts.push(`${Math.floor(left / size)} ${unit}`);
      left %= size;
    }
  }
  const span = parts.length ? parts.join(" ") : "0 s";
  return ahead ? `in ${span}` : `${span} ago`;
}

/** "2026-12-02 14:05:00 UTC" from an ISO time the sandbox wrote (or null). */
export function readableTime(iso) {
  if (!iso) return null;
  return iso.replace("T", " ").replace(/(\.\d+)?Z$/, " UTC");
}

/** The times of a token's payload, each {claim, text}, relative to the app's clock `now`. */
export function tokenTimes(token, now) {
  const lines = [];
  if (!token || !token.payload) return lines;
  const { exp, iat } = token.payload;
  if (typeof iat === "number") lines.push({ claim: "iat", text: `issued ${readableTime(token.issued_at)}` });
  if (typeof exp === "number") {
    let text = `expires ${readableTime(token.expires_at)}`;
    if (typeof iat === "number") text += `, ${relative(exp - iat).replace(/^in /, "")} after it was issued`;
    if (typeof now === "number") text += ` (${exp > now ? "still valid" : "expired"} by the app's clock: ${relative(exp - now)})`;
    lines.push({ claim: "exp", text });
  } else {
    lines.push({ claim: "exp", text: "no exp claim: this token never expires" });
  }
  return lines;
}

/** What the app's PyJWT calls said while handling the request, one sentence each. */
export function pyjwtSaid(calls) {
  return (calls || []).map((call) => {
    const algorithms = call.algorithms.join(", ") || "no algorithm given";
    if (call.function === "encode") {
      if (call.raised) return { ok: false, text: `jwt.encode failed: ${call.raised}: ${call.message}` };
      return { ok: true, text: `jwt.encode signed the claims with ${algorithms}.` };
    }
    if (call.raised) return { ok: false, text: `jwt.decode (accepting ${algorithms}) refused the token: ${call.raised}: ${call.message}` };
    if (!call.verified) return { ok: false, text: "jwt.decode read the token without checking its signature: anybody could have written it." };
    const sub = call.claims && call.claims.sub !== undefined ? ` (sub: ${JSON.stringify(call.claims.sub)})` : "";
    return { ok: true, text: `jwt.decode (accepting ${algorithms}) checked the signature and the expiry, and accepted the token${sub}.` };
  });
}

/** What the request sent as credentials, in a sentence. */
export function sentText(sent) {
  if (!sent || sent.header === null) return "No Authorization header was sent.";
  if (sent.scheme) return `The Authorization header uses the ${sent.scheme} scheme, not Bearer.`;
  const token = sent.token;
  if (token.problem) return `The bearer token is no readable JWT. ${token.problem}`;
  return `A bearer token of ${token.length} characters was sent.`;
}

/**
 * How the step went against what a correct app answers: {ok, text}. A 5xx is always wrong: a
 * bad token must be refused, never crash the app.
 */
export function verdict(expect, response) {
  if (!response) return { ok: false, text: "This step has no response." };
  if (response.skipped) return { ok: false, text: response.skipped };
  const status = response.status;
  if (status === expect) return { ok: true, text: `Answered ${status}, as a correct app does.` };
  if (status >= 500) return { ok: false, text: `Answered ${status}: your app crashed instead of answering ${expect}. The Output below shows where.` };
  if (expect === 401 && status < 300) return { ok: false, text: `Answered ${status}: your app let this request in. A correct app refuses it with 401.` };
  return { ok: false, text: `Answered ${status}; a correct app answers ${expect}.` };
}

/** The WWW-Authenticate challenge of a response, or null. */
export function challenge(response) {
  const found = ((response && response.headers) || []).find(([name]) => name.toLowerCase() === "www-authenticate");
  return found ? found[1] : null;
}
