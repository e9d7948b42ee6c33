/**
 * Everything the command line says to a user — help, usage errors, progress lines and the
 * summaries commands print — so the wording lives in one place. Nothing here decides
 * behaviour: `main.ts` declares the commands and options, this module describes them.
 */
import { FORMATS } from '../pipeline/build.js';

export type CommandName = 'build' | 'check' | 'preview' | 'diff' | 'next' | 'sweep' | 'query' | 'model' | 'help';

export interface CommandText {
  /** One line, shown in the list of commands. */
  summary: string;
  /** The positional arguments as the usage line writes them (e.g. `<release.yaml>`), each with what it is. */
  arguments: Readonly<Record<string, string>>;
  /** The usage error for too few arguments: "<command> needs …". */
  needs: string;
  /** One line per option, keyed by the option's long name without dashes. */
  options: Readonly<Record<string, string>>;
}

const DATE = 'YYYY-MM-DD';
const AS_AT = "the as-at date (the other dates follow the config's rules)";
const PUBLISHED_BY = 'count only reports published by this date';

/** Options every command takes; `main.ts` adds them to each command. */
export const COMMON_OPTIONS = {
  quiet: 'no progress lines or summary; errors and warnings still print',
  help: 'show this help',
} as const;

export const COMMANDS = {
  build: {
    summary: 'build the release into an output folder',
    arguments: { '<release.yaml>': 'the release config (one YAML file)' },
    needs: 'a release config file, e.g. statpress build releases/NAME.yaml',
    options: {
      out: 'output folder (default: output)',
      'as-at': AS_AT,
      'published-by': PUBLISHED_BY,
      formats: `comma-separated list of ${FORMATS.join(', ')} (default: all of them)`,
      draft: 'mark the release as a draft',
      quick: 'skip the gates that need a browser; the document checks still run',
      'no-cache': 'draw every chart afresh (STATPRESS_CACHE_DIR=off does the same)',
      force: 'replace the output folder even if it is not a statpress output (it has no manifest.json)',
      profile: "print each stage's wall and CPU time when the build ends (on stderr)",
      trace: 'write a Chrome trace of the stages to FILE (JSON trace events: chrome://tracing, ui.perfetto.dev)',
    },
  },
  check: {
    summary: 'build every format in memory and report on every quality gate',
    arguments: { '<release.yaml>': 'the release config (one YAML file)' },
    needs: 'a release config file, e.g. statpress check releases/NAME.yaml',
    options: {
      'as-at': AS_AT,
      'published-by': PUBLISHED_BY,
      quick: "only the documents' own checks (numbers, claims, style…): no browser, no PDF or Word file",
    },
  },
  preview: {
    summary: 'serve the draft on http://127.0.0.1:4173/ and rebuild it on every save',
    arguments: { '<release.yaml>': 'the release config; it and its data, templates and chart specs are watched' },
    needs: 'a release config file, e.g. statpress preview releases/NAME.yaml',
    options: {
      port: 'port to serve on (default: 4173)',
      host: 'address to serve on (default: 127.0.0.1; 0.0.0.0 for the network)',
      'as-at': AS_AT,
      'published-by': PUBLISHED_BY,
    },
  },
  diff: {
    summary: 'what changed between two releases: sentences, numbers, table cells',
    arguments: {
      '<old>': 'the earlier release: a build\'s output folder or its manifest.json, or a release config (built in memory)',
      '<new>': 'the later release, the same way',
    },
    needs: 'two builds (output folders) or two release configs: statpress diff OLD NEW',
    options: {
      html: 'also write a side-by-side page with the changes marked',
      notice: 'draft the revision notice: every figure that moved, old and new',
    },
  },
  next: {
    summary: "write the next quarter's release config",
    arguments: { '<release.yaml>': 'the current release config (its comments are kept in the new one)' },
    needs: 'a release config and --out FILE for the new one',
    options: {
      out: 'the new release config (must not exist yet)',
      months: 'move the dates on N months instead of 3 (12 for an annual release)',
    },
  },
  sweep: {
    summary: 'build every quarter-end a release could cover, as drafts, and say which build or why not',
    arguments: { '<release.yaml>…': 'one or more release configs' },
    needs: 'one or more release configs',
    options: {
      from: 'the first as-at date to try (default: where the sources start)',
      to: 'the last as-at date to try (default: where the sources end, or today)',
    },
  },
  query: {
    summary: "answer a SQL query from the release's data model, as a table",
    arguments: {
      '<release.yaml>': 'the release config',
      '<sql>': 'one SQL query over the tables and views of docs/data-model.md (quote it)',
    },
    needs: 'a release config and a SQL query: statpress query releases/NAME.yaml "SELECT …"',
    options: {
      csv: 'print the result as CSV instead of a table',
      'as-at': AS_AT,
      'published-by': PUBLISHED_BY,
    },
  },
  model: {
    summary: 'list every table, view, named query and template value, with current values',
    arguments: { '<release.yaml>': 'the release config' },
    needs: 'a release config file, e.g. statpress model releases/NAME.yaml',
    options: {
      'as-at': AS_AT,
      'published-by': PUBLISHED_BY,
    },
  },
  help: {
    summary: 'show the help for a command, or this list',
    arguments: { '[command]': 'a command; without one, the list of commands' },
    needs: 'nothing',
    options: {},
  },
} as const satisfies Record<CommandName, CommandText>;

const EXIT_STATUS = `Exit status: 0 on success; 1 for bad input (the message names the file, row, column and
value) or a failed quality gate; 2 for a usage error; 130 or 143 when stopped by Ctrl+C or
SIGTERM. A failed or stopped build leaves the previous output as it was.`;

/** One option as the help shows it: `--out DIR`, and what it does. */
export interface OptionLine {
  flag: string;
  text: string;
}

function columns(rows: Array<[string, string]>, width = widthOf(rows)): string {
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join('\n');
}

function widthOf(rows: Array<[string, string]>): number {
  return Math.max(...rows.map(([left]) => left.length)) + 2;
}

function argumentsOf(name: CommandName): string[] {
  return Object.keys(COMMANDS[name].arguments);
}

function usageLine(name: CommandName, required: readonly string[]): string {
  return ['statpress', name, ...argumentsOf(name), ...required, '[options]'].join(' ');
}

/** `statpress <command> --help`; `required` are the options it cannot run without, e.g. `--out FILE`. */
export function commandHelp(name: CommandName, options: OptionLine[], required: readonly string[] = []): string {
  const text: CommandText = COMMANDS[name];
  const argumentRows = Object.entries(text.arguments);
  const optionRows = options.map((option): [string, string] => [option.flag, option.text]);
  const width = widthOf([...argumentRows, ...optionRows]);
  return `statpress ${name}: ${text.summary}

Usage: ${usageLine(name, required)}

Arguments:
${columns(argumentRows, width)}

Options:
${columns(optionRows, width)}
`;
}

/** `statpress --help`: the commands. */
export function programHelp(): string {
  const rows = (Object.keys(COMMANDS) as CommandName[]).map((name): [string, string] => [`${name} ${argumentsOf(name).join(' ')}`, COMMANDS[name].summary]);
  return `statpress: build official-statistics releases from data, templates and chart specs

Usage: statpress <command> [arguments] [options]

Commands:
${columns(rows)}

Run "statpress help <command>" or "statpress <command> --help" for a command's options.
Every command takes --quiet (no progress lines or summary) and --help.

${EXIT_STATUS}
`;
}

// ── usage errors ────────────────────────────────────────────────────────────────────────────

export const usage = {
  /** Printed after every usage error. */
  seeHelp: (name?: CommandName) => `Run "statpress ${name ? `${name} ` : ''}--help" for usage.`,
  unknownCommand: (name: string, suggestion: string | undefined) =>
    `unknown command "${name}"; ${suggestion ? `did you mean "${suggestion}"?` : `the commands are ${Object.keys(COMMANDS).join(', ')}`}`,
  optionBeforeCommand: (arg: string) => `${arg} comes before the command; write the command first, e.g. statpress build releases/NAME.yaml ${arg}`,
  unknownOption: (name: CommandName, arg: string, suggestion: string | undefined, known: string[]) =>
    `unknown option ${arg} for ${name}; ${suggestion ? `did you mean ${suggestion}?` : `its options are ${known.join(', ')}`}`,
  missingValue: (option: string, placeholder: string, followedBy?: string) =>
    `${option} needs a value: ${option} ${placeholder}${followedBy === undefined ? '' : ` (it is followed by the option ${followedBy})`}`,
  valueStartsWithDash: (option: string, placeholder: string, value: string) =>
    `${option} needs a value (${placeholder}) and is followed by ${JSON.stringify(value)}; to give a value that starts with "-", write ${option}=${value}`,
  noValueTaken: (option: string, value: string) => `${option} takes no value, got ${JSON.stringify(value)}`,
  givenTwice: (option: string) => `${option} is given more than once`,
  tooFewArguments: (name: CommandName) => `${name} needs ${COMMANDS[name].needs}`,
  tooManyArguments: (name: CommandName, extra: string) => {
    const taken = argumentsOf(name);
    const count = taken.length === 1 ? `one argument, ${taken[0]}` : `${taken.length} arguments, ${taken.join(' ')}`;
    return `${name} takes ${count}; ${JSON.stringify(extra)} is one too many`;
  },
  missingOption: (name: CommandName, flag: string) => `${name} needs ${flag}`,
  badDate: (option: string, value: string) => `${option} needs a date written YYYY-MM-DD, got ${JSON.stringify(value)}`,
  badMonths: (option: string, value: string) => `${option} needs a whole number of months (1 or more), got ${JSON.stringify(value)}`,
  badPort: (option: string, value: string) => `${option} needs a port number from 0 to 65535, got ${JSON.stringify(value)}`,
  badFormat: (option: string, format: string) =>
    `unknown format ${JSON.stringify(format)} in ${option} (expected a comma-separated list of ${FORMATS.join(', ')})`,
  outExists: (file: string) => `${file} already exists; choose a new file name`,
};

/** The placeholder written after an option that takes a value, e.g. `--as-at YYYY-MM-DD`. */
export const PLACEHOLDER = { date: DATE, dir: 'DIR', file: 'FILE', number: 'N', list: 'LIST', address: 'ADDR' } as const;

// ── what commands print ─────────────────────────────────────────────────────────────────────

export const say = {
  usageError: (message: string, name?: CommandName) => `statpress: ${message}\n${usage.seeHelp(name)}\n`,
  inputError: (description: string) => `statpress: error: ${description}\n`,
  internalError: (detail: string) => `statpress: internal error: ${detail}\n`,
  stopped: (signal: string) => `statpress: stopped (${signal}): Chromium closed, nothing half-written left behind, the previous output as it was\n`,
  systemError: (what: string) => `statpress: error: ${what}\n`,
  warning: (text: string) => `statpress: warning: ${text}\n`,
  missingComparison: (date: string) =>
    `no figures as at ${date} to compare with: the data cannot rebuild that date and the published series does not give it, so the release compares with fewer dates`,
  built: (title: string, ms: number) => `Built "${title}" in ${Math.round(ms)} ms:\n`,
  builtFile: (path: string, bytes: number) => `  ${path}  (${(bytes / 1024).toFixed(1)} KB)\n`,
  passedGates: (gates: string[]) => `Passed ${gates.length} quality gates: ${gates.join(', ')}.\n`,
  checkSummary: (failed: number, total: number) => (failed === 0 ? `All ${total} gates pass.\n` : `${failed} of ${total} gates fail.\n`),
  wroteTrace: (file: string) => `Wrote the trace of the build's stages to ${file}.\n`,
  wroteDiffHtml: (file: string) => `Wrote the side-by-side comparison to ${file}.\n`,
  revisionNotice: (notice: string) => `\nDraft revision notice (edit, then put it under meta.revision.reason):\n\n${notice}\n`,
  previewing: (configFile: string, url: string) =>
    `Previewing ${configFile} at ${url} (Ctrl+C to stop). Edit the config, data, templates or chart specs and the page reloads.\n`,
  wroteNext: (file: string, asAt: string, published: string, nextUpdate: string | undefined, acknowledgementsDropped: boolean) =>
    `Wrote ${file}: as at ${asAt}, to be published ${published}${nextUpdate ? `, next update ${nextUpdate}` : ''}.\n` +
    `Point its sources at the new data files (with what each covers), check the dates${nextUpdate ? '' : ' and set meta.nextUpdate'}${acknowledgementsDropped ? ', write this edition\'s meta.acknowledgements' : ''}, then build it.\n`,
};

// ── progress ────────────────────────────────────────────────────────────────────────────────

/** What each pipeline stage is doing, as a progress line says it. */
const STAGES: Readonly<Record<string, string>> = {
  config: 'reading the release config',
  load: 'reading the data',
  compute: 'computing the statistics',
  templates: 'reading the templates',
  narrate: 'writing the narrative',
  check: 'checking the document',
  charts: 'drawing the charts',
  html: 'writing the web page',
  data: 'writing the underlying data',
  docx: 'writing the Word version',
  pdf: 'printing the PDF',
  gates: 'running the quality gates',
  write: 'writing the output files',
};

export function stageLabel(stage: string): string {
  return Object.hasOwn(STAGES, stage) ? STAGES[stage]! : stage;
}

export const progressLine = {
  /** A stage still running after the reporter's delay. */
  running: (stage: string) => `statpress: ${stageLabel(stage)}…`,
  /** A slow stage that kept the reporter from speaking while it ran (it blocked the event loop). */
  took: (stage: string, ms: number) => `statpress: ${stageLabel(stage)}… took ${(ms / 1000).toFixed(1)} s`,
};
