/**
 * The fast path of `backprop-grader grade`: its arguments read with node:util `parseArgs` from
 * the same flag table yargs reads (GRADE_FLAGS), so a plain grade never loads yargs. Measured on
 * the 2-core development machine: importing yargs costs 45–65 ms of a cold grade, and yargs
 * renders the command's whole help text on every parse, shown or not (another 10–40 ms).
 *
 * It accepts only what it reads exactly as yargs does and returns undefined for everything else:
 * `--help`, `--version`, short or unknown flags, a flag given twice, a missing, empty or
 * dash-led value, a value outside its choices or refused by its coerce, `--no-` on a value flag,
 * `--`, a second folder, and the forms yargs reads differently from parseArgs (`--part a b`, where
 * yargs takes `b` as a second part; `--verbose false`). The CLI then parses with yargs, so every
 * error message, the usage text and exit code 2 stay yargs' own (test/cli-fast.test.ts checks
 * both paths agree on every flag and every refusal).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GRADE_FLAGS, type GradeArgs } from './grade';

type FlagName = keyof typeof GRADE_FLAGS;
interface FlagSpec {
  type?: 'string' | 'boolean';
  array?: boolean;
  choices?: readonly string[];
  coerce?: (value: unknown) => unknown;
}

const FLAGS = GRADE_FLAGS as Readonly<Record<FlagName, FlagSpec>>;

function isFlag(name: string): name is FlagName {
  return Object.prototype.hasOwnProperty.call(FLAGS, name);
}

/** parseArgs' options, derived from GRADE_FLAGS: booleans stay booleans, every other flag takes a value. */
const PARSE_OPTIONS: NonNullable<ParseArgsConfig['options']> = Object.fromEntries(
  Object.entries(FLAGS).map(([name, spec]) => [name, spec.type === 'boolean' ? { type: 'boolean' as const } : { type: 'string' as const, multiple: spec.array === true }]),
);

/** Flags yargs reads as `false` when written `--no-<name>`, the way the fast path can too. */
function negatable(name: string): boolean {
  return isFlag(name) && (FLAGS[name].type === 'boolean' || name === 'config');
}

/**
 * `grade`'s arguments (what follows `grade`), parsed without yargs when that gives exactly what
 * yargs would give; undefined when yargs must decide (see the module's comment).
 */
export function fastGradeArgs(argv: readonly string[]): GradeArgs | undefined {
  let tokens;
  try {
    tokens = parseArgs({ args: [...argv], options: PARSE_OPTIONS, strict: false, allowPositionals: true, tokens: true }).tokens;
  } catch {
    return undefined;
  }
  const args: GradeArgs = {};
  const seen = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const next = tokens[i + 1];
    if (token.kind === 'option-terminator') return undefined;
    if (token.kind === 'positional') {
      if (args.dir !== undefined || token.value === '' || token.value.startsWith('-')) return undefined;
      args.dir = token.value;
      continue;
    }
    if (!token.rawName.startsWith('--')) return undefined;
    const negated = token.name.startsWith('no-') && !isFlag(token.name) ? token.name.slice(3) : undefined;
    const name = negated ?? token.name;
    if (!isFlag(name) || (seen.has(name) && !FLAGS[name].array)) return undefined;
    seen.add(name);
    const spec = FLAGS[name];
    if (negated !== undefined) {
      if (!negatable(name) || token.value !== undefined) return undefined;
      args[name] = false;
      continue;
    }
    if (spec.type === 'boolean') {
      // yargs reads `--verbose false` as false, and `--verbose=x` its own way.
      if (token.value !== undefined || (next?.kind === 'positional' && (next.value === 'true' || next.value === 'false'))) return undefined;
      args[name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (spec.choices && !spec.choices.includes(value)) return undefined;
    if (spec.array) {
      // yargs' array flags take every word that follows (`--part a b`): those are yargs' to read.
      if (next?.kind === 'positional') return undefined;
      args[name] = [...((args[name] as string[] | undefined) ?? []), value];
      continue;
    }
    if (!spec.coerce) {
      args[name] = value;
      continue;
    }
    try {
      args[name] = spec.coerce(value);
    } catch {
      return undefined;
    }
  }
  return args;
}
