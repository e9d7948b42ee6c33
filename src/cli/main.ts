/**
 * The statpress command line: parses arguments, runs a command and returns the exit status.
 * `bin.ts` wires it to the process; tests call `runCli` with their own output streams.
 */
import { relative, resolve } from 'node:path';
import { buildRelease, checkRelease, FORMATS, type Format } from '../pipeline/build.js';
import { formatGateReport } from '../quality/gates/document-gates.js';
import { existsSync, writeFileSync } from 'node:fs';
import { formatDate, isIsoDate } from '../core/dates.js';
import { rollReleaseConfig } from '../config/rollover.js';
import { StatpressError } from '../core/errors.js';
import { missingComparisons } from '../compute/stats.js';

const HELP = `statpress: build official-statistics releases from data, templates and chart specs

Usage:
  statpress build <release.yaml> [options]   build the release into an output folder
  statpress check <release.yaml> [options]   build every format in memory, run every quality gate
                                              and print what each guarantees
  statpress preview <release.yaml> [options]  serve the draft on http://127.0.0.1:4173/ and rebuild
                 [--port N] [--host ADDR]    it on every save of the config, data, templates or
                                             chart specs (--host 0.0.0.0 to show it on the network)
  statpress diff <old> <new> [--html FILE]    every sentence, number and table cell that changed
                 [--notice]                  between two builds (output folders) or two release
                                             configs (built in memory); --html writes a side-by-side
                                             page, --notice drafts the revision notice text
  statpress next <release.yaml> --out FILE    write the next quarter's release config
                 [--months N]                (N months on instead of 3)
  statpress --help                            show this help

Options for build:
  --out DIR                 output folder (default: output)
  --as-at YYYY-MM-DD        build the release as at another date; the publication cut-off,
                            in-year period and comparison dates follow the config's rules
  --published-by YYYY-MM-DD count only reports published by this date
  --formats LIST            comma-separated: ${FORMATS.join(',')} (default: all)
  --draft                   mark the release as a draft
  --quick                   skip the gates on the rendered formats (accessibility in Chromium,
                            cross-format agreement); the checks on the document still run
  --no-cache                draw every chart afresh instead of reusing unchanged ones from
                            node_modules/.cache/statpress (STATPRESS_CACHE_DIR=off does the same)

Exit status: 0 when every output was written; 1 for bad input (the message names the file,
row, column and value); 2 for a usage error. A failed build leaves the previous output as it was.
`;

interface Parsed {
  command: string | undefined;
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      const next = argv[i + 1];
      if (inline !== undefined) flags.set(name, inline);
      else if (['out', 'as-at', 'published-by', 'formats', 'months', 'port', 'host', 'html'].includes(name) && next !== undefined) {
        flags.set(name, next);
        i++;
      } else flags.set(name, true);
    } else positional.push(arg);
  }
  return { command: positional.shift(), positional, flags };
}

class UsageError extends Error {}

function dateFlag(flags: Parsed['flags'], name: string): string | undefined {
  const value = flags.get(name);
  if (value === undefined) return undefined;
  if (value === true || !isIsoDate(value)) throw new UsageError(`--${name} needs a date written YYYY-MM-DD, got ${value === true ? 'nothing' : JSON.stringify(value)}`);
  return value;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

async function main(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.has('help') || args.command === 'help' || args.command === undefined) {
    io.out(HELP);
    return args.command === undefined && !args.flags.has('help') ? 2 : 0;
  }
  if (args.command === 'next') return nextCommand(args, io);
  if (args.command === 'check') return checkCommand(args, io);
  if (args.command === 'preview') return previewCommand(args, io);
  if (args.command === 'diff') return diffCommand(args, io);
  if (args.command !== 'build') throw new UsageError(`unknown command "${args.command}"`);
  const configFile = args.positional[0];
  if (!configFile) throw new UsageError('build needs a release config file, e.g. statpress build releases/NAME.yaml');
  const known = new Set(['out', 'as-at', 'published-by', 'formats', 'draft', 'quick', 'no-cache', 'help']);
  for (const name of args.flags.keys()) if (!known.has(name)) throw new UsageError(`unknown option --${name}`);
  const formatsFlag = args.flags.get('formats');
  const formats = (typeof formatsFlag === 'string' ? formatsFlag.split(',') : [...FORMATS]).map((f) => f.trim()) as Format[];
  for (const f of formats) if (!FORMATS.includes(f)) throw new UsageError(`unknown format "${f}" (expected ${FORMATS.join(', ')})`);
  const out = args.flags.get('out');
  const outDir = resolve(typeof out === 'string' ? out : 'output');
  const asAt = dateFlag(args.flags, 'as-at');
  const publishedBy = dateFlag(args.flags, 'published-by');
  const started = performance.now();
  const result = await buildRelease({
    configFile,
    outDir,
    formats,
    ...(asAt ? { asAt } : {}),
    ...(publishedBy ? { publishedBy } : {}),
    ...(args.flags.has('draft') ? { draft: true } : {}),
    gates: args.flags.has('quick') ? 'document' : 'all',
    ...(args.flags.has('no-cache') ? { chartCache: false as const } : {}),
  });
  for (const warning of result.dataset.warnings) io.err(`statpress: warning: ${warning}\n`);
  for (const date of missingComparisons(result.model)) {
    io.err(`statpress: warning: no figures as at ${formatDate(date)} to compare with: the data cannot rebuild that date and the published series does not give it, so the release compares with fewer dates\n`);
  }
  const shown = relative(process.cwd(), outDir) || '.';
  io.out(`Built "${result.document.meta.title}" in ${Math.round(performance.now() - started)} ms:\n`);
  for (const [name, content] of result.files) {
    const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
    io.out(`  ${shown}/${name}  (${(size / 1024).toFixed(1)} KB)\n`);
  }
  io.out(`Passed ${result.gates.length} quality gates: ${result.gates.map((g) => g.gate).join(', ')}.\n`);
  return 0;
}

async function checkCommand(args: Parsed, io: Io): Promise<number> {
  const configFile = args.positional[0];
  if (!configFile) throw new UsageError('check needs a release config file');
  const asAt = dateFlag(args.flags, 'as-at');
  const publishedBy = dateFlag(args.flags, 'published-by');
  // The build itself refuses a document that fails a gate; build the tree without that stop.
  const results = await checkRelease({ configFile, ...(asAt ? { asAt } : {}), ...(publishedBy ? { publishedBy } : {}) });
  io.out(`${formatGateReport(results)}\n`);
  const failed = results.filter((r) => r.findings.length > 0).length;
  io.out(failed === 0 ? `All ${results.length} gates pass.\n` : `${failed} of ${results.length} gates fail.\n`);
  return failed === 0 ? 0 : 1;
}

async function diffCommand(args: Parsed, io: Io): Promise<number> {
  const [oldPath, newPath] = args.positional;
  if (!oldPath || !newPath) throw new UsageError('diff needs two builds (output folders) or two release configs: statpress diff OLD NEW');
  const known = new Set(['html', 'notice', 'help']);
  for (const name of args.flags.keys()) if (!known.has(name)) throw new UsageError(`unknown option --${name}`);
  const html = args.flags.get('html');
  if (html === true) throw new UsageError('--html needs a file name');
  const { diffDocuments, loadSide, formatDiff, renderDiffHtml, draftRevisionNotice } = await import('../tools/diff.js');
  const report = diffDocuments(loadSide(oldPath), loadSide(newPath), { old: oldPath, new: newPath });
  io.out(formatDiff(report));
  if (typeof html === 'string') {
    writeFileSync(html, renderDiffHtml(report));
    io.out(`Wrote the side-by-side comparison to ${html}.\n`);
  }
  if (args.flags.has('notice')) io.out(`\nDraft revision notice (edit, then put it under meta.revision.reason):\n\n${draftRevisionNotice(report)}\n`);
  return 0;
}

async function previewCommand(args: Parsed, io: Io): Promise<number> {
  const configFile = args.positional[0];
  if (!configFile) throw new UsageError('preview needs a release config file');
  const portFlag = args.flags.get('port');
  const port = portFlag === undefined ? 4173 : Number(portFlag);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port needs a port number, got ${JSON.stringify(portFlag)}`);
  const host = args.flags.get('host');
  if (host === true) throw new UsageError('--host needs an address, e.g. 127.0.0.1');
  const asAt = dateFlag(args.flags, 'as-at');
  const publishedBy = dateFlag(args.flags, 'published-by');
  const { startPreview } = await import('../tools/preview.js');
  const server = await startPreview({
    configFile,
    port,
    ...(host ? { host } : {}),
    ...(asAt ? { asAt } : {}),
    ...(publishedBy ? { publishedBy } : {}),
    log: (line) => io.err(`${line}\n`),
  });
  io.out(`Previewing ${configFile} at ${server.url} (Ctrl+C to stop). Edit the config, data, templates or chart specs and the page reloads.\n`);
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolveStop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

async function nextCommand(args: Parsed, io: Io): Promise<number> {
  const configFile = args.positional[0];
  const out = args.flags.get('out');
  if (!configFile || typeof out !== 'string') throw new UsageError('next needs a release config and --out FILE for the new one');
  const monthsFlag = args.flags.get('months');
  const months = monthsFlag === undefined ? 3 : Number(monthsFlag);
  if (!Number.isInteger(months) || months <= 0) throw new UsageError(`--months needs a whole number of months, got ${JSON.stringify(monthsFlag)}`);
  if (existsSync(out)) throw new UsageError(`${out} already exists; choose a new file name`);
  const next = rollReleaseConfig(configFile, months);
  writeFileSync(out, next.yaml);
  io.out(`Wrote ${out}: as at ${formatDate(next.asAt)}, to be published ${formatDate(next.published)}.\nPoint its sources at the new data files, check meta.nextUpdate, then build it.\n`);
  return 0;
}

/** Runs one command; never throws; returns the exit status (0 ok, 1 bad input, 2 usage, 70 bug). */
export async function runCli(argv: string[], io: Io): Promise<number> {
  try {
    return await main(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`statpress: ${error.message}\nRun "statpress --help" for usage.\n`);
      return 2;
    }
    if (error instanceof StatpressError) {
      io.err(`statpress: error: ${error.describe()}\n`);
      return 1;
    }
    io.err(`statpress: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}
