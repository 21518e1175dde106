// Types of scripts/schema-validators.mjs (used by scripts/build.mjs and test/reporters.test.ts).
/** Export name -> schema file, relative to the package root. */
export const SCHEMA_FILES: Record<'report' | 'config' | 'public' | 'sealed', string>;
/** The ajv options every schema is compiled with. */
export const AJV_OPTIONS: { allErrors: boolean; strict: boolean };
/** `schema-<name>.cjs` -> CommonJS source of ajv's standalone validator for that schema. */
export function schemaValidatorSources(): Promise<Record<string, string>>;
