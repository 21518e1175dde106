/**
 * The student repository's README, in English (README.md) and Simplified Chinese (README.zh-CN.md),
 * written by `release`. Generated from the part catalogue so its table of parts and points can
 * never drift from what the grader scores; each links to the other, and to the guide in its language.
 */
import { guideLink, PART_SECTION } from '../messages/guide';
import type { Lang } from '../messages/index';
import { partTitle } from '../messages/parts';
import { PART_IDS, PARTS, PRESETS, STUDENT_FILES } from '../parts/ids';

/** The README file of a language, at the repository's root. */
export function readmeFile(lang: Lang): string {
  return lang === 'zh-CN' ? 'README.zh-CN.md' : 'README.md';
}

/** The table of graded parts: each part's title linked to its section of the guide, its file, id and points. */
function partsTable(lang: Lang): string {
  const head = lang === 'zh-CN' ? '| 步骤 | 文件 | 评分部分 | 分值 |' : '| step | file | graded part | points |';
  const rows = PART_IDS.filter((id) => PRESETS.full[id] !== undefined).map(
    (id) => `| [${partTitle(id, lang)}](${guideLink(PART_SECTION[id], lang)}) | \`exercises/${STUDENT_FILES[PARTS[id].fn]}\` | \`${id}\` | ${PRESETS.full[id]} |`,
  );
  return [head, '|---|---|---|---:|', ...rows].join('\n');
}

const EN = (table: string) => `# Neural network learning (ex4): backpropagation

中文说明：[README.zh-CN.md](README.zh-CN.md)

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
[\`exercises/GUIDE.md\`](exercises/GUIDE.md), explains each step with its formulas, the values it
should produce and its common mistakes; the grader's feedback links to its sections.

${table}

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
- Feedback in Chinese: \`npm run ex4 -- --lang zh-CN\` and \`npm run grade -- --lang zh-CN\` (or
  \`LANG=zh_CN.UTF-8\`).
`;

const ZH = (table: string) => `# 神经网络学习（ex4）：反向传播

English: [README.md](README.md)

这是经典的神经网络练习，用 TypeScript 来做：为一个识别手写数字的网络实现代价函数和反向传播，
用数值方法检验梯度，然后训练它。

## 准备（只需一次）

需要 Node.js 20 或更高版本。

\`\`\`sh
npm ci
\`\`\`

## 要做什么

编辑 \`exercises/\` 中的四个文件（每个文件里都有 \`YOUR CODE HERE\` 代码块）。请先读
[\`exercises/README.zh-CN.md\`](exercises/README.zh-CN.md)：它按顺序介绍每一步，并附有
\`exercises/lib/\` 中矩阵辅助函数的 Octave → TypeScript 对照表。讲义
[\`exercises/GUIDE.zh-CN.md\`](exercises/GUIDE.zh-CN.md) 讲解每一步的公式、应当得到的数值和常见错误；
评分程序的反馈会链接到讲义的相应小节。

${table}

## 检查你的代码

\`\`\`sh
npm run ex4 -- --lang zh-CN      # 演练程序：逐步运行你的代码，把每个值和它应有的值并排列出
npm run grade -- --lang zh-CN    # 每个部分的得分，以及没通过的部分错在哪里
\`\`\`

如果系统的 \`LANG\` 是中文（例如 \`LANG=zh_CN.UTF-8\`），不加 \`--lang zh-CN\` 也会输出中文。

评分程序还会运行隐藏用例（随机的网络规模、标签和 λ），所以只能复现演练程序中那几个数的代码是通不过的。
每份报告都会打印隐藏用例的种子；\`npm run grade -- --seed N\` 会原样重新运行那些用例。

推送代码后，GitHub Classroom 会运行同一个评分程序（\`.github/workflows/classroom.yml\`）并记录你的分数。

## 须知

- 只有上面这四个文件会被评分。\`exercises/lib/\` 中是提供给你的辅助函数：可以阅读，但评分程序总是使用
  它自己的副本，所以修改它们不会影响你的成绩。
- 不要修改 \`grader/\`、\`bin/\`、\`scripts/\` 或工作流文件：正式成绩是用它们的干净副本算出来的。
- 你的代码在沙箱中运行，每次调用都有时间限制；可以打印输出，但报告中不会原样显示。
`;

/** The student README's Markdown in a language. */
export function studentReadme(lang: Lang = 'en'): string {
  return (lang === 'zh-CN' ? ZH : EN)(partsTable(lang));
}
