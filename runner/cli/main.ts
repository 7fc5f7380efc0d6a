#!/usr/bin/env node
/** `lab`: argv → command functions. No logic lives here. */
import { enableCompileCache } from 'node:module';
import { parseArgs, UsageError } from './args.ts';
import { EXIT } from './exit-codes.ts';
import { failure } from './output.ts';

enableCompileCache?.();

const VALUED = new Set(['reporter', 'output', 'name', 'port', 'o', 'r', 'parallel', 'format', 'out']);

export const HELP = `lab — YAML lab files to real Linux networks, with assertions

usage: lab <command> [LAB] [options]
  LAB is a lab file, a directory with a lab.yaml, or (for down/status/test/exec) the name of a lab that is up;
  it defaults to ./lab.yaml.

commands:
  validate [LAB…]          check lab files (schema, references, addresses); touches nothing
  plan [LAB]               print the exact commands \`lab up\` runs, as a commented shell script
        --teardown           also print the teardown commands
        --json               print the plan as data
  up [LAB]                 build the lab (root); on any failure, remove what was built
        --test               run the lab's tests once it is up
        --recreate           if the lab is up from an older version of the file, rebuild it
        --quiet              no progress output
  test [LAB]               run the lab's tests against the running lab (root)
        --reporter junit|tap|json   also write a report …
        --output FILE               … to FILE (default: standard output)
  test DIR|'GLOB'|LAB…     many labs: each is brought up, tested and taken down (labs already up are
                           tested as they are and left up); a summary table and ONE combined report
                           (junit: a testsuite per lab; json: a labs array). DIR means DIR/lab.yaml and
                           DIR/*/lab.yaml; quote globs, nslab expands them (root)
        --parallel N                N labs at once (default 1)
        --keep                      leave the labs it brought up running
  down [LAB] | --all       remove everything the lab made, also after a crash (root)
  status [LAB] [--json]    labs, nodes, interfaces, addresses, routes, processes (root)
  exec [LAB] NODE -- CMD…  run a command inside a node (root)
  graph [LAB]              draw the lab: Mermaid flowchart text (GitHub renders it in Markdown); no root
        --format mermaid|svg|dot   svg is laid out by Graphviz's dot (apt-get install graphviz)
        --out FILE                 write FILE (.svg/.dot/.md imply the format) instead of standard output
  handout [LAB] | --all    workshop handouts: DIR/<lab>.html (one self-contained file: diagram, nodes, the
                           commands to build it by hand with the lab's notes, tests as exercises, latest
                           results) and DIR/<lab>.md; --all: every labs/*/lab.yaml and an index.html; no root
        --out DIR                  where to write them (default handouts/)
  doctor [--fix]           check tools, kernel features and Docker; --fix installs Debian packages
  images build [NAME…]     build the lab images (nslab/host, nslab/bird) offline from Debian packages (root)
        --force              rebuild even when an image is up to date
  images list [--json]     nslab images: tag, recipe hash, size, created, up to date or stale
  images rm NAME…|--all    remove nslab images and their cached root file systems
  help, version

exit codes: 0 ok · 1 a test failed · 2 the lab file is invalid · 3 running a step failed (the lab was
removed again) · 4 the machine lacks something (root, a tool, a kernel feature) · 64 bad command line`;

async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv, VALUED);
  switch (a.command) {
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${HELP}\n`);
      return a.command ? EXIT.ok : EXIT.usage;
    case 'version':
      process.stdout.write('nslab 0.1.0\n');
      return EXIT.ok;
    case 'validate':
      return (await import('./commands/validate.ts')).validateCmd(a);
    case 'plan':
      return (await import('./commands/plan.ts')).planCmd(a);
    case 'up':
      return (await import('./commands/up.ts')).upCmd(a);
    case 'test':
      return (await import('./commands/test.ts')).testCmd(a);
    case 'down':
      return (await import('./commands/down.ts')).downCmd(a);
    case 'status':
      return (await import('./commands/status.ts')).statusCmd(a);
    case 'exec':
      return (await import('./commands/exec.ts')).execCmd(a);
    case 'graph':
      return (await import('./commands/graph.ts')).graphCmd(a);
    case 'handout':
      return (await import('./commands/handout.ts')).handoutCmd(a);
    case 'doctor':
      return (await import('./commands/doctor.ts')).doctorCmd(a);
    case 'images':
      return (await import('./commands/images.ts')).imagesCmd(a);
    case 'agent':
      return (await import('./commands/agent.ts')).agentCmd(a);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(a.command)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = failure(e);
  },
);
