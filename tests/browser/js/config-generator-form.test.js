import { choiceQuery, fileOrder, lintSentence } from "/static/js/widgets/config-generator/form.js";

export default [
  { name: "flags become true and false", run: () => choiceQuery({ workers: "5", healthcheck: true, non_root: false }), expected: "workers=5&healthcheck=true&non_root=false" },
  { name: "missing values are left out", run: () => choiceQuery({ python: "3.12", cores: undefined }), expected: "python=3.12" },
  { name: "the Dockerfile first, the README last", run: () => fileOrder(["README.md", "compose.yaml", "Dockerfile", ".dockerignore"]), expected: ["Dockerfile", "compose.yaml", ".dockerignore", "README.md"] },
  { name: "an unknown file goes last", run: () => fileOrder(["x.txt", "Dockerfile"]), expected: ["Dockerfile", "x.txt"] },
  { name: "a clean verdict", run: () => lintSentence({ available: true, clean: true, version: "2.15.1", findings: [] }), expected: "hadolint 2.15.1: no warnings for this Dockerfile." },
  { name: "one finding", run: () => lintSentence({ available: true, clean: false, version: "2.15.1", findings: [{}] }), expected: "hadolint 2.15.1: 1 finding." },
  { name: "no hadolint", run: () => lintSentence({ available: false, clean: false, findings: [] }).startsWith("hadolint is not installed"), expected: true },
];
