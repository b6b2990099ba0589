import { sensitivity } from "/static/js/widgets/response-filter/secrets.js";

const table = [
  ["hashed_password", "x", "password hash"],
  ["password", "hunter2", "password"],
  ["api-key", "k", "secret"],
  ["is_admin", true, "role or permission"],
  ["roles", ["a"], "role or permission"],
  ["username", "alice", null],
  ["note", "$argon2id$v=19$m=65536,t=3,p=4$abc$def", "looks like a password hash"],
  ["note", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig", "looks like a signed token"],
  ["note", "-----BEGIN RSA PRIVATE KEY-----", "looks like a private key"],
  ["email", "alice@example.com", null],
];

export default table.map(([key, value, expected]) => ({
  name: `${key}: ${JSON.stringify(value).slice(0, 30)}`,
  run: () => sensitivity(key, value),
  expected,
}));
