// Which fields of a response a client should never have seen. A name or a value is enough to
// raise the flag: the point is to make a leak impossible to overlook, not to prove one.

const BY_NAME = [
  [/hash|salt/i, "password hash"],
  [/passw(or)?d|passphrase|^pwd$/i, "password"],
  [/secret|token|api_?key|private_?key|credential|otp|session_?id/i, "secret"],
  [/^(is_)?(admin|superuser|staff)$|^roles?$|^permissions?$|^scopes?$/i, "role or permission"],
];
const BY_VALUE = [
  [/^\$(argon2(id|i|d)|2[abxy]?|pbkdf2[\w-]*|scrypt|[156])\$/, "looks like a password hash"],
  [/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*$/, "looks like a signed token"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "looks like a private key"],
];

/** Why `key: value` is sensitive, or null. */
export function sensitivity(key, value) {
  const name = String(key).replace(/-/g, "_");
  for (const [pattern, reason] of BY_NAME) if (pattern.test(name)) return reason;
  if (typeof value === "string") {
    for (const [pattern, reason] of BY_VALUE) if (pattern.test(value)) return reason;
  }
  return null;
}
