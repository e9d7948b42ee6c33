/**
 * manifest.json: what a build read and wrote, so a release can be reproduced and audited. The
 * hash of every input (release config, framework, layouts, data, templates, chart specs and
 * resources) and every output, with the versions of statpress and of the libraries that drew
 * it. Nothing in it depends on the time or the machine's paths, so rebuilding the same inputs
 * gives the same manifest, byte for byte.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import type { ReleaseConfig } from '../config/config.js';
import { toolVersion, versionOf } from '../platform/package.js';
import type { ReportDocument } from '../document/document.js';
import type { InputRead } from '../platform/effects.js';
import type { PreviousBuild, SourceColumns } from './revision.js';


export type InputRole = 'release config' | 'framework' | 'layout' | 'data' | 'resource' | 'template' | 'chart spec';

/** The role each input file plays, for the manifest and the preview's invalidation. */
export function inputRoles(config: ReleaseConfig, files: readonly string[]): Map<string, InputRole> {
  const data = new Set(
    [
      config.register.authorities.file,
      ...(config.register.changes ? [config.register.changes.file] : []),
      ...config.sources.map((s) => s.file),
      ...(config.publishedSeries ? [config.publishedSeries.file] : []),
    ].map((f) => resolve(f)),
  );
  const resources = new Set(Object.values(config.resources).map((f) => resolve(f)));
  const templateDirs = [config.templateDir, ...config.documents.map((d) => d.templateDir)].map((d) => resolve(d) + sep);
  const roles = new Map<string, InputRole>();
  for (const file of files.map((f) => resolve(f))) {
    let role: InputRole;
    if (file === resolve(config.file)) role = 'release config';
    else if (file === resolve(config.inputs[1] ?? '')) role = 'framework';
    else if (data.has(file)) role = 'data';
    else if (resources.has(file)) role = 'resource';
    else if (templateDirs.some((dir) => file.startsWith(dir))) role = file.endsWith('.json') ? 'chart spec' : 'template';
    else role = 'layout';
    roles.set(file, role);
  }
  return roles;
}

export interface ManifestOptions {
  config: ReleaseConfig;
  document: ReportDocument;
  /** Every input of the release with the hash of the bytes the build read. */
  inputs: ReadonlyMap<string, InputRead>;
  /** Every output but the manifest, with the SHA-256 and size of what was written. */
  outputs: ReadonlyMap<string, { sha256: string; bytes: number }>;
  /** The release's documents, each with its title and files, where it has more than one. */
  documents?: Array<{ id: string; label: string; title: string; files: string[] }>;
  /** The header columns of every data file, which a revision's replacement files must keep. */
  sources: SourceColumns[];
  /** The exact values behind the document's rounded cells, by model path (see `exactValues`). */
  values: Record<string, number>;
  /** The build a revision was compared with. */
  previous?: PreviousBuild;
  /** The browser that printed the PDF, when there is one. */
  browserVersion?: string;
}

/** The manifest as JSON text (stable key order, sorted lists, paths relative to the release config). */
export function buildManifest(options: ManifestOptions): string {
  const { config, document } = options;
  const base = dirname(resolve(config.file));
  const roles = inputRoles(config, [...options.inputs.keys()]);
  const inputs = [...roles]
    .map(([file, role]) => {
      const read = options.inputs.get(file)!;
      return { path: relative(base, file).split(sep).join('/'), role, sha256: read.sha256, bytes: read.bytes };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const outputs = [...options.outputs]
    .map(([path, written]) => ({ path, sha256: written.sha256, bytes: written.bytes }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest = {
    tool: { name: 'statpress', version: toolVersion() },
    release: {
      id: config.id,
      title: document.meta.title,
      status: document.meta.status,
      draft: document.meta.draft,
      asAt: config.period.asAt,
      publishedBy: config.period.publishedBy,
      published: document.meta.published.iso,
      ...(document.meta.revision ? { revised: document.meta.revision.iso } : {}),
      ...(options.documents ? { documents: options.documents } : {}),
      ...(document.meta.revision
        ? {
            revision: {
              date: document.meta.revision.iso,
              reason: document.meta.revision.reason,
              ...(options.previous
                ? { previous: { path: options.previous.path, manifestSha256: options.previous.manifestSha256, ...(options.previous.published ? { published: options.previous.published } : {}) } }
                : {}),
              ...(document.meta.revision.compared ? { comparedWith: document.meta.revision.compared } : {}),
              changes: document.meta.revision.changes ?? [],
            },
          }
        : {}),
    },
    engines: {
      'vega': versionOf('vega'),
      'vega-lite': versionOf('vega-lite'),
      'docx': versionOf('docx'),
      'handlebars': versionOf('handlebars'),
      'puppeteer-core': versionOf('puppeteer-core'),
      ...(options.browserVersion ? { chromium: options.browserVersion } : {}),
    },
    inputs,
    sources: options.sources,
    values: options.values,
    outputs,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
