/** runner/model/ip.ts: addresses and prefixes as bigints. */
import assert from 'node:assert/strict';
import { bits, contains, formatAddress, formatPrefix, hosts, mask, network, overlaps, parseAddress, parsePrefix, size, type Prefix } from '../../runner/model/ip.ts';

const v4 = (s: string): bigint => {
  const a = parseAddress(s);
  assert.ok(a && a.family === 4, `${s} should parse as IPv4`);
  return a.addr;
};
const v6 = (s: string): bigint => {
  const a = parseAddress(s);
  assert.ok(a && a.family === 6, `${s} should parse as IPv6`);
  return a.addr;
};
const pfx = (s: string): Prefix => {
  const p = parsePrefix(s);
  assert.ok(p, `${s} should parse as a prefix`);
  return p;
};
/** The first n values of a generator, and the number it yields when it is small. */
const take = (g: Generator<bigint>, n: number): bigint[] => {
  const out: bigint[] = [];
  for (let r = g.next(); !r.done && out.length < n; r = g.next()) out.push(r.value);
  return out;
};
const all = (p: Prefix): bigint[] => [...hosts(p)];

describe('ip: IPv4 addresses', () => {
  it('parses dotted quads to numbers', () => {
    assert.equal(v4('0.0.0.0'), 0n);
    assert.equal(v4('10.0.0.1'), 0x0a000001n);
    assert.equal(v4('192.168.1.254'), 0xc0a801fen);
    assert.equal(v4('255.255.255.255'), 0xffffffffn);
  });

  it('rejects malformed addresses', () => {
    for (const s of ['', '10.0.0', '10.0.0.1.2', '256.0.0.1', '10.0.0.300', '10.0.0.-1', '10.0.0.a', '10..0.1', ' 10.0.0.1', '10.0.0.1 ', '1e1.0.0.1', '0x0a.0.0.1']) {
      assert.equal(parseAddress(s), undefined, JSON.stringify(s));
    }
  });

  it('rejects leading zeros (010 is octal to some tools, decimal to others)', () => {
    for (const s of ['010.0.0.1', '10.00.0.1', '10.0.0.01', '10.0.0.001']) assert.equal(parseAddress(s), undefined, s);
    assert.equal(v4('10.0.0.0'), 0x0a000000n, 'a single 0 is fine');
  });

  it('formats numbers back to dotted quads', () => {
    assert.equal(formatAddress(4, 0x0a000001n), '10.0.0.1');
    assert.equal(formatAddress(4, 0n), '0.0.0.0');
    assert.equal(formatAddress(4, 0xffffffffn), '255.255.255.255');
    for (const s of ['172.17.0.1', '203.0.113.254', '1.2.3.4']) assert.equal(formatAddress(4, v4(s)), s);
  });
});

describe('ip: IPv6 addresses', () => {
  it('parses full, compressed and mixed-case forms to the same number', () => {
    const one = 0xfd000000000000000000000000000001n;
    assert.equal(v6('fd00:0:0:0:0:0:0:1'), one);
    assert.equal(v6('fd00:0000:0000:0000:0000:0000:0000:0001'), one);
    assert.equal(v6('fd00::1'), one);
    assert.equal(v6('FD00::1'), one);
    assert.equal(v6('::'), 0n);
    assert.equal(v6('::1'), 1n);
    assert.equal(v6('1::'), 1n << 112n);
    assert.equal(v6('fd00:0:0:1::2'), 0xfd000000000000010000000000000002n);
    assert.equal(v6('1:2:3:4:5:6:7::'), 0x00010002000300040005000600070000n, ':: may stand for a single group');
  });

  it('parses IPv4-mapped and IPv4-embedded forms', () => {
    assert.equal(v6('::ffff:192.0.2.1'), 0xffffc0000201n);
    assert.equal(v6('::ffff:c000:201'), 0xffffc0000201n);
    assert.equal(v6('64:ff9b::10.0.0.1'), 0x0064ff9b00000000000000000a000001n);
  });

  it('rejects malformed addresses', () => {
    for (const s of [
      ':::',
      '1::2::3',
      'fd00::zz',
      'fd00::12345',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8::',
      '1:2:3:4:5:6:7::8',
      '::ffff:192.0.2',
      '::ffff:192.0.2.256',
      '::ffff:192.0.02.1',
      '::192.0.2.1:1',
      'fd00:::1',
      'fd00::1/64',
      'g::1',
    ]) {
      assert.equal(parseAddress(s), undefined, s);
    }
  });

  it('formats with the longest run of zero groups as :: (RFC 5952), lower case, no leading zeros', () => {
    assert.equal(formatAddress(6, 0n), '::');
    assert.equal(formatAddress(6, 1n), '::1');
    assert.equal(formatAddress(6, 1n << 112n), '1::');
    assert.equal(formatAddress(6, v6('FD00:0000:0000:0000:0000:0000:0000:0001')), 'fd00::1');
    assert.equal(formatAddress(6, v6('fd00:0:0:1:0:0:0:1')), 'fd00:0:0:1::1', 'the longer run wins');
    assert.equal(formatAddress(6, v6('1:0:0:2:0:0:3:4')), '1::2:0:0:3:4', 'equal runs: the first wins');
    assert.equal(formatAddress(6, v6('1:0:2:3:4:5:6:7')), '1:0:2:3:4:5:6:7', 'a single zero group is not compressed');
    assert.equal(formatAddress(6, v6('2001:db8:0:0:1:0:0:1')), '2001:db8::1:0:0:1');
    assert.equal(formatAddress(6, v6('1:2:3:4:5:6:7:8')), '1:2:3:4:5:6:7:8');
  });

  it('round-trips IPv4-mapped addresses (parse ∘ format is the identity)', () => {
    const a = v6('::ffff:10.1.2.3');
    assert.equal(v6(formatAddress(6, a)), a);
  });
});

describe('ip: prefixes', () => {
  it('parses address/length and keeps the host bits as written', () => {
    const p = pfx('10.0.0.1/24');
    assert.deepEqual(p, { family: 4, addr: 0x0a000001n, len: 24 });
    assert.deepEqual(pfx('fd00::1/64'), { family: 6, addr: v6('fd00::1'), len: 64 });
    assert.equal(pfx('0.0.0.0/0').len, 0);
    assert.equal(pfx('10.0.0.1/32').len, 32);
    assert.equal(pfx('::/128').len, 128);
  });

  it('rejects prefixes that are too long or malformed', () => {
    for (const s of ['10.0.0.1/33', 'fd00::1/129', '10.0.0.1', '10.0.0.1/', '10.0.0.1/-1', '10.0.0.1/2a', '10.0.0.300/24', 'fd00::zz/64', '/24', '10.0.0.1/24/1', '10.0.0.1/1000']) {
      assert.equal(parsePrefix(s), undefined, s);
    }
  });

  it('computes masks, networks and sizes', () => {
    assert.equal(mask({ family: 4, len: 24 }), 0xffffff00n);
    assert.equal(mask({ family: 4, len: 0 }), 0n);
    assert.equal(mask({ family: 4, len: 32 }), 0xffffffffn);
    assert.equal(mask({ family: 6, len: 64 }), ((1n << 64n) - 1n) << 64n);
    assert.equal(formatPrefix(network(pfx('10.1.2.3/16'))), '10.1.0.0/16');
    assert.equal(formatPrefix(network(pfx('fd00:0:0:1::5/64'))), 'fd00:0:0:1::/64');
    assert.equal(size({ family: 4, len: 24 }), 256n);
    assert.equal(size({ family: 6, len: 64 }), 1n << 64n);
    assert.equal(bits(4), 32);
    assert.equal(bits(6), 128);
  });

  it('formats a prefix as address/len', () => {
    assert.equal(formatPrefix(pfx('10.0.0.1/24')), '10.0.0.1/24');
    assert.equal(formatPrefix(pfx('FD00:0:0:0::1/64')), 'fd00::1/64');
  });

  it('contains: same family and inside the prefix, host bits of the prefix ignored', () => {
    const net = pfx('10.0.0.77/24');
    assert.ok(contains(net, 4, v4('10.0.0.0')));
    assert.ok(contains(net, 4, v4('10.0.0.255')));
    assert.ok(!contains(net, 4, v4('10.0.1.0')));
    assert.ok(!contains(net, 4, v4('9.255.255.255')));
    assert.ok(!contains(net, 6, v4('10.0.0.1')), 'an IPv6 number with the same bits is not inside an IPv4 prefix');
    assert.ok(contains(pfx('0.0.0.0/0'), 4, v4('203.0.113.9')));
    assert.ok(contains(pfx('fd00::/64'), 6, v6('fd00::ffff:1')));
    assert.ok(!contains(pfx('fd00::/64'), 6, v6('fd00:0:0:1::1')));
  });

  it('overlaps: either contains the other; never across families', () => {
    assert.ok(overlaps(pfx('10.0.0.0/24'), pfx('10.0.0.128/25')));
    assert.ok(overlaps(pfx('10.0.0.128/25'), pfx('10.0.0.0/24')));
    assert.ok(overlaps(pfx('10.0.0.0/24'), pfx('10.0.0.0/24')));
    assert.ok(overlaps(pfx('10.0.0.0/8'), pfx('10.200.3.0/24')));
    assert.ok(overlaps(pfx('0.0.0.0/0'), pfx('192.168.0.0/16')));
    assert.ok(!overlaps(pfx('10.0.0.0/24'), pfx('10.0.1.0/24')));
    assert.ok(!overlaps(pfx('10.0.0.0/25'), pfx('10.0.0.128/25')));
    assert.ok(!overlaps(pfx('::/0'), pfx('10.0.0.0/8')));
    assert.ok(overlaps(pfx('fd00::/48'), pfx('fd00:0:0:5::/64')));
    assert.ok(!overlaps(pfx('fd00::/64'), pfx('fd00:0:0:1::/64')));
  });
});

describe('ip: hosts()', () => {
  it('/24: .1 to .254 (network and broadcast skipped), 254 of them', () => {
    const h = all(pfx('10.0.0.9/24'));
    assert.equal(h.length, 254);
    assert.equal(formatAddress(4, h[0]), '10.0.0.1');
    assert.equal(formatAddress(4, h[h.length - 1]), '10.0.0.254');
  });

  it('/30: the two middle addresses', () => {
    assert.deepEqual(all(pfx('10.0.0.4/30')).map((a) => formatAddress(4, a)), ['10.0.0.5', '10.0.0.6']);
  });

  it('/31: both addresses (RFC 3021 point-to-point)', () => {
    assert.deepEqual(all(pfx('10.0.0.7/31')).map((a) => formatAddress(4, a)), ['10.0.0.6', '10.0.0.7']);
  });

  it('/32: the one address', () => {
    assert.deepEqual(all(pfx('10.9.8.7/32')).map((a) => formatAddress(4, a)), ['10.9.8.7']);
  });

  it('/64: starts at ::1 (the subnet-router anycast ::0 is skipped) and counts up', () => {
    const first = take(hosts(pfx('fd00:0:0:1::abcd/64')), 3).map((a) => formatAddress(6, a));
    assert.deepEqual(first, ['fd00:0:0:1::1', 'fd00:0:0:1::2', 'fd00:0:0:1::3']);
  });

  it('/120: 255 hosts, last is the all-ones address (IPv6 has no broadcast)', () => {
    const h = all(pfx('fd00::/120'));
    assert.equal(h.length, 255);
    assert.equal(formatAddress(6, h[0]), 'fd00::1');
    assert.equal(formatAddress(6, h[h.length - 1]), 'fd00::ff');
  });

  it('/127 and /128: every address', () => {
    assert.deepEqual(all(pfx('fd00::1/127')).map((a) => formatAddress(6, a)), ['fd00::', 'fd00::1']);
    assert.deepEqual(all(pfx('fd00::5/128')).map((a) => formatAddress(6, a)), ['fd00::5']);
  });
});
