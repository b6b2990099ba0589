// Counting test outcomes the way pytest's last line does ("3 passed, 1 failed"), without DOM.

export const OUTCOME_WORDS = {
  passed: "passed",
  failed: "failed",
  error: "error",
  skipped: "skipped",
  xfailed: "xfailed",
  xpassed: "xpassed",
};

const ORDER = ["failed", "error", "passed", "skipped", "xfailed", "xpassed"];

/** `caseSummary([{outcome: "passed"}, {outcome: "failed"}])` → "1 failed, 1 passed". */
export function caseSummary(cases) {
  const counts = new Map();
  for (const testCase of cases) counts.set(testCase.outcome, (counts.get(testCase.outcome) || 0) + 1);
  const parts = ORDER.filter((outcome) => counts.has(outcome)).map((outcome) => {
    const count = counts.get(outcome);
    return `${count} ${outcome === "error" && count > 1 ? "errors" : outcome}`;
  });
  return parts.join(", ") || "no tests";
}
