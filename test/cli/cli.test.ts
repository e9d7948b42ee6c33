/** The command line: what it writes, what it prints, its exit status, and that a failed build changes nothing. */
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
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
    const result = await run('build', RELEASE_2025, '--out', out, '--formats', 'html');
    expect(result.err).toBe('');
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
    const result = await run('build', RELEASE_2025, '--out', out, '--formats', 'html', '--as-at', '2024-03-31', '--published-by', '2024-06-30');
    expect(result.code).toBe(0);
    expect(readFileSync(join(out, 'main-findings.html'), 'utf8')).toMatch(/<title>Main findings: local authority inspection outcomes as at 31 March 2024<\/title>/);
  });

  it('warns when a comparison date asked for has no figures', async () => {
    const out = join(tempDir(), 'release');
    // Three years before 30 June 2025 is before the history is complete, and not in the published series.
    const result = await run('build', RELEASE_2025, '--out', out, '--formats', 'html', '--quick', '--as-at', '2025-06-30');
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^statpress: warning: no figures as at 30 June 2022 to compare with/m);
    const normal = await run('build', RELEASE_2025, '--out', join(tempDir(), 'release'), '--formats', 'html', '--quick');
    expect(normal.err).not.toMatch(/no figures as at/);
  });

  it('marks a draft', async () => {
    const out = join(tempDir(), 'release');
    expect((await run('build', RELEASE_2025, '--out', out, '--formats', 'html', '--draft')).code).toBe(0);
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
    // A copy of the release beside the real one, so its relative paths still resolve.
    const current = releaseVariant(() => {}, dir);
    const result = await run('next', current, '--out', next);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/as at 30 June 2025, to be published 25 December 2025/);
    const text = readFileSync(next, 'utf8');
    expect(text).toMatch(/asAt: 2025-06-30/);
    expect(text).not.toMatch(/publishedBy:/);
    const out = join(dir, 'out');
    expect((await run('build', next, '--out', out, '--formats', 'html')).code).toBe(0);
    const html = readFileSync(join(out, 'main-findings.html'), 'utf8').replace(/<[^>]+>/g, '');
    expect(html).toContain('Inspections as at 30 June 2025, with a report published by 30 September 2025');
    expect(html).toContain('from 1 July 2024 to 30 June 2025');
    expect((await run('next', current, '--out', next)).err).toMatch(/already exists/);
  });
});

describe('statpress check', () => {
  it('runs every gate on the 2025 release and says what each guarantees', async () => {
    const result = await run('check', RELEASE_2025);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/pass {2}numbers-trace: every number in the narrative is a value computed from the data/);
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
    const result = await run('check', variant);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/FAIL {2}numbers-trace/);
    expect(result.out).toMatch(/"52" in "We found problems in 52 inspections\." is not a computed value/);
    const build = await run('build', variant, '--out', join(dir, 'out'), '--formats', 'html');
    expect(build.code).toBe(1);
    expect(build.err).toMatch(/fails its quality gates/);
  });
});
