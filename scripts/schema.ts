/**
 * Writes the JSON Schema of each kind of YAML file (release config, framework, layout, template
 * set) into schema/, and the data model's reference into docs/data-model.md, generated from the zod schemas the loaders validate with. Every YAML file
 * names its schema on its first line (`# yaml-language-server: $schema=…`), so an editor with the
 * YAML language server completes and checks settings as they are typed. `npm run schema`; a test
 * fails when the committed files differ from what this writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemaOf, SCHEMAS, type YamlKind } from '../src/config/schemas.js';
import { dataModelReference } from '../src/query/model.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = join(root, 'schema');
mkdirSync(dir, { recursive: true });
for (const kind of Object.keys(SCHEMAS) as YamlKind[]) {
  const file = join(dir, SCHEMAS[kind].file);
  writeFileSync(file, jsonSchemaOf(kind));
  console.log(`wrote ${file}`);
}

// The reference of the data model that named queries read, from the same definition as its tables.
const reference = join(root, 'docs/data-model.md');
mkdirSync(dirname(reference), { recursive: true });
writeFileSync(reference, dataModelReference());
console.log(`wrote ${reference}`);
