/**
 * "Every line a student reads is Chinese": the lines of an output that have no Chinese character
 * and are not exempt. The exemptions are few and explicit: lines with no words at all (numbers,
 * diffs, table rules), the student's own captured output, stack frames, a guide link alone, and
 * (given by the caller) text quoted from the compiler or JavaScript, whose words are their own
 * (a compile error or a TypeError wrapped onto its own line).
 */

import { englishRuns } from './englishRuns';

const CJK = /[\u4e00-\u9fff]/;

/** Lines that may stay without Chinese, each with why. */
export const EXEMPT: readonly { why: string; test: (line: string) => boolean }[] = [
  {
    why: 'no words: numbers, diff markers, signs and table rules',
    test: (l) => !/[A-Za-z]/.test(l.replace(/(\d)e([+-]?\d)/g, '$1$2').replace(/-?\b(?:NaN|Infinity|Inf)\b/g, '')),
  },
  { why: "the student's own output, captured while grading", test: (l) => /^\s*│/.test(l) },
  { why: 'a stack frame of the student code', test: (l) => /^\s+(?:at\s+)?[\w$.<>]+ \([\w./-]+:\d+:\d+\)$/.test(l) || /^\s+[\w./-]+:\d+:\d+$/.test(l) },
  { why: 'a link to the Chinese guide', test: (l) => /^\s*exercises\/GUIDE\.zh-CN\.md#[\w-]+\s*$/.test(l) },
];

const ENTITIES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The text a reader sees: HTML tags out (a job summary's <pre>, <code>, <br>), entities and Markdown escapes undone. */
function plain(line: string): string {
  return line
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e])
    .replace(/&[a-z#0-9]+;/gi, ' ')
    .replace(/\\([\\`*_{}[\]()#+\-.!:|<>~=&'"])/g, '$1');
}

/** `line` without the stretches (of 8 characters or more) it shares with a quoted text: what the output says in its own words. */
function withoutQuoted(line: string, quoted: readonly string[]): string {
  let out = line;
  for (const q of quoted) {
    for (let i = 0; i < out.length; i++) {
      let j = i;
      while (j < out.length && q.includes(out.slice(i, j + 1))) j++;
      if (j - i >= 8) out = `${out.slice(0, i)} ${out.slice(j)}`;
    }
  }
  return out;
}

/**
 * The lines of `text` that contain no Chinese character and are not exempt (empty: all Chinese).
 * @param quoted the compiler's and JavaScript's own messages the output quotes (a line inside one is exempt)
 */
export function nonChineseLines(text: string, quoted: readonly string[] = []): string[] {
  // A Markdown table row is read cell by cell.
  const lines = text.split('\n').flatMap((l) => (l.trimStart().startsWith('|') ? l.split('|') : [l]));
  return lines.filter((raw) => {
    const line = plain(raw);
    if (line.trim() === '') return false;
    if (CJK.test(line)) {
      // Chinese, with no English sentence left in it (quoted compiler/JavaScript text aside, whole or wrapped).
      return englishRuns(withoutQuoted(line, quoted)).length > 0;
    }
    if (quoted.some((q) => q.includes(line.trim()))) return false;
    return !EXEMPT.some((e) => e.test(line));
  });
}

/**
 * The compiler's and JavaScript's own messages a report quotes: the `detail` and `error` params
 * that hold plain text (not a catalogue message), anywhere in its messages and cases.
 */
export function quotedTexts(report: { parts: { messages: { params?: object }[]; cases: { params?: object }[] }[]; notices?: { params?: object }[] }): string[] {
  const out: string[] = [];
  const visit = (params: unknown): void => {
    if (typeof params !== 'object' || params === null) return;
    for (const [name, value] of Object.entries(params)) {
      if (typeof value === 'string' && (name === 'detail' || name === 'error')) out.push(value);
      else if (typeof value === 'object' && value !== null) visit((value as { params?: unknown }).params);
    }
  };
  for (const part of report.parts) for (const x of [...part.messages, ...part.cases]) visit(x.params);
  for (const n of report.notices ?? []) visit(n.params);
  return out;
}
