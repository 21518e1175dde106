/**
 * Escaping of student-controlled strings (messages quoting thrown errors, file names, diffs,
 * captured output) before they reach a terminal, Markdown, HTML or the GitHub Actions log.
 */

/**
 * For terminals and plain-text logs: control characters other than newline and tab (ANSI escape
 * sequences, carriage returns that overwrite a line, bells...) become visible `\xNN` / `\uNNNN`
 * text, so a submission cannot repaint the terminal or hide text.
 */
export function sanitizeText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\r\n/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** For HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * For one line of GitHub-flavoured Markdown (a paragraph or a table cell): HTML is escaped, every
 * Markdown punctuation character is backslash-escaped, `|` cannot end a cell, and newlines become
 * `<br>` so a message can neither close the table nor start a heading, list, link or image.
 */
export function escapeMarkdown(s: string): string {
  // Markdown escapes first: the entities escapeHtml produces (&#39;) must keep their `#` and `;`.
  const md = sanitizeText(s).replace(/[\\`*_{}[\]()#+\-.!|~:@]/g, (c) => `\\${c}`);
  return escapeHtml(md).replace(/\n/g, '<br>');
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
