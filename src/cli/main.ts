/**
 * The statpress command line: parses arguments, runs a command and returns the exit status.
 * `bin.ts` wires it to the process; tests call `runCli` with their own output streams.
 *
 * Each command declares its arguments and options below; `node:util` `parseArgs` splits the
 * arguments into tokens and every token is checked against the command's declaration, so an
 * unknown option, a missing value or a stray argument is a usage error (exit 2) that names it.
 * What the CLI says is in `messages.ts`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { missingComparisons } from '../compute/stats.js';
import { rollReleaseConfig } from '../config/rollover.js';
import { formatDate, isIsoDate, type IsoDate } from '../core/dates.js';
import { nearest, StatpressError } from '../core/errors.js';
import type { ProgressSink } from '../core/progress.js';
import { buildRelease, checkRelease, FORMATS, type BuildOptions, type Format } from '../pipeline/build.js';
import { formatGateReport } from '../quality/gates/document-gates.js';
import type { PreviewOptions } from '../tools/preview.js';
import { COMMANDS, COMMON_OPTIONS, commandHelp, PLACEHOLDER, programHelp, say, usage, type CommandName } from './messages.js';
import { createProgress } from './progress.js';
import { bothSinks, createProfiler } from './profile.js';
import { onInterrupt, runShutdown } from '../platform/shutdown.js';
import { reason } from '../platform/output.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
  }
}

// ── declarations ────────────────────────────────────────────────────────────────────────────

interface OptionSpec {
  type: 'string' | 'boolean';
  /** What a string option's value looks like in the help, e.g. `DIR`. */
  placeholder?: string;
  /** The command cannot run without it. */
  required?: boolean;
}

const flag: OptionSpec = { type: 'boolean' };
const value = (placeholder: string, required = false): OptionSpec => ({ type: 'string', placeholder, ...(required ? { required } : {}) });

type OptionName<C extends CommandName> = keyof (typeof COMMANDS)[C]['options'] & string;
type CommonOption = keyof typeof COMMON_OPTIONS;

interface Context {
  progress: ProgressSink;
  quiet: boolean;
}

interface Command<C extends CommandName> {
  /** How many positional arguments it takes: [fewest, most]. */
  positionals: [number, number];
  /** Exactly the options `messages.ts` describes for it (the types keep the two in step). */
  options: { [O in OptionName<C>]: OptionSpec };
  run(args: Args<C>, io: Io, context: Context): Promise<number>;
}

const COMMON: Record<CommonOption, OptionSpec> = { quiet: flag, help: flag };
const RELEASE_DATES = { 'as-at': value(PLACEHOLDER.date), 'published-by': value(PLACEHOLDER.date) };

const COMMAND_SPECS: { [C in CommandName]: Command<C> } = {
  build: {
    positionals: [1, 1],
    options: {
      out: value(PLACEHOLDER.dir),
      ...RELEASE_DATES,
      formats: value(PLACEHOLDER.list),
      draft: flag,
      quick: flag,
      'no-cache': flag,
      force: flag,
      profile: flag,
      trace: value(PLACEHOLDER.file),
    },
    run: buildCommand,
  },
  check: { positionals: [1, 1], options: { ...RELEASE_DATES, quick: flag }, run: checkCommand },
  preview: {
    positionals: [1, 1],
    options: { port: value(PLACEHOLDER.number), host: value(PLACEHOLDER.address), ...RELEASE_DATES },
    run: previewCommand,
  },
  diff: { positionals: [2, 2], options: { html: value(PLACEHOLDER.file), notice: flag }, run: diffCommand },
  next: { positionals: [1, 1], options: { out: value(PLACEHOLDER.file, true), months: value(PLACEHOLDER.number) }, run: nextCommand },
  sweep: { positionals: [1, Number.MAX_SAFE_INTEGER], options: { from: value(PLACEHOLDER.date), to: value(PLACEHOLDER.date) }, run: sweepCommand },
  query: { positionals: [2, 2], options: { csv: flag, ...RELEASE_DATES }, run: queryCommand },
  model: { positionals: [1, 1], options: { ...RELEASE_DATES }, run: modelCommand },
  help: { positionals: [0, 1], options: {}, run: helpCommand },
};

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_SPECS, name);
}

/** Every option a command takes, its own first, then --quiet and --help. */
function optionsOf(name: CommandName): Map<string, OptionSpec> {
  return new Map([...Object.entries(COMMAND_SPECS[name].options as Record<string, OptionSpec>), ...Object.entries(COMMON)]);
}

function flagText(option: string, spec: OptionSpec): string {
  return spec.placeholder ? `--${option} ${spec.placeholder}` : `--${option}`;
}

function helpFor(name: CommandName): string {
  const described: Record<string, string> = { ...COMMANDS[name].options, ...COMMON_OPTIONS };
  const lines = [...optionsOf(name)].map(([option, spec]) => ({
    flag: option === 'help' ? '-h, --help' : flagText(option, spec),
    text: described[option]!,
  }));
  return commandHelp(name, lines, requiredFlags(name));
}

function requiredFlags(name: CommandName): string[] {
  return [...optionsOf(name)].filter(([, spec]) => spec.required).map(([option, spec]) => flagText(option, spec));
}

// ── parsing ─────────────────────────────────────────────────────────────────────────────────

/** A command's arguments once checked against its declaration; values are checked when read. */
class Args<C extends CommandName> {
  constructor(
    readonly command: C,
    readonly positionals: string[],
    private readonly values: Map<string, string | true>,
  ) {}

  has(option: OptionName<C> | CommonOption): boolean {
    return this.values.has(option);
  }

  string(option: OptionName<C>): string | undefined {
    const found = this.values.get(option);
    return typeof found === 'string' ? found : undefined;
  }

  date(option: OptionName<C>): IsoDate | undefined {
    const text = this.string(option);
    if (text !== undefined && !isIsoDate(text)) throw new UsageError(usage.badDate(`--${option}`, text), this.command);
    return text;
  }

  /** A whole number written in digits, within [min, max]. */
  wholeNumber(option: OptionName<C>, min: number, max: number, message: (option: string, value: string) => string): number | undefined {
    const text = this.string(option);
    if (text === undefined) return undefined;
    const number = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(number >= min && number <= max)) throw new UsageError(message(`--${option}`, text), this.command);
    return number;
  }
}

/** Checks `argv` against the command's declaration; `'help'` when --help or -h is among them. */
function parseCommand<C extends CommandName>(name: C, argv: string[]): Args<C> | 'help' {
  const known = optionsOf(name);
  const config = Object.fromEntries([...known].map(([option, spec]) => [option, { type: spec.type, ...(option === 'help' ? { short: 'h' } : {}) }]));
  // Not strict: every token comes back, unknown ones included, and is judged here with a
  // message that names it (parseArgs's own errors do not suggest the option meant).
  const { tokens } = parseArgs({ args: argv, options: config, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((token) => token.kind === 'option' && token.name === 'help')) return 'help';

  const fail = (message: string): never => {
    throw new UsageError(message, name);
  };
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = known.get(token.name);
    // A short group such as `-out` comes back as -o, -u, -t: name what was typed.
    const typed = token.rawName.startsWith('--') ? token.rawName : argv[token.index]!.replace(/=.*/, '');
    if (!spec || !token.rawName.startsWith('--')) {
      const names = [...known.keys()];
      const suggestion = nearest(typed.replace(/^-+/, ''), names);
      fail(usage.unknownOption(name, typed, suggestion && `--${suggestion}`, names.map((n) => `--${n}`)));
    }
    const option = `--${token.name}`;
    if (values.has(token.name)) fail(usage.givenTwice(option));
    if (spec!.type === 'boolean') {
      if (token.value !== undefined) fail(usage.noValueTaken(option, token.value));
      values.set(token.name, true);
      continue;
    }
    if (token.value === undefined) fail(usage.missingValue(option, spec!.placeholder!));
    // `--out --draft`: parseArgs took the next argument as the value. An option there means the
    // value is missing; another dash (`--months -3`) may be meant, written `--months=-3`.
    if (!token.inlineValue && token.value!.startsWith('-') && token.value !== '-') {
      if (/^--?[A-Za-z]/.test(token.value!)) fail(usage.missingValue(option, spec!.placeholder!, token.value!.replace(/=.*/, '')));
      fail(usage.valueStartsWithDash(option, spec!.placeholder!, token.value!));
    }
    values.set(token.name, token.value!);
  }
  const [fewest, most] = COMMAND_SPECS[name].positionals;
  if (positionals.length > most) fail(usage.tooManyArguments(name, positionals[most]!));
  if (positionals.length < fewest) fail(usage.tooFewArguments(name));
  for (const [option, spec] of known) if (spec.required && !values.has(option)) fail(usage.missingOption(name, flagText(option, spec)));
  return new Args(name, positionals, values);
}

// ── commands ────────────────────────────────────────────────────────────────────────────────

async function helpCommand(args: Args<'help'>, io: Io): Promise<number> {
  const [topic] = args.positionals;
  if (topic === undefined) io.out(programHelp());
  else if (isCommand(topic)) io.out(helpFor(topic));
  else throw new UsageError(usage.unknownCommand(topic, nearest(topic, Object.keys(COMMAND_SPECS))));
  return 0;
}

function releaseDates(args: Args<'build' | 'check' | 'preview' | 'query' | 'model'>): { asAt?: IsoDate; publishedBy?: IsoDate } {
  const asAt = args.date('as-at');
  const publishedBy = args.date('published-by');
  return { ...(asAt ? { asAt } : {}), ...(publishedBy ? { publishedBy } : {}) };
}

async function buildCommand(args: Args<'build'>, io: Io, { progress, quiet }: Context): Promise<number> {
  const [configFile] = args.positionals as [string];
  const formatsText = args.string('formats');
  const formats = (formatsText === undefined ? [...FORMATS] : formatsText.split(',').map((f) => f.trim())) as Format[];
  for (const format of formats) if (!FORMATS.includes(format)) throw new UsageError(usage.badFormat('--formats', format), 'build');
  const outDir = resolve(args.string('out') ?? 'output');
  const dates = releaseDates(args);
  const started = performance.now();
  const trace = args.string('trace');
  // Profiling listens to the stage events the progress lines already get.
  const profiler = args.has('profile') || trace !== undefined ? createProfiler() : undefined;
  const options: BuildOptions = {
    configFile,
    outDir,
    formats,
    ...dates,
    ...(args.has('draft') ? { draft: true } : {}),
    gates: args.has('quick') ? 'document' : 'all',
    ...(args.has('no-cache') ? { chartCache: false as const } : {}),
    ...(args.has('force') ? { force: true } : {}),
    progress: bothSinks(progress, profiler),
  };
  let result: Awaited<ReturnType<typeof buildRelease>>;
  try {
    result = await buildRelease(options);
  } finally {
    // A failed build is profiled too: where did the time go before it stopped.
    if (profiler && args.has('profile')) io.err(profiler.report());
    if (profiler && trace !== undefined) {
      profiler.writeTrace(resolve(trace));
      if (!quiet) io.err(say.wroteTrace(trace));
    }
  }
  for (const warning of result.dataset.warnings) io.err(say.warning(warning));
  for (const date of missingComparisons(result.model)) io.err(say.warning(say.missingComparison(formatDate(date))));
  if (quiet) return 0;
  const shown = relative(process.cwd(), outDir) || '.';
  io.out(say.built(result.document.meta.title, performance.now() - started));
  for (const [name, written] of result.outputs) io.out(say.builtFile(`${shown}/${name}`, written.bytes));
  io.out(say.passedGates(result.gates.map((g) => g.gate)));
  return 0;
}

async function checkCommand(args: Args<'check'>, io: Io, { progress }: Context): Promise<number> {
  const [configFile] = args.positionals as [string];
  const options: Parameters<typeof checkRelease>[0] = { configFile, ...releaseDates(args), ...(args.has('quick') ? { quick: true } : {}), progress };
  const results = await checkRelease(options);
  io.out(`${formatGateReport(results)}\n`);
  const failed = results.filter((r) => r.findings.length > 0).length;
  io.out(say.checkSummary(failed, results.length));
  return failed === 0 ? 0 : 1;
}

async function diffCommand(args: Args<'diff'>, io: Io, { quiet }: Context): Promise<number> {
  const [oldPath, newPath] = args.positionals as [string, string];
  const html = args.string('html');
  const { diffDocuments, loadSide, formatDiff, renderDiffHtml, draftRevisionNotice } = await import('../tools/diff.js');
  const [before, after] = [loadSide(oldPath), loadSide(newPath)];
  const report = diffDocuments(before.document, after.document, { old: oldPath, new: newPath }, { old: before.values, new: after.values });
  io.out(formatDiff(report));
  if (html !== undefined) {
    writeFileSync(html, renderDiffHtml(report));
    if (!quiet) io.out(say.wroteDiffHtml(html));
  }
  if (args.has('notice')) io.out(say.revisionNotice(draftRevisionNotice(report)));
  return 0;
}

async function previewCommand(args: Args<'preview'>, io: Io, { progress }: Context): Promise<number> {
  const [configFile] = args.positionals as [string];
  const port = args.wholeNumber('port', 0, 65535, usage.badPort) ?? 4173;
  const host = args.string('host');
  const dates = releaseDates(args);
  const { startPreview } = await import('../tools/preview.js');
  const options: PreviewOptions = {
    configFile,
    port,
    ...(host !== undefined ? { host } : {}),
    ...dates,
    log: (line) => io.err(`${line}\n`),
    progress,
  };
  const server = await startPreview(options);
  io.out(say.previewing(configFile, server.url));
  // Ctrl+C is how a preview ends: it closes the server (and any Chromium printing a PDF).
  await new Promise<void>((resolveStop) => {
    const release = onInterrupt(() => {
      release();
      void runShutdown().then(() => server.close()).then(resolveStop);
    });
  });
  return 0;
}

async function sweepCommand(args: Args<'sweep'>, io: Io): Promise<number> {
  const { coveredSpan, formatSweep, nextQuarterEnd, quarterEnds, sweepRelease } = await import('../tools/sweep.js');
  const { nodeEffects } = await import('../platform/effects.js');
  const effects = nodeEffects();
  const from = args.date('from');
  const to = args.date('to');
  let faults = 0;
  for (const configFile of args.positionals) {
    const span = from && to ? { from, to } : coveredSpan(configFile, effects);
    const rows = await sweepRelease(configFile, quarterEnds(nextQuarterEnd(from ?? span.from), to ?? span.to), effects);
    io.out(formatSweep(configFile, rows));
    faults += rows.filter((r) => r.result === 'internal error' || (r.result === 'refused' && r.gates.length > 0)).length;
  }
  return faults > 0 ? 1 : 0;
}

/** The release's pipeline, for the commands that explore its data model. */
async function explorePipeline(args: Args<'query' | 'model'>, progress: ProgressSink) {
  const { Pipeline } = await import('../pipeline/pipeline.js');
  const { nodeEffects } = await import('../platform/effects.js');
  return new Pipeline({ configFile: args.positionals[0]!, ...releaseDates(args) }, nodeEffects({ progress }));
}

async function queryCommand(args: Args<'query'>, io: Io, { progress }: Context): Promise<number> {
  const sql = args.positionals[1]!;
  const pipeline = await explorePipeline(args, progress);
  const { runQuery } = await import('../query/database.js');
  const { queryParameters } = await import('../query/model.js');
  const { formatResultCsv, formatResultTable } = await import('../query/explore.js');
  const engine = pipeline.database();
  const result = runQuery(engine, { name: '', sql, file: '' }, queryParameters(pipeline.config().period));
  io.out(args.has('csv') ? formatResultCsv(result) : `${formatResultTable(result)}\n`);
  return 0;
}

async function modelCommand(args: Args<'model'>, io: Io, { progress }: Context): Promise<number> {
  const pipeline = await explorePipeline(args, progress);
  const { DATA_MODEL } = await import('../query/model.js');
  const { formatModel, valuePaths } = await import('../query/explore.js');
  const { templateContext } = await import('../narrate/narrate.js');
  const engine = pipeline.database();
  const counts = new Map(DATA_MODEL.map((r) => [r.name, engine.query(`SELECT count(*) FROM "${r.name}"`).rows[0]![0] as number]));
  const context = templateContext(pipeline.model(), pipeline.config(), pipeline.dataset());
  io.out(formatModel({ counts, queries: pipeline.templates().queries, results: pipeline.queries(), paths: valuePaths(context) }));
  return 0;
}

async function nextCommand(args: Args<'next'>, io: Io, { quiet }: Context): Promise<number> {
  const [configFile] = args.positionals as [string];
  const out = args.string('out')!;
  const months = args.wholeNumber('months', 1, Number.MAX_SAFE_INTEGER, usage.badMonths) ?? 3;
  if (existsSync(out)) throw new UsageError(usage.outExists(out), 'next');
  const next = rollReleaseConfig(configFile, months);
  writeFileSync(out, next.yaml);
  if (!quiet) io.out(say.wroteNext(out, formatDate(next.asAt), formatDate(next.published), next.nextUpdate, next.acknowledgementsDropped));
  return 0;
}

// ── entry ───────────────────────────────────────────────────────────────────────────────────

async function main(argv: string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.out(programHelp());
    return 2;
  }
  // `statpress --help [command]` is `statpress help [command]`.
  const name = first === '--help' || first === '-h' ? 'help' : first;
  if (!isCommand(name)) {
    if (name.startsWith('-')) throw new UsageError(usage.optionBeforeCommand(name));
    throw new UsageError(usage.unknownCommand(name, nearest(name, Object.keys(COMMAND_SPECS))));
  }
  return runCommand(name, rest, io);
}

async function runCommand<C extends CommandName>(name: C, argv: string[], io: Io): Promise<number> {
  const args = parseCommand(name, argv);
  if (args === 'help') {
    io.out(helpFor(name));
    return 0;
  }
  const quiet = args.has('quiet');
  const progress = createProgress((line) => io.err(`${line}\n`), { quiet });
  try {
    return await COMMAND_SPECS[name].run(args, io, { progress, quiet });
  } finally {
    progress.done();
  }
}

/** Runs one command; never throws; returns the exit status (0 ok, 1 bad input, 2 usage, 70 bug). */
export async function runCli(argv: string[], io: Io): Promise<number> {
  try {
    return await main(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(say.usageError(error.message, error.command));
      return 2;
    }
    if (error instanceof StatpressError) {
      io.err(say.inputError(error.describe()));
      return 1;
    }
    // The machine said no (a file that cannot be read or written, a full disk): say what, not how.
    const system = error as NodeJS.ErrnoException;
    if (system && typeof system.code === 'string' && typeof system.syscall === 'string') {
      io.err(say.systemError(`could not ${system.syscall}${system.path ? ` ${system.path}` : ''}: ${reason(system)}`));
      return 1;
    }
    io.err(say.internalError((error as Error).stack ?? String(error)));
    return 70;
  }
}

