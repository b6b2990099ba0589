// The reference totals a batch is compared with, worked out from its delays alone. They are only
// references: what the widget reports as "measured" always comes from the sandbox's timeline.

export const POOL_THREADS = 40;

/** Every request's delay, in the order the batch sends them. */
export function batchDelays(batch) {
  const out = [];
  for (let i = 0; i < (batch.repeat || 1); i += 1) out.push(...batch.delays_ms);
  return out;
}

/** The finish time of the last of `delays` run on `slots` workers, each taking the next job. */
export function scheduled(delays, slots) {
  const free = new Array(Math.max(1, slots)).fill(0);
  let last = 0;
  for (const delay of delays) {
    let soonest = 0;
    for (let i = 1; i < free.length; i += 1) if (free[i] < free[soonest]) soonest = i;
    free[soonest] += delay;
    last = Math.max(last, free[soonest]);
  }
  return last;
}

/** `{overlap, serial, pool}` in ms (null without delays), and which one the batch expects. */
export function idealTotals(batch, threadLimit = POOL_THREADS) {
  const delays = batchDelays(batch);
  if (!delays.length) return { overlap: null, serial: null, pool: null, expected: "none" };
  return {
    overlap: Math.max(...delays),
    serial: delays.reduce((a, b) => a + b, 0),
    pool: scheduled(delays, threadLimit || POOL_THREADS),
    expected: batch.ideal,
  };
}
