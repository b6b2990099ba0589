// The generator's form as query parameters: pure, no network.

const FLAGS = ["healthcheck", "non_root", "multi_stage", "dockerignore"];

/** The form's values ({name: value}; checkboxes as booleans) as a query string. */
export function choiceQuery(values) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (FLAGS.includes(name)) params.set(name, value ? "true" : "false");
    else if (value !== undefined && value !== null) params.set(name, String(value));
  }
  return params.toString();
}

/** The order the generated files are shown in. */
export function fileOrder(names) {
  const order = ["Dockerfile", "compose.yaml", ".dockerignore", "gunicorn.conf.py", "requirements.txt", "README.md"];
  return [...names].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
}

/** hadolint's verdict as one sentence. */
export function lintSentence(lint) {
  if (!lint.available) return "hadolint is not installed on this server, so this Dockerfile was not linted.";
  if (lint.clean) return `hadolint ${lint.version}: no warnings for this Dockerfile.`;
  const count = lint.findings.length;
  return `hadolint ${lint.version}: ${count} finding${count === 1 ? "" : "s"}.`;
}
