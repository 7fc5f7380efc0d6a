import { strict as assert } from 'node:assert';
import { binomialBelow, countNeeded, MAX_COUNT, MISS_RISK, missRisk, yardstickLoss } from '../../../assertions/loss-sampling.ts';

describe('loss sampling (ping min-loss)', () => {
  it('binomial tail: small exact cases and large counts without underflow', () => {
    assert.ok(Math.abs(binomialBelow(3, 0.1, 1) - 0.9 ** 3) < 1e-12);
    assert.ok(Math.abs(binomialBelow(20, 0.2, 2) - (0.8 ** 20 + 20 * 0.2 * 0.8 ** 19)) < 1e-12);
    assert.equal(binomialBelow(5, 0, 1), 1);
    assert.equal(binomialBelow(5, 1, 5), 0);
    const big = binomialBelow(1000, 0.9, 1001);
    assert.ok(Math.abs(big - 1) < 1e-9, `the whole distribution sums to 1, not ${big}`);
  });
  it('the yardstick loses twice what is asked, at most halfway to 100%', () => {
    assert.equal(yardstickLoss(10), 20);
    assert.equal(yardstickLoss(60), 80);
  });
  it('3 pings cannot tell 5% loss; the count needed keeps every larger count under the risk', () => {
    assert.ok(missRisk(3, 5) > 0.7);
    for (const m of [1, 5, 10, 25]) {
      const n = countNeeded(m)!;
      assert.ok(n > 1 && n <= MAX_COUNT, `min-loss ${m}: ${n}`);
      assert.ok(missRisk(n - 1, m) > MISS_RISK, `min-loss ${m}: ${n - 1} is too few`);
      for (let c = n; c <= MAX_COUNT; c += 7) assert.ok(missRisk(c, m) <= MISS_RISK, `min-loss ${m}, count ${c}`);
    }
    assert.equal(countNeeded(0.5), undefined);
    assert.equal(countNeeded(10), 83);
  });
});
