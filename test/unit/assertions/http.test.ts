import { strict as assert } from 'node:assert';
import { curlArgv, http, judgeHttp, parseCurl, type HttpParams } from '../../../assertions/http.ts';
import { errors, fixture, resolveCtx, result } from './helpers.ts';

// the captures (test/unit/fixtures/capture-http.sh) are real curl runs from 10.99.0.1 to 10.99.0.2
const whoami: HttpParams = { from: 'ha', url: 'http://10.99.0.2:8080/hello', shown: 'http://10.99.0.2:8080/hello', method: 'GET', status: 200, headers: [], timeoutMs: 5000 };
const files: HttpParams = { ...whoami, url: 'http://10.99.0.2:8000/', shown: 'http://10.99.0.2:8000/' };

describe('http', () => {
  it('builds a curl argv: the response with headers, the -w summary last, --resolve for a node name', () => {
    assert.deepEqual(curlArgv(whoami), ['curl', '-sS', '-i', '--max-time', '5', '-w', '\\n%{json}', 'http://10.99.0.2:8080/hello']);
    assert.deepEqual(curlArgv({ ...whoami, method: 'HEAD', resolve: 'hb:8000:10.99.0.2', url: 'http://hb:8000/' }, false), ['curl', '-sS', '-I', '--max-time', '5', '--resolve', 'hb:8000:10.99.0.2', 'http://hb:8000/']);
    assert.deepEqual(curlArgv({ ...whoami, method: 'POST', timeoutMs: 1500 }).slice(2, 7), ['-i', '-X', 'POST', '--max-time', '1.5']);
  });

  it('splits real curl output into status line, headers, body and its %{json} summary', () => {
    const res = parseCurl(fixture('http-whoami').stdout)!;
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.deepEqual(res.headers.find((h) => h.name === 'content-type'), { name: 'content-type', value: 'application/json' });
    assert.equal(JSON.parse(res.body).path, '/hello');
    assert.equal(res.summary.response_code, 200);
    assert.equal(res.summary.remote_ip, '10.99.0.2');
    assert.equal(parseCurl(fixture('http-head').stdout)!.body, '');
    assert.equal(parseCurl('no summary here'), undefined);
  });

  it('passes on the status, header and body it expects (nslab whoami, python http.server)', () => {
    const o = judgeHttp({ ...whoami, headers: [{ name: 'Content-Type', contains: 'json' }], bodyContains: '"client":"10.99.0.1"' }, fixture('http-whoami'));
    assert.equal(o.ok, true, o.seen);
    assert.match(o.seen, /^HTTP\/1\.1 200 OK \(82 bytes of application\/json\) from 10\.99\.0\.2:8080 in [\d.]+m?s; body: \{"node":"hb"/);
    assert.equal(judgeHttp({ ...files, bodyContains: 'hello from hb' }, fixture('http-resolve')).ok, true);
    assert.equal(judgeHttp({ ...files, method: 'HEAD' }, fixture('http-head')).ok, true);
    assert.equal(judgeHttp({ ...files, status: 404 }, fixture('http-not-found')).ok, true);
  });

  it('fails with what differed: status, a header, the body', () => {
    const nf = judgeHttp(files, fixture('http-not-found'));
    assert.equal(nf.ok, false);
    assert.match(nf.seen, /^status 404, not 200 — HTTP\/1\.0 404 File not found/);
    assert.match(nf.expected, /^GET http:\/\/10\.99\.0\.2:8000\/ from ha: status 200$/);
    const hdr = judgeHttp({ ...whoami, headers: [{ name: 'server', contains: 'nginx' }, { name: 'content-type', contains: 'text/html' }] }, fixture('http-whoami'));
    assert.match(hdr.seen, /^no header server; header content-type is "application\/json" — /);
    assert.match(judgeHttp({ ...whoami, bodyContains: 'nope' }, fixture('http-whoami')).seen, /^the body does not contain "nope"/);
  });

  it('no response: refused and timed out, in curl\'s words; a missing curl', () => {
    const refused = judgeHttp({ ...whoami, url: 'http://10.99.0.2:8081/' }, fixture('http-refused'));
    assert.equal(refused.ok, false);
    assert.match(refused.seen, /^no response: Failed to connect to 10\.99\.0\.2 port 8081 .*Couldn't connect to server \(curl exit code 7\)$/);
    assert.match(judgeHttp(whoami, fixture('http-timeout')).seen, /^no response: Connection timed out after 10\d\d milliseconds \(curl exit code 28\)$/);
    assert.match(judgeHttp(whoami, result({ exitCode: 1, stderr: 'exec of "curl" failed: No such file or directory\n' })).seen, /could not run curl/);
  });

  it('resolves url (a node name becomes --resolve) or to/port/path, and checks them', () => {
    const ctx = resolveCtx();
    const byUrl = http.resolve({ from: 'h1', url: 'http://h2:8080/x?y=1', expect: { status: 204, header: { 'content-type': 'json' } } }, ctx);
    assert.deepEqual(errors(byUrl.diagnostics), []);
    assert.equal(byUrl.params?.resolve, 'h2:8080:10.0.0.2');
    assert.equal(byUrl.params?.shown, 'http://h2 (10.0.0.2):8080/x?y=1');
    assert.equal(byUrl.params?.status, 204);
    assert.deepEqual(byUrl.params?.headers, [{ name: 'content-type', contains: 'json' }]);
    const byTarget = http.resolve({ from: 'h1', to: 'h2:eth1', port: 81, path: '/p' }, ctx);
    assert.equal(byTarget.params?.url, 'http://[fd00::2]:81/p');
    assert.equal(byTarget.params?.resolve, undefined);
    assert.equal(http.resolve({ from: 'h1', url: 'http://10.0.0.9/' }, ctx).params?.resolve, undefined);
    assert.match(errors(http.resolve({ from: 'h1', url: 'http://nosuch/' }, ctx).diagnostics)[0].message, /unknown node "nosuch"/);
    assert.match(errors(http.resolve({ from: 'h1', url: 'http://h2/', to: 'h2' }, ctx).diagnostics)[0].message, /not both/);
    assert.match(errors(http.resolve({ from: 'h1', to: 'h2', method: 'HEAD', expect: { 'body-contains': 'x' } }, ctx).diagnostics)[0].message, /HEAD request gets no body/);
    assert.equal(http.resolve({ from: 'h1' }, ctx).params, undefined);
  });

  it('as an exercise: the curl a learner types, without the -w summary', () => {
    const p = http.resolve({ from: 'h1', url: 'http://h2:8080/' }, resolveCtx()).params!;
    const e = http.exercise!(p, { inNode: (node, argv) => ({ node, text: argv.join(' ') }), measurement: () => undefined, test: { index: 0, name: 't' } });
    assert.equal(e.commands[0].text, 'curl -sS -i --max-time 5 --resolve h2:8080:10.0.0.2 http://h2:8080/');
    assert.match(e.expect, /^GET http:\/\/h2 \(10\.0\.0\.2\):8080\/ from h1: status 200$/);
  });
});
