import { caseSummary } from "/static/js/widgets/test-runner/summary.js";

const cases = (...outcomes) => outcomes.map((outcome) => ({ outcome }));

export default [
  { name: "nothing yet", run: () => caseSummary([]), expected: "no tests" },
  { name: "all passed", run: () => caseSummary(cases("passed", "passed")), expected: "2 passed" },
  { name: "failures first, as pytest says it", run: () => caseSummary(cases("passed", "failed", "passed")), expected: "1 failed, 2 passed" },
  { name: "errors counted apart", run: () => caseSummary(cases("error", "error", "passed")), expected: "2 errors, 1 passed" },
  { name: "one error", run: () => caseSummary(cases("error")), expected: "1 error" },
  { name: "skips and expected failures", run: () => caseSummary(cases("skipped", "xfailed", "xpassed")), expected: "1 skipped, 1 xfailed, 1 xpassed" },
];
