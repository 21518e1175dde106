/**
 * TESTS ONLY: what a student copying another's work does to hide it, applied to a submission's
 * files. Each transformation keeps the program's meaning (the disguised copies still grade the
 * same, see test/similarity.test.ts).
 */

/** Renames every variable, parameter and local function the file declares (`const a1` -> `copied_0`...). */
export function renameLocals(source: string): string {
  const declared = new Set<string>();
  for (const m of source.matchAll(/\b(?:const|let|var|function)\s+([A-Za-z_$][\w$]*)/g)) declared.add(m[1]);
  // Parameters of functions and arrows: `(a: T, b = 1)`.
  for (const m of source.matchAll(/\(([^()]*)\)\s*(?::\s*[\w<>[\]| ]+)?\s*(?:=>|\{)/g)) {
    for (const p of m[1].split(',')) {
      const name = /^\s*([A-Za-z_$][\w$]*)\s*[:=?]?/.exec(p)?.[1];
      if (name) declared.add(name);
    }
  }
  for (const keyword of ['const', 'let', 'var', 'function', 'return', 'new', 'typeof']) declared.delete(keyword);
  for (const exported of ['nnCostFunction', 'sigmoidGradient', 'randInitializeWeights', 'computeNumericalGradient', 'CostAndGradient', 'J', 'grad']) declared.delete(exported);
  let i = 0;
  let out = source;
  for (const name of [...declared].sort((a, b) => b.length - a.length)) {
    // Not a property (after a '.').
    out = out.replace(new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'), `copied_${i++}`);
  }
  return out;
}

/** Reformats: comments dropped, every statement on one line, double quotes, two-space indents became tabs, trailing commas removed. */
export function reformat(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/[^\n]*/g, '$1')
    .replace(/'/g, '"')
    .replace(/,(\s*[)\]}])/g, '$1')
    .split('\n')
    .map((l) => l.replace(/^( {2})+/, (s) => '\t'.repeat(s.length / 2)))
    .join('\n')
    .replace(/\(\n\s*/g, '(')
    .replace(/,\n\s*/g, ', ')
    .replace(/\n\s*\)/g, ')')
    .replace(/\n{2,}/g, '\n');
}

/** Reorders: the file's top-level declarations in reverse order (imports stay first). */
export function reorderTopLevel(source: string): string {
  const lines = source.split('\n');
  const imports: string[] = [];
  const blocks: string[][] = [];
  let current: string[] = [];
  let inImport = false;
  for (const line of lines) {
    if (inImport || /^import\b/.test(line)) {
      imports.push(line);
      inImport = !/;\s*$/.test(line);
      continue;
    }
    if (/^(export |function |const |interface |let )/.test(line) && current.some((l) => l.trim() !== '')) {
      blocks.push(current);
      current = [];
    }
    current.push(line);
  }
  blocks.push(current);
  return [...imports, ...blocks.reverse().flat()].join('\n');
}
