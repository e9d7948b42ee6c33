/**
 * The one validator for statpress's YAML files (release config, framework, layout, template
 * set): the text is parsed with the positions of every key and value kept, checked against the
 * file's zod schema, and every problem becomes a located error naming the file, the line and
 * column, and the path of the setting. Checks that need more than one file (an id that must exist
 * in the framework, dates in order) use `YamlFile.error` to point at the same places.
 */
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type * as z from 'zod';
import { ErrorList, nearest, StatpressError, type ErrorCode, type ErrorLocation } from '../core/errors.js';

/** A path into a YAML file: mapping keys and list indexes, as zod reports them. */
export type SettingPath = ReadonlyArray<PropertyKey>;

/** "period.asAt", "sources[1].take", "figures[0].columns.count". */
export function settingName(path: SettingPath): string {
  let name = '';
  for (const step of path) name += typeof step === 'number' ? `[${step}]` : name ? `.${String(step)}` : String(step);
  return name;
}

/** Where a setting is in the file: its key (`key`) or what is written after it (`value`). */
type Part = 'key' | 'value';

interface Found {
  /** How many steps of the path were found in the document. */
  depth: number;
  key?: Node;
  value?: Node;
}

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/** How configuration files are read (the pipeline's effects; plain file reads by default). */
export type ReadText = (file: string) => string;
export const readUtf8: ReadText = (file) => readFileSync(file, 'utf8');

/** One YAML file, parsed, with the place of everything in it. */
export class YamlFile {
  /** The plain value of the document, as the schemas see it. */
  readonly data: unknown;

  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {
    try {
      this.data = doc.toJS();
    } catch (error) {
      // Only aliases that expand beyond reason get here; syntax errors were reported already.
      throw new StatpressError('config', `not valid YAML: ${(error as Error).message}`, { file });
    }
  }

  /** Reads and parses a YAML file; a missing file or a syntax error is a located error. */
  static read(file: string, read: ReadText = readUtf8): YamlFile {
    let text: string;
    try {
      text = read(file);
    } catch {
      throw new StatpressError('file-missing', 'file not found', { file });
    }
    return YamlFile.parse(file, text);
  }

  /** Parses YAML text read from `file` (named in messages). */
  static parse(file: string, text: string): YamlFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const errors = new ErrorList();
    const at = (offset: number): ErrorLocation => ({ file, ...lines.linePos(offset) });
    for (const error of doc.errors) {
      const message = error.code === 'MULTIPLE_DOCS' ? 'a second YAML document (after ---): the file must hold one' : error.message;
      errors.add(new StatpressError('config', `not valid YAML: ${message}`, at(error.pos[0])));
    }
    if (errors.errors.length === 0) {
      visit(doc, {
        Alias(_, alias) {
          if (!alias.resolve(doc)) {
            errors.add(new StatpressError('config', `not valid YAML: the alias *${alias.source} has no anchor &${alias.source} before it`, at(alias.range?.[0] ?? 0)));
          }
        },
      });
    }
    errors.throwIfAny();
    return new YamlFile(file, doc, lines);
  }

  /** Follows a path as far as the document goes. */
  private find(path: SettingPath): Found {
    let found: Found = { depth: 0, ...(this.doc.contents ? { value: this.doc.contents } : {}) };
    for (const step of path) {
      let node: unknown = found.value;
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(step));
        if (!pair) break;
        found = { depth: found.depth + 1, key: pair.key as Node, ...(pair.value ? { value: pair.value as Node } : {}) };
      } else if (isSeq(node) && typeof step === 'number' && node.items[step]) {
        found = { depth: found.depth + 1, value: node.items[step] as Node };
      } else {
        break;
      }
    }
    return found;
  }

  /**
   * Line and column of a setting's key or of what is written after it. A path that goes deeper
   * than the document is placed at the deepest setting that is written, except at the top.
   */
  locate(path: SettingPath, part: Part = 'value'): { line: number; col: number } | undefined {
    const found = this.find(path);
    if (found.depth < path.length && found.depth === 0) return undefined;
    const node = found.depth < path.length || part === 'key' ? (found.key ?? found.value) : (found.value ?? found.key);
    return node?.range ? this.lines.linePos(node.range[0]) : undefined;
  }

  /** The value written at a path, as the schemas see it (undefined when it is not there). */
  valueAt(path: SettingPath): unknown {
    let value: unknown = this.data;
    for (const step of path) {
      if (Array.isArray(value) && typeof step === 'number') value = value[step];
      else if (isObject(value) && Object.hasOwn(value, String(step))) value = value[String(step)];
      else return undefined;
    }
    return value;
  }

  /** A located error about a setting of this file. */
  error(path: SettingPath, message: string, options: { part?: Part; code?: ErrorCode; value?: string; hint?: string; setting?: string } = {}): StatpressError {
    const place = this.locate(path, options.part);
    const location: ErrorLocation = { file: this.file, ...place };
    const setting = options.setting ?? settingName(path);
    if (setting) location.setting = setting;
    if (options.value !== undefined) location.value = options.value;
    return new StatpressError(options.code ?? 'config', message, location, options.hint);
  }

  /**
   * Checks the file against its schema and returns the typed value, or throws every problem at
   * once, each with its place.
   */
  validate<S extends z.ZodType>(schema: S): z.output<S> {
    const result = schema.safeParse(this.data);
    if (result.success) return result.data;
    const problems: Array<{ error: StatpressError; order: number }> = [];
    const add = (error: StatpressError): void => {
      const { line = 0, col = 0 } = error.location;
      // One problem per setting: a value of the wrong type also fails the checks after it.
      if (problems.some((p) => p.error.location.setting === error.location.setting)) return;
      problems.push({ error, order: line * 1e6 + col });
    };
    // Keys that are taken for misspellings of missing settings, so the same slip is told once.
    const misspelt = new Set<string>();
    const issues = result.error.issues;
    for (const issue of issues) {
      if (issue.code === 'unrecognized_keys') continue;
      const parentPath = issue.path.slice(0, -1);
      const key = issue.path[issue.path.length - 1];
      const parent = this.valueAt(parentPath);
      if (issue.path.length > 0 && isObject(parent) && !Object.hasOwn(parent, String(key))) {
        // A missing setting is often a misspelt one: point at the key that was written instead.
        // It is placed at that key, or else at the mapping that should hold it (nowhere at the top).
        const known = settingsAt(schema, parentPath) ?? [];
        const written = nearest(String(key), Object.keys(parent).filter((k) => !known.includes(k)));
        const setting = settingName(issue.path);
        if (written !== undefined) {
          misspelt.add(settingName([...parentPath, written]));
          add(this.error([...parentPath, written], issue.message, { part: 'key', value: '(missing)', setting, hint: `found "${written}": is it misspelt?` }));
        } else if (parentPath.length > 0) {
          add(this.error(parentPath, issue.message, { part: 'key', value: '(missing)', setting }));
        } else {
          add(new StatpressError('config', issue.message, { file: this.file, setting, value: '(missing)' }));
        }
        continue;
      }
      const value = this.valueAt(issue.path);
      if (issue.path.length === 0) {
        add(this.error([], value === null ? 'the file is empty: expected a YAML mapping' : 'expected a YAML mapping at the top of the file'));
        continue;
      }
      // Say what was written instead where the value is of another shape than the one expected.
      const shape = Array.isArray(value) ? 'list' : isObject(value) ? 'mapping' : undefined;
      const found = shape && (issue.code === 'invalid_type' || issue.code === 'invalid_union') && !issue.message.includes(shape) ? `, found a ${shape}` : '';
      const written = value === null ? '(empty)' : value === undefined || typeof value === 'object' ? undefined : String(value);
      add(this.error(issue.path, `${issue.message}${found}`, written !== undefined ? { value: written } : {}));
    }
    for (const issue of issues) {
      if (issue.code !== 'unrecognized_keys') continue;
      const known = settingsAt(schema, issue.path) ?? [];
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        if (misspelt.has(settingName(path))) continue;
        const near = nearest(key, known);
        add(this.error(path, `unknown setting "${key}"`, { part: 'key', hint: near ? `did you mean "${near}"?` : `the settings here are: ${known.join(', ')}` }));
      }
    }
    const errors = new ErrorList();
    for (const { error } of problems.sort((a, b) => a.order - b.order)) errors.add(error);
    errors.throwIfAny();
    throw new StatpressError('config', 'does not match its schema', { file: this.file });
  }
}

/** Reads, parses and validates a YAML file in one step. */
export function loadYaml<S extends z.ZodType>(file: string, schema: S, read: ReadText = readUtf8): { value: z.output<S>; source: YamlFile } {
  const source = YamlFile.read(file, read);
  return { value: source.validate(schema), source };
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema with optional, default and transform wrappers taken off. */
function bare(schema: z.ZodType): z.ZodType {
  for (;;) {
    const def = defOf(schema);
    if (def.innerType) schema = def.innerType;
    else if (def.type === 'pipe' && def.in) schema = def.in;
    else if (def.type === 'lazy' && def.getter) schema = def.getter();
    else return schema;
  }
}

/** The schema of the setting at a path, if the schema has one there. */
function schemaAt(schema: z.ZodType, path: SettingPath): z.ZodType | undefined {
  let current: z.ZodType | undefined = bare(schema);
  for (const step of path) {
    if (!current) return undefined;
    const candidates: z.ZodType[] = defOf(current).type === 'union' ? (defOf(current).options ?? []).map(bare) : [current];
    current = undefined;
    for (const candidate of candidates) {
      const def = defOf(candidate);
      const next = def.type === 'object' && typeof step === 'string' ? def.shape?.[step] : def.type === 'array' && typeof step === 'number' ? def.element : def.type === 'record' ? def.valueType : undefined;
      if (next) {
        current = bare(next);
        break;
      }
    }
  }
  return current;
}

/** The settings a mapping at this path may have, as the schema lists them. */
export function settingsAt(schema: z.ZodType, path: SettingPath): string[] | undefined {
  const found = schemaAt(schema, path);
  const def = found ? defOf(found) : undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}
