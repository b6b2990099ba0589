import { batchDelays, idealTotals, scheduled } from "/static/js/widgets/async-timeline/ideal.js";

const five = { delays_ms: [200, 230, 260, 290, 320], repeat: 1, ideal: "overlap" };
const fifty = { delays_ms: [250], repeat: 50, ideal: "pool" };

export default [
  { name: "five delays overlap to the longest", run: () => idealTotals(five).overlap, expected: 320 },
  { name: "five delays in a row add up", run: () => idealTotals(five).serial, expected: 1300 },
  { name: "fifty on forty threads take two rounds", run: () => idealTotals(fifty).pool, expected: 500 },
  { name: "fifty on eighty threads take one round", run: () => idealTotals(fifty, 80).pool, expected: 250 },
  { name: "repeat sends every delay again", run: () => batchDelays({ delays_ms: [1, 2], repeat: 2 }), expected: [1, 2, 1, 2] },
  { name: "one worker runs jobs in a row", run: () => scheduled([100, 50, 25], 1), expected: 175 },
  { name: "no delays, no ideal", run: () => idealTotals({ delays_ms: [], repeat: 1, ideal: "none" }).expected, expected: "none" },
];
