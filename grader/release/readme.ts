/**
 * The student repository's README (written by `release`). Generated from the part catalogue so its
 * table of parts and points can never drift from what the grader scores.
 */
import { PART_IDS, PARTS, PRESETS, STUDENT_FILES } from '../parts/ids';

/** The student README's Markdown. */
export function studentReadme(): string {
  const rows = PART_IDS.filter((id) => PRESETS.full[id] !== undefined).map((id) => {
    const p = PARTS[id];
    return `| ${p.notesStep} | \`exercises/${STUDENT_FILES[p.fn]}\` | \`${id}\` | ${PRESETS.full[id]} |`;
  });
  return `# Neural network learning (ex4): backpropagation

The classic neural-network exercise, in TypeScript: implement the cost function and
backpropagation for a network that recognises handwritten digits, check your gradients
numerically, and train it.

## Set up (once)

Needs Node.js 20 or newer.

\`\`\`sh
npm ci
\`\`\`

## What to do

Edit the four files in \`exercises/\` (each has \`YOUR CODE HERE\` blocks). Read
[\`exercises/README.md\`](exercises/README.md) first: it walks through the steps and has an
Octave → TypeScript cheat sheet for the matrix helpers in \`exercises/lib/\`. The handout,
[\`exercises/GUIDE.md\`](exercises/GUIDE.md) (中文：[\`exercises/GUIDE.zh-CN.md\`](exercises/GUIDE.zh-CN.md)),
explains each step with its formulas, the values it should produce and its common mistakes; the
grader's feedback links to its sections (\`npm run grade -- --lang zh-CN\` for Chinese feedback).

| step | file | graded part | points |
|---|---|---|---:|
${rows.join('\n')}

## Check your work

\`\`\`sh
npm run ex4      # the walkthrough on your code: each value beside the value it should be
npm run grade    # your score per part, and what is wrong when a part fails
\`\`\`

The grader also runs hidden cases (random network sizes, labels and λ), so code that only
reproduces the walkthrough's numbers will not pass. Each report prints the seed of its hidden
cases; \`npm run grade -- --seed N\` reruns exactly those cases.

When you push, GitHub Classroom runs the same grader (\`.github/workflows/classroom.yml\`) and
records your points.

## Good to know

- Only the four files above are graded. Files in \`exercises/lib/\` are provided helpers: read
  them, but the grader always uses its own copy, so changes there have no effect on your grade.
- Do not edit \`grader/\`, \`bin/\`, \`scripts/\` or the workflow: the official grade is computed
  from a clean copy of them.
- Your code runs in a sandbox with a time limit per call; printing is fine but is not shown
  raw in the report.
`;
}
