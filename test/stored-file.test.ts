import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLIC_FORMAT, PUBLIC_VERSION } from '../grader/reference/fixtures';
import { readStoredFile } from '../grader/reference/stored-file';

const KIND = { format: PUBLIC_FORMAT, version: PUBLIC_VERSION, what: 'the public reference outputs' };

describe('readStoredFile (public.json and sealed.json)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bg-stored-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('returns the file when its format and version match', () => {
    const path = write('ok.json', JSON.stringify({ format: PUBLIC_FORMAT, version: PUBLIC_VERSION, cases: [1] }));
    expect(readStoredFile<{ format: string; version: number; cases: number[] }>(path, KIND).cases).toEqual([1]);
  });

  it('names the file and the fix when it is missing or not JSON', () => {
    expect(() => readStoredFile(join(dir, 'missing.json'), KIND)).toThrow(`backprop-grader: cannot read the public reference outputs ${join(dir, 'missing.json')}; reinstall the grader`);
    expect(() => readStoredFile(write('broken.json', '{"format":'), KIND)).toThrow('cannot read the public reference outputs');
  });

  it('refuses another format, another version, or a bare value', () => {
    const message = `is not a ${PUBLIC_FORMAT} file of version ${PUBLIC_VERSION}; run \`backprop-grader fixtures\``;
    expect(() => readStoredFile(write('v1.json', JSON.stringify({ format: PUBLIC_FORMAT, version: PUBLIC_VERSION - 1 })), KIND)).toThrow(message);
    expect(() => readStoredFile(write('other.json', JSON.stringify({ format: 'backprop-grader/sealed', version: PUBLIC_VERSION })), KIND)).toThrow(message);
    expect(() => readStoredFile(write('null.json', 'null'), KIND)).toThrow(message);
  });
});
