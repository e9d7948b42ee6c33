/** Walking a built document's tree in tests: its value nodes, and a figure or table by id. */
import type { Block, Inline, ReportDocument } from '../../src/document/document.js';

/** Every value node of the narrative, wherever it is in the tree. */
export function values(blocks: readonly Block[]): Array<Extract<Inline, { type: 'value' }>> {
  const out: Array<Extract<Inline, { type: 'value' }>> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if ((node as { type?: string }).type === 'value') out.push(node as Extract<Inline, { type: 'value' }>);
      else Object.values(node).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}

export function find<T extends Block>(doc: ReportDocument, type: T['type'], id: string): T {
  let found: T | undefined;
  const walk = (blocks: readonly Block[]) => {
    for (const b of blocks) {
      if (b.type === type && (b as { id?: string }).id === id) found = b as T;
      if (b.type === 'section') walk(b.children);
    }
  };
  walk(doc.children);
  if (!found) throw new Error(`no ${type} ${id}`);
  return found;
}
