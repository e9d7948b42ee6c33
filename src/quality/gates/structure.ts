/**
 * Structural checks on the document tree that every format relies on: unique anchors, no
 * skipped heading levels, every footnote reference defined, every figure with alt text and a
 * data table, every table with a caption and header labels, no link text such as "click here".
 */
import { inlineText, type Block, type Inline, type ReportDocument } from '../../document/document.js';
import { StatpressError } from '../../core/errors.js';

export function validateDocument(doc: ReportDocument): void {
  const problems: string[] = [];
  const ids = new Set<string>();
  const useId = (id: string) => {
    if (ids.has(id)) problems.push(`the anchor "${id}" is used twice`);
    ids.add(id);
  };
  const links: string[] = [];
  const checkInline = (nodes: readonly Inline[]) => {
    for (const node of nodes) {
      if (node.type === 'footnoteRef' && !doc.footnotes[node.id]) problems.push(`footnote "${node.id}" is referenced but not defined`);
      if (node.type === 'link') {
        const text = inlineText(node.children).trim().toLowerCase();
        if (text === '' || ['click here', 'here', 'link', 'this link', 'read more'].includes(text)) {
          problems.push(`link text "${text}" does not say where the link goes (${node.url})`);
        }
        if (node.url.startsWith('#')) links.push(node.url.slice(1));
        checkInline(node.children);
      }
      if (node.type === 'strong' || node.type === 'emphasis') checkInline(node.children);
    }
  };
  const walk = (blocks: readonly Block[], depth: number) => {
    for (const block of blocks) {
      switch (block.type) {
        case 'section':
          if (block.depth > depth + 1) problems.push(`heading "${inlineText(block.title)}" skips a level (h${depth} to h${block.depth})`);
          useId(block.id);
          checkInline(block.title);
          walk(block.children, block.depth);
          break;
        case 'paragraph':
          checkInline(block.children);
          break;
        case 'list':
          for (const item of block.items) {
            checkInline(item.children);
            if (item.sublist) walk([item.sublist], depth);
          }
          break;
        case 'keyMessages':
        case 'callout':
          walk(block.children, depth);
          break;
        case 'figure':
          useId(block.id);
          if (!block.altText.trim()) problems.push(`figure ${block.number} has no alt text`);
          if (block.altText.length > 220) problems.push(`figure ${block.number}'s alt text is longer than 220 characters`);
          if (block.dataTable.rows.length === 0) problems.push(`figure ${block.number}'s data table is empty`);
          useId(block.dataTable.id);
          for (const note of block.notes) checkInline(note);
          break;
        case 'table':
          useId(block.id);
          if (!block.caption.trim()) problems.push(`table ${block.id} has no caption`);
          if (block.columns.some((c) => !c.label.trim())) problems.push(`table ${block.id} has an empty header cell`);
          if (block.rows.some((r) => r.cells.length !== block.columns.length - 1)) problems.push(`table ${block.id} has a row of the wrong length`);
          for (const note of block.notes) checkInline(note);
          break;
      }
    }
  };
  walk(doc.children, 1);
  for (const target of links) if (!ids.has(target)) problems.push(`a link points to "#${target}", which is not in the document`);
  for (const note of Object.values(doc.footnotes)) checkInline(note);
  if (problems.length > 0) {
    throw new StatpressError('document', `the document is not accessible as built:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
