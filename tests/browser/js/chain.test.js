import { asRequest, chainFor, describeChain, valuesUsed } from "/static/js/kit/chain.js";

const login = { label: "Log in", method: "POST", path: "/token", form: { username: "a" }, capture: { token: "json.access_token" } };
const me = { label: "Who am I", method: "GET", path: "/me", headers: { Authorization: "Bearer {{token}}" } };
const item = { label: "Create", method: "POST", path: "/items", capture: { item: "json.id" } };
const both = { label: "Both", method: "GET", path: "/items/{{item}}", query: { as: "{{ token | jwt_alg_none }}" } };
const alone = { label: "Alone", method: "GET", path: "/health" };

export default [
  { name: "no placeholder, no values", run: () => valuesUsed(alone), expected: [] },
  { name: "a header value", run: () => valuesUsed(me), expected: ["token"] },
  { name: "path and query, with filters and spaces", run: () => valuesUsed(both), expected: ["item", "token"] },
  { name: "inside a JSON body, each name once", run: () => valuesUsed({ path: "/", json_body: { a: "{{x}}", b: ["{{x}}", "{{y}}"] } }), expected: ["x", "y"] },
  { name: "a preset alone sends itself", run: () => chainFor([alone], 0), expected: { order: [0], missing: [] } },
  { name: "the capturing preset goes first", run: () => chainFor([login, me], 1), expected: { order: [0, 1], missing: [] } },
  { name: "two values from two presets", run: () => chainFor([login, item, both], 2), expected: { order: [1, 0, 2], missing: [] } },
  { name: "a value nobody captures is missing", run: () => chainFor([me], 0), expected: { order: [0], missing: ["token"] } },
  { name: "only earlier presets count", run: () => chainFor([me, login], 0), expected: { order: [0], missing: ["token"] } },
  { name: "the sentence names the first preset", run: () => describeChain([login, me], 1), expected: "Sends “Log in” first, for {{token}}." },
  { name: "no sentence for a preset alone", run: () => describeChain([login, me], 0), expected: "" },
  { name: "a request without its label", run: () => asRequest(me), expected: { method: "GET", path: "/me", headers: { Authorization: "Bearer {{token}}" } } },
];
