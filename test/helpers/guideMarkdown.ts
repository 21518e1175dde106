/**
 * Reads a student guide (exercises/GUIDE*.md) the way GitHub renders it, for the i18n tests:
 * CommonMark + GFM tables + `$…$` / `$$…$$` / ```math via micromark (mdast), every formula
 * parsed by KaTeX, and GitHub's known math quirks checked on the source around each formula.
 */
import { readFileSync } from 'node:fs';
import katex from 'katex';
import type { Code, Heading, Html, Nodes, Root, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { mathFromMarkdown, type InlineMath, type Math as MathNode } from 'mdast-util-math';
import { toString } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';
import { math } from 'micromark-extension-math';

/** A heading with the explicit anchor (`<a id="…"></a>`) written on the line just before it. */
export interface AnchoredHeading {
  anchor: string;
  depth: number;
  /** The heading's plain text (inline code and math as their source text). */
  text: string;
  line: number;
}

/** One formula of the guide: its TeX, where it is, and whether it is display math. */
export interface Formula {
  tex: string;
  display: boolean;
  line: number;
}

export interface GuideDocument {
  source: string;
  tree: Root;
  /** Every `<a id>` in the document, in order (outside code). */
  anchors: string[];
  /** Anchors directly followed by a heading. */
  headings: AnchoredHeading[];
  formulas: Formula[];
  tables: Table[];
  /** GitHub-rendering problems found in the source, as `line N: what`. */
  problems: string[];
}

/** An explicit anchor; micromark gives `<a id="…">` and `</a>` as two inline html nodes. */
const ANCHOR = /<a id="([^"]+)">/g;

/** Parses a guide with the GFM and math extensions (mdast, with positions). */
export function parseGuide(path: string): GuideDocument {
  const source = readFileSync(path, 'utf8');
  const tree = fromMarkdown(source, {
    extensions: [gfm(), math()],
    mdastExtensions: [gfmFromMarkdown(), mathFromMarkdown()],
  });
  const doc: GuideDocument = { source, tree, anchors: [], headings: [], formulas: [], tables: [], problems: [] };
  let pendingAnchor: { id: string; line: number } | undefined;
  walk(tree, (node) => {
    const line = node.position?.start.line ?? 0;
    switch (node.type) {
      case 'html':
        for (const m of (node as Html).value.matchAll(ANCHOR)) {
          doc.anchors.push(m[1]);
          pendingAnchor = { id: m[1], line };
        }
        return;
      case 'heading': {
        const h = node as Heading;
        if (pendingAnchor && pendingAnchor.line === line - 1) {
          doc.headings.push({ anchor: pendingAnchor.id, depth: h.depth, text: toString(h), line });
        }
        pendingAnchor = undefined;
        return;
      }
      case 'inlineMath':
        doc.formulas.push({ tex: (node as InlineMath).value, display: false, line });
        checkInlineMath(doc, node as InlineMath);
        return;
      case 'math':
        doc.formulas.push({ tex: (node as MathNode).value, display: true, line });
        doc.problems.push(`line ${line}: $$ display math; use a \`\`\`math block (GitHub mangles $$ next to other text)`);
        return;
      case 'code':
        if ((node as Code).lang === 'math') doc.formulas.push({ tex: (node as Code).value, display: true, line });
        return;
      case 'table':
        doc.tables.push(node as Table);
        return;
    }
  });
  return doc;
}

/** Visits every node depth-first, in document order. */
function walk(node: Nodes, visit: (node: Nodes) => void): void {
  visit(node);
  if ('children' in node) for (const child of node.children) walk(child as Nodes, visit);
}

/**
 * GitHub only takes `$…$` as math when the `$` has whitespace (or the line's start) before it and
 * no letter or digit after it (github/markup#1742: `a$x$`, `($x$`, `$x$a` stay literal), and only
 * after CommonMark escapes are applied (so `\{`, `\\` and `\|` lose their backslash). `*` can pair
 * with emphasis outside the formula; `|` ends a table cell. After the closing `$`, full-width
 * Chinese punctuation is fine (it is no letter or digit); before the opening `$` nothing but a space is.
 */
const AFTER_MATH = /[\s.,;:!?，。；：、！？（）]/;

function checkInlineMath(doc: GuideDocument, node: InlineMath): void {
  const start = node.position?.start.offset ?? 0;
  const end = node.position?.end.offset ?? 0;
  const line = node.position?.start.line ?? 0;
  const before = start > 0 ? doc.source[start - 1] : '\n';
  const after = end < doc.source.length ? doc.source[end] : '\n';
  const raw = doc.source.slice(start, end);
  const where = `line ${line}: ${raw}`;
  if (!/\s/.test(before)) doc.problems.push(`${where}: needs a space (or the line's start) before the opening $`);
  if (!AFTER_MATH.test(after)) doc.problems.push(`${where}: needs a space, the line's end or punctuation (. , ; : or full-width) after the closing $`);
  if (raw.startsWith('$$')) doc.problems.push(`${where}: inline $$…$$; use $…$`);
  if (/^\$\s|\s\$$/.test(raw)) doc.problems.push(`${where}: no space just inside the $ delimiters`);
  if (/\\[{}\\|]/.test(node.value)) doc.problems.push(`${where}: \\{ \\} \\\\ and \\| lose their backslash on GitHub (use \\lbrace \\rbrace \\lVert)`);
  if (/[*|`]/.test(node.value)) doc.problems.push(`${where}: * | and \` clash with Markdown (use \\ast \\cdot \\lvert)`);
}

/** KaTeX's error for a formula, or undefined when it parses (strict: unknown or non-standard input fails). */
export function formulaError(f: Formula): string | undefined {
  try {
    katex.renderToString(f.tex, { displayMode: f.display, throwOnError: true, strict: 'error' });
    return undefined;
  } catch (error) {
    return `line ${f.line}: ${f.tex}: ${(error as Error).message}`;
  }
}

/** Rows whose cell count differs from the header's (GitHub drops extra cells and pads missing ones silently). */
export function tableProblems(doc: GuideDocument): string[] {
  const out: string[] = [];
  for (const table of doc.tables) {
    const [header, ...rows] = table.children;
    for (const row of rows) {
      if (row.children.length !== header.children.length) {
        out.push(`line ${row.position?.start.line}: ${row.children.length} cells, header has ${header.children.length}`);
      }
    }
  }
  return out;
}
