import { strict as assert } from 'node:assert';
import { chartScale, throughputChart } from '../../runner/handout/chart.ts';

const rects = (svg: string): number[] => [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
const ticks = (svg: string): string[] => [...svg.matchAll(/class="tick" text-anchor="middle">([^<]*)</g)].map((m) => m[1]);

describe('handout throughput chart scale', () => {
  it('values within a factor of 20: linear from 0, not labelled log', () => {
    const svg = throughputChart([{ label: 'a', bps: 9e8, ok: true }, { label: 'b', bps: 1e8, ok: true }]);
    assert.doesNotMatch(svg, /log scale/);
    assert.deepEqual(ticks(svg), ['0', '0.25', '0.5', '0.75', '1 Gbit/s']);
    const [a, b] = rects(svg);
    assert.ok(Math.abs(a / b - 9) < 0.05, `bars in proportion: ${a} / ${b}`);
  });
  it('values spanning orders of magnitude: log axis, one tick per decade, labelled so', () => {
    const svg = throughputChart([{ label: 'underlay', bps: 9.4e9, ok: true }, { label: 'shaped', bps: 9.5e6, ok: true, minBps: 8e6 }]);
    assert.match(svg, /<title>iperf3 throughput \(median of the runs\) — log scale<\/title>/);
    assert.deepEqual(ticks(svg), ['1 Mbit/s', '10 Mbit/s', '100 Mbit/s', '1 Gbit/s', '10 Gbit/s']);
    const [big, small] = rects(svg);
    // linear, the 9.5 Mbit/s bar would be 0.1 % of the 9.4 Gbit/s one; on the log axis it is about a quarter of the way
    assert.ok(small / big > 0.2 && small / big < 0.3, `${small} / ${big}`);
  });
  it('the switch is at a span of 20; zero values do not count', () => {
    assert.equal(chartScale([1e6, 20e6]).log, false);
    assert.equal(chartScale([1e6, 21e6]).log, true);
    assert.equal(chartScale([0, 5e6]).log, false);
    assert.equal(chartScale([0]).log, false);
    assert.equal(chartScale([1e6, 21e6]).at(0), 0);
  });
});
