/** runner/model/words.ts: command strings split into argv like a shell would, without running a shell. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { shellQuote, splitWords, toArgv, type SplitResult } from '../../runner/model/words.ts';
import { needFile } from '../needs.ts';

const BS = '\\';
const argv = (r: SplitResult): string[] => {
  assert.ok(r.ok, `expected words, got: ${r.ok ? '' : r.message}`);
  return r.argv;
};
const refused = (r: SplitResult): string => {
  assert.ok(!r.ok, `expected a refusal, got ${JSON.stringify(r.ok && r.argv)}`);
  return r.message;
};

/** How /bin/sh splits `s` into words (s must not expand anything). */
function shWords(s: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${s}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('words: splitting', () => {
  it('splits on any white space', () => {
    assert.deepEqual(argv(splitWords('ip -o link show')), ['ip', '-o', 'link', 'show']);
    assert.deepEqual(argv(splitWords('  ip\t-o \n link  ')), ['ip', '-o', 'link']);
  });

  it('single quotes keep everything literally, metacharacters included', () => {
    assert.deepEqual(argv(splitWords("echo 'a b' 'x|y;z$w`v`>u'")), ['echo', 'a b', 'x|y;z$w`v`>u']);
    assert.deepEqual(argv(splitWords(`echo 'a${BS}b'`)), ['echo', `a${BS}b`], 'no escapes inside single quotes');
  });

  it('double quotes group words and honour \\" and \\\\', () => {
    assert.deepEqual(argv(splitWords('echo "a b"  "c"')), ['echo', 'a b', 'c']);
    assert.deepEqual(argv(splitWords(`echo "say ${BS}"hi${BS}""`)), ['echo', 'say "hi"']);
    assert.deepEqual(argv(splitWords(`echo "a${BS}${BS}b"`)), ['echo', `a${BS}b`]);
  });

  it('quoted parts join the word they touch; empty quotes are an empty word', () => {
    assert.deepEqual(argv(splitWords(`a'b'"c"d`)), ['abcd']);
    assert.deepEqual(argv(splitWords(`echo '' ""`)), ['echo', '', '']);
    assert.deepEqual(argv(splitWords(`--opt="x y"`)), ['--opt=x y']);
  });

  it('a backslash outside quotes makes the next character literal (space or metacharacter)', () => {
    assert.deepEqual(argv(splitWords(`echo a${BS} b`)), ['echo', 'a b']);
    assert.deepEqual(argv(splitWords(`echo a${BS}|b ${BS};`)), ['echo', 'a|b', ';']);
    assert.deepEqual(argv(splitWords(`echo ${BS}$HOME`)), ['echo', '$HOME']);
  });

  it('unterminated quotes and empty commands are refused', () => {
    assert.match(refused(splitWords("echo 'abc")), /unterminated single quote/);
    assert.match(refused(splitWords('echo "abc')), /unterminated double quote/);
    assert.match(refused(splitWords(`echo "abc${BS}"`)), /unterminated double quote/);
    assert.match(refused(splitWords('')), /empty command/);
    assert.match(refused(splitWords('   \t ')), /empty command/);
  });
});

describe('words: refusing what would need a shell', () => {
  for (const [what, s, c] of [
    ['a pipe', 'ip route | grep default', '|'],
    ['a command separator', 'sysctl -w a=1; echo done', ';'],
    ['a variable', 'echo $HOME', '$'],
    ['a command substitution', 'echo $(id -u)', '$'],
    ['backticks', 'echo `id -u`', '`'],
    ['an output redirection', 'ip route > /tmp/r', '>'],
    ['an input redirection', 'wc -l < /etc/hosts', '<'],
    ['a background job / &&', 'sleep 1 && echo', '&'],
    ['a subshell', '(cd /tmp)', '('],
  ] as const) {
    it(`${what}: ${s}`, () => {
      const m = refused(splitWords(s));
      assert.ok(m.includes(JSON.stringify(c)), `the message names ${c}: ${m}`);
      assert.match(m, /shell/);
    });
  }

  it('a metacharacter glued to a word is refused too', () => {
    refused(splitWords('echo a|b'));
    refused(splitWords('echo ok>/dev/null'));
    refused(splitWords('echo "quoted"|cat'));
  });

  it('$ and backticks inside double quotes are refused too (a shell would expand them there)', () => {
    assert.match(refused(splitWords('echo "$HOME"')), /"\$"/);
    assert.match(refused(splitWords('echo "`id -u`"')), /"`"/);
  });
});

describe('words: toArgv', () => {
  it('a list is taken as it is (numbers become strings), never split or checked', () => {
    assert.deepEqual(argv(toArgv(['sh', '-c', 'ip route | grep default'])), ['sh', '-c', 'ip route | grep default']);
    assert.deepEqual(argv(toArgv(['sleep', 5])), ['sleep', '5']);
  });

  it('a string is split', () => {
    assert.deepEqual(argv(toArgv('ping -c 1 "10.0.0.2"')), ['ping', '-c', '1', '10.0.0.2']);
  });

  it('an empty list, or something that is no command, is refused', () => {
    assert.match(refused(toArgv([])), /empty command/);
    assert.match(refused(toArgv(42)), /string or a list/);
    assert.match(refused(toArgv(undefined)), /string or a list/);
  });
});

describe('words: shellQuote', () => {
  const tricky = ['plain', 'a b', '', "it's", '"dq"', `back${BS}slash`, 'x|y', 'a;b', '$HOME', '`id`', '$(id)', 'a>b', '*', '~', '#c', 'tab\there', 'new\nline', 'ünïcödé', "''", '-n', '--opt=x y', 'a=b'];

  it('leaves safe words alone and quotes the rest', () => {
    assert.equal(shellQuote('eth0'), 'eth0');
    assert.equal(shellQuote('10.0.0.1/24'), '10.0.0.1/24');
    assert.equal(shellQuote('--max-time=3'), '--max-time=3');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote('a b'), "'a b'");
    assert.equal(shellQuote("it's"), `'it'${BS}''s'`);
  });

  it('round-trips through splitWords', () => {
    assert.deepEqual(argv(splitWords(tricky.map(shellQuote).join(' '))), tricky);
  });

  it('round-trips through a real /bin/sh', function () {
    needFile('/bin/sh', 'the test compares with a real POSIX shell');
    assert.deepEqual(shWords(tricky.map(shellQuote).join(' ')), tricky);
  });
});

describe('words: splitting agrees with /bin/sh where nothing is expanded', () => {
  before(() => needFile('/bin/sh', 'the test compares with a real POSIX shell'));

  for (const s of [
    'ip -o link show',
    "echo 'a b' \"c d\" e",
    `a'b'"c"d`,
    `echo '' ""`,
    `echo a${BS} b`,
    `echo a${BS}|b`,
    `echo "say ${BS}"hi${BS}""`,
    `echo "a${BS}${BS}b"`,
    `echo 'a${BS}b'`,
    // POSIX: inside double quotes a backslash only escapes $ \` " \\ and newline; before any other character it stays
    `grep -E "10${BS}.0${BS}.0${BS}.1"`,
    `echo "a${BS}nb"`,
  ]) {
    it(s, () => {
      assert.deepEqual(argv(splitWords(s)), shWords(s));
    });
  }
});
