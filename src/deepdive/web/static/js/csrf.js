// The CSRF token is a signed value the server sets in a cookie; every state-changing request echoes
// it in a header, which another site cannot do.
const COOKIE = "deepdive_csrf";

export function csrfToken() {
  const match = document.cookie.split("; ").find((part) => part.startsWith(COOKIE + "="));
  return match ? decodeURIComponent(match.slice(COOKIE.length + 1)) : "";
}

/** fetch() with the CSRF header and JSON handling; throws an Error with a readable message. */
export async function postJSON(url, body, { signal } = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken(), Accept: "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
    signal,
  });
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    /* not JSON */
  }
  if (!response.ok) {
    const message = (data && (data.message || (typeof data.detail === "string" && data.detail))) ||
      `The server answered ${response.status} ${response.statusText}.`;
    const error = new Error(message);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}
