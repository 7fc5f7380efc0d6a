/** The run context's traces of one lab run one at a time (runner/lab/test.ts): two at once would see each other. */
import { strict as assert } from 'node:assert';
import { oneAtATime } from '../../runner/lab/test.ts';
import type { FlowRequest, TraceReport } from '../../runner/model/trace.ts';
import { reportOf, routedWalk } from './assertions/walks.ts';

describe('lab test: one trace at a time', () => {
  it('a second trace starts when the first has ended, even when the first fails', async () => {
    const log: string[] = [];
    const ends: (() => void)[] = [];
    const trace = oneAtATime((req: FlowRequest) => {
      log.push(`start ${req.from}`);
      return new Promise<TraceReport>((resolve, reject) => ends.push(() => (req.from === 'a' ? reject(new Error('no')) : resolve(reportOf(routedWalk())))));
    });
    const a = trace({ from: 'a', to: 'x' });
    const b = trace({ from: 'b', to: 'x' });
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(log, ['start a']);
    ends[0]();
    await assert.rejects(a, /no/);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(log, ['start a', 'start b']);
    ends[1]();
    assert.ok((await b).kernel);
  });

  it('a trace that must wait says so at once, and says when it starts', async () => {
    const said: string[] = [];
    let end!: () => void;
    const trace = oneAtATime((req: FlowRequest) => (req.from === 'a' ? new Promise<TraceReport>((r) => (end = () => r(reportOf(routedWalk())))) : Promise.resolve(reportOf(routedWalk()))));
    const a = trace({ from: 'a', to: 'x' }, { onWait: () => said.push('a waits'), onStart: () => said.push('a starts') });
    const b = trace({ from: 'b', to: 'x' }, { onWait: () => said.push('b waits'), onStart: () => said.push('b starts') });
    assert.deepEqual(said, ['b waits']);
    await new Promise((r) => setTimeout(r, 10));
    end();
    await Promise.all([a, b]);
    assert.deepEqual(said, ['b waits', 'a starts', 'b starts']);
    await trace({ from: 'c', to: 'x' }, { onWait: () => said.push('c waits') });
    assert.ok(!said.includes('c waits'), 'nothing runs: no wait');
  });

  it('a caller that gives up frees the turn, and its own trace never starts', async () => {
    const log: string[] = [];
    const trace = oneAtATime((req: FlowRequest) => {
      log.push(req.from);
      return req.from === 'stuck' ? new Promise<TraceReport>(() => undefined) : Promise.resolve(reportOf(routedWalk()));
    });
    const stop = new AbortController();
    void trace({ from: 'stuck', to: 'x' }, { signal: stop.signal });
    const gaveUp = new AbortController();
    gaveUp.abort();
    const skipped = trace({ from: 'skipped', to: 'x' }, { signal: gaveUp.signal });
    const next = trace({ from: 'next', to: 'x' });
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(log, ['stuck']);
    stop.abort();
    await assert.rejects(skipped, /given up before its turn/);
    assert.ok((await next).kernel);
    assert.deepEqual(log, ['stuck', 'next']);
  });
});
