/**
 * `lab handout --all` in a real browser: every handout opens in headless Chromium (Debian's `chromium`) with no
 * network, draws something, and asks the network for nothing.
 *
 * How "nothing was fetched" is proved: Chromium runs with every host name mapped to NOTFOUND and writes a net log
 * (--log-net-log). Every request the page makes appears there with the page's origin as its initiator ("null" for a
 * file:// page); Chromium's own background requests (update checks, clock) carry "not an origin" and are not the
 * page's. A control page with a remote image proves the check sees page requests. The DOM as Chromium built it
 * (--dump-dom) is scanned for remote references too.
 *
 * Needs no root and no lab up. Skipped, with a message, when /usr/bin/chromium is missing
 * (`bash scripts/setup.sh --with-chromium` installs it).
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { execa } from 'execa';
import { remoteReferences } from '../../runner/handout/offline.ts';
import { needFile } from '../needs.ts';
import { expectOk, lab, ROOT } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const LAB_DIRS = readdirSync(join(ROOT, 'labs')).filter((d) => existsSync(join(ROOT, 'labs', d, 'lab.yaml')));

interface Browse {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** URLs the page itself asked for (initiator is the page's origin, not the browser). */
  readonly pageRequests: string[];
}

async function chromium(url: string, work: string, mode: { screenshot: string } | { dumpDom: true }): Promise<Browse> {
  const profile = mkdtempSync(join(work, 'profile-'));
  const netlog = join(work, `net-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--user-data-dir=${profile}`,
    '--host-resolver-rules=MAP * ~NOTFOUND',
    `--log-net-log=${netlog}`,
    '--window-size=1200,2000',
    '--enable-logging=stderr',
    '--v=0',
    ...('screenshot' in mode ? [`--screenshot=${mode.screenshot}`] : ['--dump-dom']),
    url,
  ];
  const r = await execa(CHROMIUM, args, { reject: false, timeout: 60_000, stdin: 'ignore', env: { ...process.env, HOME: profile } });
  const pageRequests = existsSync(netlog) ? pageRequestsOf(readFileSync(netlog, 'utf8')) : ['(no net log written)'];
  rmSync(profile, { recursive: true, force: true });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), pageRequests };
}

/** Requests in a Chromium net log that a page made (not the browser's own), to anything but file:, data: or blob:. */
function pageRequestsOf(text: string): string[] {
  let log: { constants: { logEventTypes: Record<string, number> }; events: { type: number; params?: { url?: string; initiator?: string } }[] };
  try {
    log = JSON.parse(text);
  } catch {
    // Chromium may end the file without closing the event list; close it
    log = JSON.parse(`${text.replace(/,?\s*$/, '')}]}`);
  }
  const start = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  return log.events
    .filter((e) => e.type === start && typeof e.params?.url === 'string')
    .filter((e) => e.params!.initiator !== 'not an origin')
    .map((e) => e.params!.url!)
    .filter((u) => !/^(file|data|blob|chrome|about):/.test(u));
}

// ---- a PNG reader (8-bit greyscale/RGB/RGBA, not interlaced): enough for Chromium's screenshots

interface Image {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly pixels: Buffer;
}

export function readPng(buf: Buffer): Image {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'not a PNG file');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      const colour = data[9];
      assert.equal(depth, 8, `PNG bit depth ${depth}`);
      assert.equal(data[12], 0, 'interlaced PNG');
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colour];
      assert.ok(channels, `PNG colour type ${colour}`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const b = prev[x];
      const c = x >= channels ? prev[x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[x] = v & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** How many colours, and what share of the pixels differ from the most common one (the background). */
function colourStats(img: Image): { colours: number; inked: number } {
  const counts = new Map<string, number>();
  const step = 3; // every third pixel in each direction is plenty
  let n = 0;
  for (let y = 0; y < img.height; y += step) {
    for (let x = 0; x < img.width; x += step) {
      const i = (y * img.width + x) * img.channels;
      const key = img.pixels.subarray(i, i + Math.min(3, img.channels)).toString('hex');
      counts.set(key, (counts.get(key) ?? 0) + 1);
      n++;
    }
  }
  const top = Math.max(...counts.values());
  return { colours: counts.size, inked: (n - top) / n };
}

describe('handout: every lab in a real browser, offline (headless Chromium)', function () {
  this.timeout(300_000);
  let work = '';
  let out = '';

  before(async () => {
    needFile(CHROMIUM, "Debian's chromium is not installed (`bash scripts/setup.sh --with-chromium` installs it)");
    work = mkdtempSync(join(tmpdir(), 'nslab-handout-it-'));
    out = join(work, 'handouts');
    const r = await lab(['handout', '--all', '--out', out], { env: { NSLAB_RESULTS_DIR: join(work, 'results') } });
    expectOk(r, 'lab handout --all');
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('wrote an HTML and a Markdown file per lab, and an index', () => {
    assert.ok(LAB_DIRS.length >= 3, `found ${LAB_DIRS.length} labs`);
    const files = readdirSync(out).sort();
    assert.ok(files.includes('index.html'));
    for (const d of LAB_DIRS) {
      const name = (readFileSync(join(ROOT, 'labs', d, 'lab.yaml'), 'utf8').match(/^name:\s*(\S+)/m) ?? [])[1];
      assert.ok(files.includes(`${name}.html`) && files.includes(`${name}.md`), `no handout of ${d}: ${files.join(', ')}`);
    }
  });

  it('the net-log check sees a page that does fetch something (control)', async () => {
    const page = join(work, 'control.html');
    writeFileSync(page, '<!DOCTYPE html><html><body><p>control</p><img src="https://example.invalid/x.png"></body></html>');
    const r = await chromium(pathToFileURL(page).href, work, { dumpDom: true });
    assert.deepEqual(r.pageRequests, ['https://example.invalid/x.png']);
  });

  for (const dir of LAB_DIRS) {
    describe(dir, () => {
      const htmlOf = (): string => {
        const name = (readFileSync(join(ROOT, 'labs', dir, 'lab.yaml'), 'utf8').match(/^name:\s*(\S+)/m) ?? [])[1];
        return join(out, `${name}.html`);
      };

      it('renders: the screenshot is a real picture (not empty, not one colour)', async () => {
        const png = join(work, `${dir}.png`);
        const r = await chromium(pathToFileURL(htmlOf()).href, work, { screenshot: png });
        assert.ok(existsSync(png), `no screenshot (exit ${r.exitCode}): ${r.stderr.slice(-800)}`);
        const size = statSync(png).size;
        assert.ok(size > 20_000, `the screenshot is only ${size} bytes`);
        const img = readPng(readFileSync(png));
        assert.deepEqual([img.width, img.height], [1200, 2000]);
        const { colours, inked } = colourStats(img);
        assert.ok(colours >= 16, `only ${colours} colours`);
        assert.ok(inked > 0.02, `only ${(inked * 100).toFixed(2)}% of the page is not background`);
        assert.deepEqual(r.pageRequests, [], 'the page asked the network for something');
      });

      it('fetches nothing: no request in the net log, no remote reference in the DOM', async () => {
        const r = await chromium(pathToFileURL(htmlOf()).href, work, { dumpDom: true });
        assert.equal(r.exitCode, 0, r.stderr.slice(-800));
        assert.match(r.stdout, /<h1>/);
        assert.match(r.stdout, /id="exercises"/);
        assert.deepEqual(remoteReferences(r.stdout), []);
        assert.deepEqual(r.pageRequests, []);
        // no console errors (Chromium logs the page's console to stderr as CONSOLE lines)
        const consoleErrors = r.stderr.split('\n').filter((l) => /CONSOLE/.test(l) && /error|uncaught/i.test(l));
        assert.deepEqual(consoleErrors, [], 'the page logged errors');
        // the diagram is there, drawn: an inline SVG that names every node of the lab
        const svg = /<svg[\s\S]*?<\/svg>/.exec(r.stdout)?.[0] ?? '';
        assert.ok(svg.length > 1000, 'no inline SVG diagram in the page');
        const labText = readFileSync(join(ROOT, 'labs', dir, 'lab.yaml'), 'utf8');
        const nodeNames = [...(/^nodes:\n([\s\S]*?)^\S/m.exec(labText)?.[1] ?? '').matchAll(/^  ([A-Za-z][A-Za-z0-9_-]*):/gm)].map((m) => m[1]);
        for (const n of nodeNames) assert.ok(svg.includes(`>${n}`) || svg.includes(n), `the diagram lacks node ${n}`);
      });
    });
  }
});
