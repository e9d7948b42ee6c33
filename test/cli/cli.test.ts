/** The command line: what it writes, what it prints, its exit status, and that a failed build changes nothing. */
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { COMMANDS, COMMON_OPTIONS, type CommandName } from '../../src/cli/messages.js';
import { editedData, RELEASE_2025, releaseVariant, ROOT, sharedRelease, tempDir } from '../support.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('statpress build', () => {
  it('writes the release and says what it wrote', async () => {
    const out = join(tempDir(), 'release');
    const result = await run('build', RELEASE_2025, '--out', out, '--formats', 'html', '--quick');
    // Nothing on stderr but progress lines for stages that ran over a second (a loaded machine).
    expect(result.err.split('\n').filter((line) => line && !/^statpress: [^:]+…( took [\d.]+ s)?$/.test(line))).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Built "Main findings: local authority inspection outcomes as at 31 March 2025"/);
    expect(result.out).toMatch(/main-findings\.html/);
    expect(readFileSync(join(out, 'main-findings.html'), 'utf8')).toMatch(/<h1 class="govuk-heading-xl">Main findings/);
  });

  it('leaves the previous output untouched when the input is bad, and exits 1 naming the place', async () => {
    // The previous output: a copy of the release built for the whole run (every format).
    const out = join(tempDir(), 'release');
    cpSync((await sharedRelease()).dir, out, { recursive: true });
    const snapshot = () =>
      Object.fromEntries(readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => [join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name)).toString('base64')]));
    const before = snapshot();
    const mtime = statSync(join(out, 'main-findings.html')).mtimeMs;
    const broken = editedData('ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv', (t) => t.replace('2019-02-18', '2019-02-31'));
    const variant = releaseVariant((c) => {
      c.sources[0].file = broken;
    });
    const result = await run('build', variant, '--out', out, '--formats', 'html');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/ILACS_inspection_history\.csv, row 2, column "Inspection date", value "2019-02-31": not a real date/);
    expect(result.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(snapshot()).toEqual(before);
    expect(Object.keys(before).length).toBeGreaterThan(3);
    expect(statSync(join(out, 'main-findings.html')).mtimeMs).toBe(mtime);
    expect(readdirSync(join(out, '..')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('builds another as-at date from flags alone', async () => {
    const out = join(tempDir(), 'release');
    const result = await run('build', RELEASE_2025, '--out', out, '--formats', 'html', '--quick', '--as-at', '2024-03-31', '--published-by', '2024-06-30');
    expect(result.code).toBe(0);
    expect(readFileSync(join(out, 'main-findings.html'), 'utf8')).toMatch(/<title>Main findings: local authority inspection outcomes as at 31 March 2024<\/title>/);
  });

  it('warns when a comparison date asked for has no figures', async () => {
    const out = join(tempDir(), 'release');
    // Two years before 30 June 2024 is before the history is complete, and not in the published series.
    const result = await run('build', RELEASE_2025, '--out', out, '--formats', 'html', '--quick', '--as-at', '2024-06-30', '--draft');
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^statpress: warning: no figures as at 30 June 2022 to compare with/m);
    const normal = await run('build', RELEASE_2025, '--out', join(tempDir(), 'release'), '--formats', 'html', '--quick');
    expect(normal.err).not.toMatch(/no figures as at/);
  });

  it('marks a draft', async () => {
    const out = join(tempDir(), 'release');
    expect((await run('build', RELEASE_2025, '--out', out, '--formats', 'html,ods,csv', '--draft', '--quick')).code).toBe(0);
    const html = readFileSync(join(out, 'main-findings.html'), 'utf8');
    expect(html).toMatch(/<title>DRAFT: /);
    expect(html).toMatch(/class="app-draft"/);
    // The data published with it say so too.
    expect(readFileSync(join(out, 'data/data-guidance.txt'), 'utf8')).toMatch(/^.*\n\nDRAFT: not for publication\./);
    const JSZip = (await import('jszip')).default;
    const ods = await JSZip.loadAsync(readFileSync(join(out, 'underlying-data.ods')));
    expect(await ods.file('meta.xml')!.async('string')).toContain('<dc:title>DRAFT: ');
    expect(await ods.file('content.xml')!.async('string')).toContain('DRAFT: not for publication');
  });

  it('rejects usage errors with exit 2 and help', async () => {
    expect((await run('build')).code).toBe(2);
    expect((await run('build', RELEASE_2025, '--as-at', '31/03/2025')).err).toMatch(/--as-at needs a date written YYYY-MM-DD/);
    expect((await run('build', RELEASE_2025, '--formats', 'html,rtf')).err).toMatch(/unknown format "rtf"/);
    expect((await run('frobnicate')).code).toBe(2);
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage:/);
  });

  it('reports a missing config file as bad input', async () => {
    const result = await run('build', join(tempDir(), 'nope.yaml'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/nope\.yaml: file not found/);
  });
});


describe('statpress next', () => {
  it('writes the next quarter\'s config, which builds with the dates derived by the rules', async () => {
    const dir = tempDir();
    const next = join(dir, 'next.yaml');
    // The 2024 edition as its own config, beside the real one so relative paths still resolve:
    // its next quarter (30 June 2024) is one the data cover.
    const current = releaseVariant((c) => {
      c.period.asAt = '2024-03-31';
      delete c.period.publishedBy;
      c.meta.published = '2024-08-30';
      c.meta.nextUpdate = 'September 2025';
      c.meta.context = c.editions['2024-03-31'].context;
      delete c.editions;
    }, dir);
    const result = await run('next', current, '--out', next);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/as at 30 June 2024, to be published 30 November 2024, next update December 2025/);
    expect(result.out).toMatch(/write this edition's meta\.acknowledgements/);
    const text = readFileSync(next, 'utf8');
    expect(text).toMatch(/asAt: 2024-06-30/);
    expect(text).not.toMatch(/publishedBy:/);
    expect(text).not.toMatch(/acknowledgements:/);
    const out = join(dir, 'out');
    expect((await run('build', next, '--out', out, '--formats', 'html', '--quick')).code).toBe(0);
    const html = readFileSync(join(out, 'main-findings.html'), 'utf8').replace(/<[^>]+>/g, '');
    expect(html).toContain('Inspections as at 30 June 2024, with a report published by 30 September 2024');
    expect(html).toContain('from 1 July 2023 to 30 June 2024');
    expect((await run('next', current, '--out', next)).err).toMatch(/already exists/);
  });

  it('writes a next quarter the data do not cover yet, which is refused until its sources are', async () => {
    const dir = tempDir();
    const next = join(dir, 'next.yaml');
    expect((await run('next', releaseVariant(() => {}, dir), '--out', next)).code).toBe(0);
    const result = await run('build', next, '--out', join(dir, 'out'), '--formats', 'html', '--quick');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/as at 30 June 2025 counts standard inspections and short inspections .* but ofsted-la-outcomes\/csv-2025\/ILACS_inspection_history\.csv covers/);
  });
});

describe('statpress check', () => {
  it('runs every gate on the 2025 release and says what each guarantees', async () => {
    const result = await run('check', RELEASE_2025);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/pass {2}numbers-trace: every number in the narrative is a value computed from the data/);
    // The gates on the formats and on the package a publisher uploads run too.
    for (const gate of ['accessibility', 'pdf-ua', 'docx-structure', 'agreement', 'govspeak', 'release']) expect(result.out).toMatch(new RegExp(`pass {2}${gate}: `));
    expect(result.out).toMatch(/All \d+ gates pass/);
  });

  it('fails, naming the place, when a template types a number', async () => {
    const dir = tempDir();
    const { cpSync, writeFileSync: write, readFileSync: read } = await import('node:fs');
    cpSync(join(ROOT, 'templates/ofsted-main-findings'), join(dir, 'templates'), { recursive: true });
    // The template lint allows listed phrases; a number hidden in one must still be caught.
    const setFile = join(dir, 'templates/template-set.yaml');
    write(setFile, `${read(setFile, 'utf8')}\nallowDigits: ["in 52 inspections"]\n`);
    const section = join(dir, 'templates/in-year.md.hbs');
    write(section, `${read(section, 'utf8')}\nWe found problems in 52 inspections.\n`);
    const variant = releaseVariant((c) => {
      c.templates = join(dir, 'templates');
    }, dir);
    const result = await run('check', variant, '--quick');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/FAIL {2}numbers-trace/);
    expect(result.out).not.toMatch(/pdf-ua/);
    expect(result.out).toMatch(/"52" in "We found problems in 52 inspections\." is not a computed value/);
    const build = await run('build', variant, '--out', join(dir, 'out'), '--formats', 'html');
    expect(build.code).toBe(1);
    expect(build.err).toMatch(/fails its quality gates/);
  });
});

describe('statpress arguments', () => {
  it('names an unknown option and the option of that command it is nearest to', async () => {
    const out = join(tempDir(), 'x.yaml');
    const result = await run('next', RELEASE_2025, '--out', out, '--month', '12');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/unknown option --month for next; did you mean --months\?/);
    expect(result.err).toMatch(/Run "statpress next --help" for usage/);
    expect(existsSync(out)).toBe(false);
    // Nearest among the command's own options: --out is a build option, not a check one.
    expect((await run('check', RELEASE_2025, '--out', out)).err).toMatch(/unknown option --out for check; its options are --as-at, --published-by, --quick, --quiet, --help/);
    expect((await run('build', RELEASE_2025, '--formts', 'html')).err).toMatch(/unknown option --formts for build; did you mean --formats\?/);
    expect((await run('build', RELEASE_2025, '-out', out)).err).toMatch(/unknown option -out for build; did you mean --out\?/);
    const command = await run('buidl', RELEASE_2025);
    expect(command.code).toBe(2);
    expect(command.err).toMatch(/unknown command "buidl"; did you mean "build"\?/);
  });

  it('refuses an option without its value, and a value for an option that takes none', async () => {
    const out = join(tempDir(), 'x.yaml');
    const atEnd = await run('next', RELEASE_2025, '--out');
    expect(atEnd.code).toBe(2);
    expect(atEnd.err).toMatch(/--out needs a value: --out FILE/);
    const beforeOption = await run('next', RELEASE_2025, '--out', '--months', '12');
    expect(beforeOption.code).toBe(2);
    expect(beforeOption.err).toMatch(/--out needs a value: --out FILE \(it is followed by the option --months\)/);
    expect((await run('build', RELEASE_2025, '--as-at')).err).toMatch(/--as-at needs a value: --as-at YYYY-MM-DD/);
    const draft = await run('build', RELEASE_2025, '--draft=yes');
    expect(draft.code).toBe(2);
    expect(draft.err).toMatch(/--draft takes no value, got "yes"/);
    const required = await run('next', RELEASE_2025);
    expect(required.code).toBe(2);
    expect(required.err).toMatch(/next needs --out FILE/);
    const twice = await run('next', RELEASE_2025, '--out', out, '--out', out);
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/--out is given more than once/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a bad value, naming the option and the value', async () => {
    const out = join(tempDir(), 'x.yaml');
    const cases: Array<[string[], RegExp]> = [
      [['build', RELEASE_2025, '--as-at', '2025-02-30'], /--as-at needs a date written YYYY-MM-DD, got "2025-02-30"/],
      [['build', RELEASE_2025, '--published-by', 'June'], /--published-by needs a date written YYYY-MM-DD, got "June"/],
      [['build', RELEASE_2025, '--formats', 'html,,pdf'], /unknown format "" in --formats/],
      [['check', RELEASE_2025, '--as-at', '31/03/2025'], /--as-at needs a date written YYYY-MM-DD, got "31\/03\/2025"/],
      [['next', RELEASE_2025, '--out', out, '--months', '1.5'], /--months needs a whole number of months \(1 or more\), got "1\.5"/],
      [['next', RELEASE_2025, '--out', out, '--months', '0'], /--months needs a whole number of months \(1 or more\), got "0"/],
      [['next', RELEASE_2025, '--out', out, '--months=-3'], /--months needs a whole number of months \(1 or more\), got "-3"/],
      [['preview', RELEASE_2025, '--port', '80x'], /--port needs a port number from 0 to 65535, got "80x"/],
      [['preview', RELEASE_2025, '--port', '65536'], /--port needs a port number from 0 to 65535, got "65536"/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.err, argv.join(' ')).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('refuses too many or too few arguments', async () => {
    const extra = await run('build', RELEASE_2025, 'releases/ofsted-2024.yaml', '--quick');
    expect(extra.code).toBe(2);
    expect(extra.err).toMatch(/build takes one argument, <release\.yaml>; "releases\/ofsted-2024\.yaml" is one too many/);
    const three = await run('diff', 'a', 'b', 'c');
    expect(three.code).toBe(2);
    expect(three.err).toMatch(/diff takes 2 arguments, <old> <new>; "c" is one too many/);
    const one = await run('diff', 'a');
    expect(one.code).toBe(2);
    expect(one.err).toMatch(/diff needs two builds/);
    expect((await run('--draft', 'build', RELEASE_2025)).err).toMatch(/--draft comes before the command/);
  });

  it('takes --quiet and --help with every command', async () => {
    for (const name of Object.keys(COMMANDS) as CommandName[]) {
      // No arguments beyond --quiet: whatever the error, it is not about --quiet.
      const result = await run(name, '--quiet', 'a', 'b', 'c');
      expect(result.err, name).not.toMatch(/--quiet/);
      // sweep takes any number of release configs: "a" is then a missing file, not a usage error.
      expect(result.code, name).toBe(name === 'sweep' ? 1 : 2);
      const help = await run(name, '--help');
      expect(help.code, name).toBe(0);
      expect(help.out, name).toMatch(new RegExp(`^statpress ${name}: `));
    }
  });
});

describe('statpress help', () => {
  it('prints a command\'s usage and every option with what it does, however it is asked for', async () => {
    const help = await run('build', '--help');
    expect(help.code).toBe(0);
    expect(help.err).toBe('');
    expect(help.out).toMatch(/^statpress build: build the release into an output folder\n\nUsage: statpress build <release\.yaml> \[options\]/);
    expect(help.out).toMatch(/^ {2}--formats LIST +comma-separated list of html, pdf, docx/m);
    expect(help.out).toMatch(/^ {2}--no-cache +draw every chart afresh/m);
    expect(help.out).toMatch(/^ {2}-h, --help +show this help$/m);
    expect(help.out).not.toMatch(/--months/);
    for (const argv of [['help', 'build'], ['build', '-h'], ['--help', 'build'], ['build', RELEASE_2025, '--bogus', '--help']]) {
      const again = await run(...argv);
      expect(again.code, argv.join(' ')).toBe(0);
      expect(again.out, argv.join(' ')).toBe(help.out);
    }
    const next = await run('help', 'next');
    expect(next.out).toMatch(/Usage: statpress next <release\.yaml> --out FILE \[options\]/);
    expect(next.out).toMatch(/^ {2}--months N +move the dates on N months instead of 3/m);
    // Every option a command declares is in its help, with its line of description.
    for (const name of Object.keys(COMMANDS) as CommandName[]) {
      const { out } = await run('help', name);
      for (const [option, text] of Object.entries({ ...COMMANDS[name].options, ...COMMON_OPTIONS })) {
        expect(out, `${name} --${option}`).toMatch(new RegExp(`^ {2}(-h, )?--${option}\\b.* {2}${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      }
    }
  });

  it('lists the commands', async () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const result = await run(...argv);
      expect(result.code).toBe(0);
      for (const name of Object.keys(COMMANDS)) expect(result.out).toMatch(new RegExp(`^ {2}${name} `, 'm'));
    }
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.out).toMatch(/Commands:/);
    const unknown = await run('help', 'biuld');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command "biuld"; did you mean "build"\?/);
  });
});

describe('statpress --quiet', () => {
  it('builds without the summary but still warns', async () => {
    const out = join(tempDir(), 'release');
    const result = await run('build', RELEASE_2025, '--out', out, '--formats', 'html', '--quick', '--as-at', '2024-06-30', '--draft', '--quiet');
    expect(result.code).toBe(0);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^statpress: warning: no figures as at 30 June 2022 to compare with/);
    expect(result.err.split('\n').filter((line) => line && !line.startsWith('statpress: warning: '))).toEqual([]);
    expect(existsSync(join(out, 'main-findings.html'))).toBe(true);
  });

  it('writes the next config without saying so', async () => {
    const dir = tempDir();
    const next = join(dir, 'next.yaml');
    const result = await run('next', releaseVariant(() => {}, dir), '--out', next, '--quiet');
    expect(result).toEqual({ code: 0, out: '', err: '' });
    expect(readFileSync(next, 'utf8')).toMatch(/asAt: 2025-06-30/);
  });
});
