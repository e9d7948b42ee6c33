/**
 * publish: what a publisher uploads to GOV.UK. The upload list of the govspeak export (every image
 * and attachment it names, with its title, description and the documents that refer to it, and
 * every data file of the release), as JSON and as a page to work from, and the `publish/` folder:
 * exactly the files to upload, named as the govspeak refers to them, with a manifest.
 */
import type { GovspeakExport, GovspeakOptions, GovspeakUpload } from '../render/govspeak.js';
import type { OutputContent, OutputRecord } from '../platform/effects.js';

export interface Upload extends GovspeakUpload {
  /** Ids of the documents whose govspeak names the file (none: a file listed on the publication only). */
  usedBy: string[];
}

/** Whether the build wrote a file. */
type Has = (name: string) => boolean;

/** What the govspeak renderer needs to name the release's files: each table's CSV and each file's title. */
export function govspeakOptions(has: Has, downloads: ReadonlyArray<{ label: string; href: string }>): GovspeakOptions {
  return {
    fileTitles: new Map(downloads.map((d) => [d.href, d.label])),
    csvOf: (tableId) => {
      const csv = `data/${tableId.replace(/^annex-/, '').replace(/-data$/, '')}.csv`;
      return has(csv) ? csv : undefined;
    },
  };
}

/** Every file the govspeak names, once, with the documents that name it; then the data files no text names. */
export function uploadList(exports: ReadonlyArray<{ doc: { id: string }; exported: GovspeakExport }>, downloads: ReadonlyArray<{ label: string; href: string }>, has: Has): Upload[] {
  const out = new Map<string, Upload>();
  for (const { doc, exported } of exports) {
    for (const u of exported.uploads) {
      if (!has(u.source)) continue;
      const known = out.get(u.file) ?? { ...u, usedBy: [] };
      if (!known.usedBy.includes(doc.id)) known.usedBy.push(doc.id);
      out.set(u.file, known);
    }
  }
  for (const d of downloads) {
    const file = d.href.split('/').pop()!;
    if (!out.has(file) && has(d.href)) out.set(file, { file, source: d.href, kind: 'attachment', title: d.label, description: '', usedBy: [] });
  }
  return [...out.values()];
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The upload list as a page for the publisher: HTML attachments, images, file attachments, warnings. */
export function uploadMarkdown(releaseTitle: string, documents: ReadonlyArray<{ id: string; title: string }>, uploads: readonly Upload[], warnings: readonly string[]): string {
  const used = (u: Upload) => (u.usedBy.length ? u.usedBy.map((id) => `${id}.md`).join(', ') : 'the publication page only');
  const images = uploads.filter((u) => u.kind === 'image');
  const attachments = uploads.filter((u) => u.kind === 'attachment');
  return [
    `# Files to upload to GOV.UK: ${releaseTitle}`,
    'Upload these to the publication in Whitehall Publisher, in this order. The files are in the `publish/` folder of the package, named as below.',
    '## HTML attachments',
    'Add each as an HTML attachment: its title, then its govspeak pasted as the body.',
    documents.map((d, i) => `${i + 1}. **${d.title}**: \`govspeak/${d.id}.md\``).join('\n'),
    '## Images',
    'Upload each to the HTML attachment that names it. Leave the alt text empty: the headline and statistical titles and the data table are in the text around the image. The description is for the caption field or the publisher\'s check.',
    ['| file | caption | description | used in |', '| --- | --- | --- | --- |', ...images.map((u) => `| ${u.file} | ${cell(u.title)} | ${cell(u.description)} | ${used(u)} |`)].join('\n'),
    '## File attachments',
    'Upload each as a file attachment of the publication, with this title. A CSV previews on GOV.UK: they are UTF-8 with one header row.',
    ['| file | attachment title | used in |', '| --- | --- | --- |', ...attachments.map((u) => `| ${u.file} | ${cell(u.title)} | ${used(u)} |`)].join('\n'),
    ...(warnings.length ? ['## Warnings', warnings.map((w) => `- ${w}`).join('\n')] : []),
  ].join('\n\n') + '\n';
}

/**
 * The publish folder: the govspeak, each upload under the name the govspeak uses, and a manifest of
 * them, whose hashes are those the build recorded for each file it copies.
 */
export function publishFiles(
  contents: ReadonlyMap<string, OutputContent>,
  written: ReadonlyMap<string, OutputRecord>,
  uploads: readonly Upload[],
  documents: ReadonlyArray<{ id: string }>,
): Map<string, OutputContent> {
  const out = new Map<string, OutputContent>();
  const hashes = new Map<string, string>();
  const copy = (to: string, from: string) => {
    out.set(to, contents.get(from)!);
    hashes.set(to, written.get(from)!.sha256);
  };
  for (const d of documents) copy(`govspeak/${d.id}.md`, `govspeak/${d.id}.md`);
  copy('UPLOAD.md', 'govspeak/UPLOAD.md');
  copy('upload.json', 'govspeak/upload.json');
  for (const u of uploads) copy(`${u.kind === 'image' ? 'images' : 'attachments'}/${u.file}`, u.source);
  const listed = [...hashes].map(([path, sha256]) => ({ path, sha256 })).sort((a, b) => (a.path < b.path ? -1 : 1));
  out.set('manifest.json', `${JSON.stringify({ files: listed }, null, 2)}\n`);
  return out;
}
