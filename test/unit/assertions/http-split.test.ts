/**
 * The http assertion's many requests and split (issue 13.3): curl's argv, the globbed URL, real curl output of
 * many transfers (captured in labs/k8s-canary: through the sidecar to reviews-lean, 20 requests; with
 * x-canary: yes, 5; to a closed port, 3), the judge, and the binomial tolerance.
 */
import { strict as assert } from 'node:assert';
import { curlManyArgv, http, judgeHttpMany, type HttpParams } from '../../../assertions/http.ts';
import { defaultTolerance, globbedUrl, judgeSplit, outsideBand, parseManyCurl, requestsForTolerance, splitRisk } from '../../../assertions/http-split.ts';
import { binomialBelow } from '../../../assertions/loss-sampling.ts';
import { errors, fixture, resolveCtx } from './helpers.ts';

const v90 = [{ version: 'v1', share: 0.9 }, { version: 'v2', share: 0.1 }];
const base: HttpParams = { from: 'client', url: 'http://10.96.0.12/', shown: 'http://10.96.0.12/', method: 'GET', status: 200, headers: [], timeoutMs: 5000 };

describe('http: many requests and the split by version', () => {
  it('one curl, the URL globbed N times in its query, request headers with -H, the %{json} line after each answer', () => {
    assert.equal(globbedUrl('http://10.96.0.11/', 200), 'http://10.96.0.11/?n=[1-200]');
    assert.equal(globbedUrl('http://h2:8080/p?x=1', 3), 'http://h2:8080/p?x=1&n=[1-3]');
    assert.equal(globbedUrl('http://h2/', 1), 'http://h2/');
    assert.deepEqual(curlManyArgv({ ...base, requests: 5, sendHeaders: [{ name: 'x-canary', value: 'yes' }] }), ['curl', '-sS', '--max-time', '5', '-H', 'x-canary: yes', '-w', '\\n%{json}\\n', 'http://10.96.0.12/?n=[1-5]']);
    assert.deepEqual(curlManyArgv({ ...base, requests: 5 }, false), ['curl', '-sS', '--max-time', '5', 'http://10.96.0.12/?n=[1-5]']);
  });

  it('splits real curl output of many transfers into answers with their version and pod', () => {
    const a = parseManyCurl(fixture('http-split-sidecar').stdout);
    assert.equal(a.length, 20);
    assert.deepEqual(new Set(a.map((x) => x.pod)), new Set(['reviews-lean-v1', 'reviews-lean-v2']));
    assert.equal(a.filter((x) => x.version === 'v1').length, 17);
    assert.equal(a.filter((x) => x.version === 'v2').length, 3);
    assert.ok(a.every((x) => x.summary.response_code === 200 && x.summary.exitcode === 0));
    const refused = parseManyCurl(fixture('http-split-refused').stdout);
    assert.deepEqual(refused.map((x) => [x.summary.exitcode, x.version]), [[7, undefined], [7, undefined], [7, undefined]]);
  });

  it('judges the split within the tolerance and shows the measured one', () => {
    const header = judgeHttpMany({ ...base, requests: 5, split: [{ version: 'v2', share: 1 }], tolerance: 0.001 }, fixture('http-split-header'));
    assert.equal(header.ok, true, header.seen);
    assert.equal(header.seen, '5 of 5 answered 200; split v2 100% (5) from 1 pod');
    // 17/3 of 20 is within ±16 points of 90/10, not within ±2
    const wide = judgeHttpMany({ ...base, requests: 20, split: v90, tolerance: 0.16 }, fixture('http-split-sidecar'));
    assert.equal(wide.ok, true, wide.seen);
    assert.equal(wide.seen, '20 of 20 answered 200; split v1 85% (17), v2 15% (3) from 2 pods');
    const tight = judgeHttpMany({ ...base, requests: 20, split: v90, tolerance: 0.02, toleranceWritten: true }, fixture('http-split-sidecar'));
    assert.equal(tight.ok, false);
    assert.match(tight.seen, /^v1 got 85%, not 90% ± 2%; v2 got 15%, not 10% ± 2% — 20 of 20 answered 200; split v1 85% \(17\), v2 15% \(3\)/);
    assert.match(tight.expected, /^20 × GET http:\/\/10\.96\.0\.12\/ from client: status 200 every time, answered v1 90% \/ v2 10% ±2% each$/);
    // a 50/50 split of the same answers fails, a split that names only v1 too
    assert.equal(judgeHttpMany({ ...base, requests: 20, split: [{ version: 'v1', share: 0.5 }, { version: 'v2', share: 0.5 }], tolerance: 0.2 }, fixture('http-split-sidecar')).ok, false);
    assert.match(judgeSplit(parseManyCurl(fixture('http-split-sidecar').stdout), [{ version: 'v1', share: 1 }], 0.2).problems.join(), /3 answers from version v2, which the split does not name/);
  });

  it('fails on requests without a response, and on answers with another status', () => {
    const o = judgeHttpMany({ ...base, requests: 3, split: v90, tolerance: 0.5 }, fixture('http-split-refused'));
    assert.equal(o.ok, false);
    assert.match(o.seen, /^3 of 3 requests got no response \(Failed to connect to 10\.244\.0\.3 port 81 after 0 ms: Couldn't connect to server\)/);
    assert.match(judgeHttpMany({ ...base, requests: 20, status: 404 }, fixture('http-split-sidecar')).seen, /^20 of 20 answers had status 200, not 404/);
    assert.match(judgeHttpMany({ ...base, requests: 40 }, fixture('http-split-sidecar')).seen, /^curl reported 20 of 40 requests/);
  });

  it('the tolerance is binomial: outsideBand sums both tails exactly', () => {
    // n=10, p=0.5, ±1 around 5: outside is X ≤ 3 or X ≥ 7
    const exact = binomialBelow(10, 0.5, 4) * 2;
    assert.ok(Math.abs(outsideBand(10, 0.5, 1) - exact) < 1e-12);
    assert.equal(outsideBand(50, 1, 0), 0, 'a share of 100% never strays');
    // two versions miss together: counted once
    assert.ok(Math.abs(splitRisk(400, v90, 0.05) - outsideBand(400, 0.9, 20)) < 1e-12);
  });

  it('the default tolerance keeps a true split\'s chance of failing under 1/1000, and is the smallest such (0.1 point steps)', () => {
    for (const [n, shares, t] of [[400, v90, 0.05], [200, v90, 0.07], [400, [{ version: 'a', share: 0.5 }, { version: 'b', share: 0.5 }], 0.083]] as const) {
      assert.equal(defaultTolerance(n, shares), t, `n=${n}`);
      assert.ok(splitRisk(n, shares, t) <= 0.001);
      assert.ok(splitRisk(n, shares, t - 0.001) > 0.001);
    }
    // at the default 90/10 tolerance of 400 requests, a 50/50 split cannot pass
    assert.ok(Math.abs(0.5 - 0.9) > defaultTolerance(400, v90));
    assert.equal(requestsForTolerance(v90, 0.05), 250);
    assert.equal(requestsForTolerance(v90, 0.001), undefined);
  });

  it('resolves requests, split (default 400 requests, the binomial tolerance), tolerance and headers; refuses a split not adding up to 100%', () => {
    const ctx = resolveCtx();
    const r = http.resolve({ from: 'h1', url: 'http://10.0.0.2/', headers: { 'x-canary': 'yes' }, split: { v1: '90%', v2: 10 } }, ctx);
    assert.deepEqual(errors(r.diagnostics), []);
    assert.equal(r.params?.requests, 400);
    assert.deepEqual(r.params?.split, v90);
    assert.equal(r.params?.tolerance, 0.05);
    assert.deepEqual(r.params?.sendHeaders, [{ name: 'x-canary', value: 'yes' }]);
    const bad = http.resolve({ from: 'h1', url: 'http://10.0.0.2/', split: { v1: '90%', v2: '20%' } }, resolveCtx());
    assert.match(errors(bad.diagnostics)[0].message, /http\.split adds up to 110%, not 100%/);
    const loose = http.resolve({ from: 'h1', url: 'http://10.0.0.2/', requests: 100, split: { v1: '90%', v2: '10%' }, tolerance: '1%' }, resolveCtx());
    assert.deepEqual(errors(loose.diagnostics), []);
    assert.match(loose.diagnostics.find((d) => d.severity === 'warning')!.message, /with 100 requests, a true 90%\/10% split misses ±1% in about 61\.8% of runs \(binomial\)/);
    const noSplit = http.resolve({ from: 'h1', url: 'http://10.0.0.2/', tolerance: '5%' }, resolveCtx());
    assert.match(errors(noSplit.diagnostics)[0].message, /tolerance needs a split/);
    const one = http.resolve({ from: 'h1', url: 'http://10.0.0.2/' }, resolveCtx());
    assert.equal(one.params?.requests, undefined, 'a single request stays the plain http test');
  });
});
