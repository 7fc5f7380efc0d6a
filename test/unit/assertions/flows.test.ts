/** The flows the plain reachability assertions send (issue 12): what a failure's explanation traces. */
import { strict as assert } from 'node:assert';
import { http } from '../../../assertions/http.ts';
import { ping } from '../../../assertions/ping.ts';
import { tcp } from '../../../assertions/tcp.ts';
import { resolveCtx } from './helpers.ts';

describe('flows of ping, tcp and http', () => {
  it('ping: icmp to the address pinged', () => {
    assert.deepEqual(ping.flows!(ping.resolve({ from: 'h1', to: 'h2:eth1' }, resolveCtx()).params!), [{ from: 'h1', to: 'fd00::2', proto: 'icmp' }]);
  });
  it('tcp: to the address and port connected to', () => {
    assert.deepEqual(tcp.flows!(tcp.resolve({ from: 'h1', to: 'web', port: 8080 }, resolveCtx()).params!), [{ from: 'h1', to: '10.0.1.5', proto: 'tcp', port: 8080 }]);
  });
  it('http: to the address the URL stands for (its node’s, or the one in it), on its port (80 by default)', () => {
    const flow = (raw: Record<string, unknown>) => http.flows!(http.resolve({ from: 'h1', ...raw }, resolveCtx()).params!);
    assert.deepEqual(flow({ url: 'http://web:8080/x' }), [{ from: 'h1', to: '10.0.1.5', proto: 'tcp', port: 8080 }]);
    assert.deepEqual(flow({ url: 'http://10.0.0.2/' }), [{ from: 'h1', to: '10.0.0.2', proto: 'tcp', port: 80 }]);
    assert.deepEqual(flow({ url: 'http://[fd00::2]:81/' }), [{ from: 'h1', to: 'fd00::2', proto: 'tcp', port: 81 }]);
    assert.deepEqual(flow({ url: 'http://h2:81/' }).map((f) => f.to), ['10.0.0.2']);
    assert.deepEqual(flow({ to: 'web', port: 8081 }), [{ from: 'h1', to: '10.0.1.5', proto: 'tcp', port: 8081 }]);
  });
});
