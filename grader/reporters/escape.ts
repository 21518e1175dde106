/**
 * The one escaping module: every student-controlled string (messages quoting thrown errors, file
 * names, folder names used as ids, diffs, captured output) passes through one of these before it
 * reaches a terminal, Markdown, HTML, a CSV cell or the GitHub Actions log.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * For terminals and plain-text logs: control characters other than newline and tab (ANSI escape
 * sequences, carriage returns that overwrite a line, bells...) become visible `\xNN` / `\uNNNN`
 * text, so a submission cannot repaint the terminal or hide text.
 */
export function sanitizeText(s: string): string {
  return s.replace(/\r\n/g, '\n').replace(CONTROL, visible);
}

/**
 * For one line of a terminal (a progress bar, a status line): like sanitizeText, and newlines and
 * tabs become visible too, so a student-chosen folder name cannot break the line.
 */
export function sanitizeLine(s: string): string {
  return sanitizeText(s).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** For HTML text and (double- or single-quoted) attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * For one line of GitHub-flavoured Markdown (a paragraph or a table cell): `& < > " '` become HTML
 * entities, the punctuation Markdown acts on is backslash-escaped (emphasis, code spans, links,
 * headings, lists, pipes, `$` math on GitHub), and newlines become `<br>`, so a message can neither
 * close a table cell nor start a block.
 */
export function escapeMarkdown(s: string): string {
  // Backslashes first, the entities after: an entity's own `#` and `;` must stay unescaped.
  const md = sanitizeText(s).replace(/[!#$()*+\-.:=@[\\\]_`{|}~]/g, (c) => `\\${c}`);
  return escapeHtml(md).replace(/\n/g, '<br>');
}

/**
 * For a CSV cell that a spreadsheet will open: cells starting with = + - @ (or tab / CR) run as
 * formulas, so such text gets a leading apostrophe (the OWASP CSV-injection guard). Quoting is
 * csv-stringify's job.
 */
export function csvSafeText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * The GitHub Actions runner treats any log line whose trimmed text starts with `::` (or the legacy
 * `##[`) as a workflow command. Inserting a zero-width space after the first character keeps the
 * line readable and inert. Used on every line of text we print in Actions, on top of the
 * stop-commands block around it.
 */
export function neutralizeWorkflowCommands(text: string): string {
  // Leading blanks of the same line only: `\s*` would also cross newlines, which made this
  // quadratic on a run of blank lines (15 s for 64 KB of newlines).
  return text.replace(/^([^\S\n\r\u2028\u2029]*)(:)(?=:)|^([^\S\n\r\u2028\u2029]*)(#)(?=#\[)/gm, (_m, s1?: string, c1?: string, s2?: string, c2?: string) =>
    `${s1 ?? s2 ?? ''}${c1 ?? c2}\u200b`,
  );
}
