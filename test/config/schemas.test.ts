/**
 * The JSON Schema files under schema/ are what the zod schemas generate now, and every YAML file
 * in the repository names the schema of its kind on its first line and is valid against it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReleaseConfig } from '../../src/config/config.js';
import { jsonSchemaOf, SCHEMAS, type YamlKind } from '../../src/config/schemas.js';
import { loadTemplateSet } from '../../src/config/template-set.js';
import { YamlFile } from '../../src/config/yaml.js';
import { ROOT } from '../support.js';

/** Every YAML file in the repository (outside installed, built and scratch folders). */
function yamlFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return ['node_modules', 'dist', 'output', 'tmp', '.git'].includes(entry.name) ? [] : yamlFiles(join(dir, entry.name));
    return /\.ya?ml$/.test(entry.name) ? [join(dir, entry.name)] : [];
  });
}

/** The kind of a YAML file by where it lives. */
function kindOf(file: string): YamlKind | undefined {
  const path = relative(ROOT, file).split('\\').join('/');
  if (/^releases\/[^/]+\.yaml$/.test(path)) return 'release';
  if (/^frameworks\/[^/]+\.yaml$/.test(path)) return 'framework';
  if (/^layouts\/[^/]+\.yaml$/.test(path)) return 'layout';
  if (/^templates\/[^/]+\/template-set\.yaml$/.test(path)) return 'template-set';
  // Test fixtures are named by their kind: test/fixtures/CASE/release.yaml, …/templates/template-set.yaml.
  const fixture = /^test\/fixtures\/.+\/(release|framework|layout|template-set)\.yaml$/.exec(path);
  if (fixture) return fixture[1] as YamlKind;
  return undefined;
}

describe('JSON Schema files', () => {
  it('are what the zod schemas generate now (run `npm run schema` after changing a schema)', () => {
    for (const kind of Object.keys(SCHEMAS) as YamlKind[]) {
      const file = join(ROOT, 'schema', SCHEMAS[kind].file);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8'), `schema/${SCHEMAS[kind].file} is stale`).toBe(jsonSchemaOf(kind));
    }
    expect(readdirSync(join(ROOT, 'schema')).sort()).toEqual(Object.values(SCHEMAS).map((s) => s.file).sort());
  });

  it('refuse unknown keys, as the loaders do', () => {
    for (const kind of Object.keys(SCHEMAS) as YamlKind[]) {
      const schema = JSON.parse(jsonSchemaOf(kind)) as { type: string; additionalProperties: boolean; title: string };
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
      expect(schema.title).toMatch(/^statpress /);
    }
  });
});

describe('every YAML file in the repository', () => {
  const files = yamlFiles();

  it('is one of the four kinds', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const file of files) expect(kindOf(file), relative(ROOT, file)).toBeDefined();
    for (const kind of Object.keys(SCHEMAS)) expect(files.some((f) => kindOf(f) === kind), kind).toBe(true);
  });

  it('names the schema of its kind on its first line, and the file exists', () => {
    for (const file of files) {
      const first = readFileSync(file, 'utf8').split('\n')[0]!;
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(match, `${relative(ROOT, file)}: first line ${JSON.stringify(first)}`).not.toBeNull();
      const target = resolve(dirname(file), match![1]!);
      expect(existsSync(target), `${relative(ROOT, file)} → ${match![1]}`).toBe(true);
      expect(target, relative(ROOT, file)).toBe(join(ROOT, 'schema', SCHEMAS[kindOf(file)!].file));
    }
  });

  it('is valid against its schema', () => {
    for (const file of files) {
      expect(() => YamlFile.read(file).validate(SCHEMAS[kindOf(file)!].schema), relative(ROOT, file)).not.toThrow();
    }
  });

  it('loads: every release with its framework and layouts, every template set', () => {
    const releases = files.filter((f) => kindOf(f) === 'release');
    const read = new Set(releases.flatMap((f) => loadReleaseConfig(f).inputs));
    // Every framework and layout in the repository is used by some release, so all were loaded.
    for (const file of files.filter((f) => kindOf(f) === 'framework' || kindOf(f) === 'layout')) expect(read.has(file), relative(ROOT, file)).toBe(true);
    for (const file of files.filter((f) => kindOf(f) === 'template-set')) expect(loadTemplateSet(dirname(file)).sections.length).toBeGreaterThan(0);
  });
});
