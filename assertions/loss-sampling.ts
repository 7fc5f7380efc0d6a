/**
 * How many probes a lower bound on loss needs (ping's `min-loss`).
 *
 * Loss is random: of N packets on a link that loses p, the number lost is binomial(N, p). A test that asks for at
 * least m % lost fails on a link that does lose, whenever chance lost fewer than N·m/100. The yardstick here is a
 * link losing twice what is asked (loss: 20 % checked with min-loss: 10 %, the advice in the README; above 33 %,
 * halfway between what is asked and 100 %): the count is enough when such a link fails the test at most once in a
 * hundred runs.
 */

/** The chance of a wrong failure the count must stay under. */
export const MISS_RISK = 0.01;
/** The largest count ping's schema allows. */
export const MAX_COUNT = 1000;

const logFact: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFact.length; i <= n; i++) logFact[i] = logFact[i - 1] + Math.log(i);
  return logFact[n];
}

/** P(binomial(n, p) < k), summed in log space so that large counts do not underflow. */
export function binomialBelow(n: number, p: number, k: number): number {
  if (p <= 0) return k > 0 ? 1 : 0;
  if (p >= 1) return k > n ? 1 : 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let sum = 0;
  for (let x = 0; x < k && x <= n; x++) sum += Math.exp(logFactorial(n) - logFactorial(x) - logFactorial(n - x) + x * lp + (n - x) * lq);
  return Math.min(1, sum);
}

/** The loss of the yardstick link, percent: twice `minLossPct`, at most halfway from it to 100. */
export function yardstickLoss(minLossPct: number): number {
  return Math.min(2 * minLossPct, (minLossPct + 100) / 2);
}

/** The chance that `count` pings over the yardstick link show less than `minLossPct` lost. */
export function missRisk(count: number, minLossPct: number): number {
  const p = yardstickLoss(minLossPct) / 100;
  // lost/count·100 < m  ⇔  lost < count·m/100: the smallest passing number of lost packets is ceil(count·m/100)
  const needed = Math.ceil((count * minLossPct) / 100 - 1e-9);
  return binomialBelow(count, p, needed);
}

/**
 * The smallest count from which every larger count (up to ping's limit) keeps the risk under MISS_RISK, or
 * undefined when even the limit does not. (The risk does not fall smoothly: the threshold moves by whole packets.)
 */
export function countNeeded(minLossPct: number): number | undefined {
  if (minLossPct <= 0) return 1;
  let needed: number | undefined;
  for (let n = MAX_COUNT; n >= 1; n--) {
    if (missRisk(n, minLossPct) > MISS_RISK) break;
    needed = n;
  }
  return needed;
}
