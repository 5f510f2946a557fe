// docs/errors.md is the error catalogue as the documentation shows it: regenerate it when the catalogue
// changes (`npm run docs:errors`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formattedErrorReference } from '../../scripts/error-reference.ts';

describe('the error-code reference', () => {
  it('is what the catalogue generates', async () => {
    const written = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(written).toBe(await formattedErrorReference());
  });
});
