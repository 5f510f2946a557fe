#!/usr/bin/env node
// Fails when the Worker bundle built by `npm run build` outgrows the budget recorded in bundle-budget.json.
// Workers limit the compressed size (3 MiB on the Free plan, 10 MiB on Paid); the budget keeps us far below.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const budget = JSON.parse(readFileSync(join(root, 'bundle-budget.json'), 'utf8'));
const dir = join(root, 'dist-worker');
const files = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'));
if (files.length === 0) throw new Error('dist-worker/ is empty: run npm run build first');
let raw = 0;
let gzip = 0;
for (const file of files) {
  const bytes = readFileSync(join(dir, file));
  raw += statSync(join(dir, file)).size;
  gzip += gzipSync(bytes, { level: 9 }).length;
}
const kib = (n) => (n / 1024).toFixed(1);
console.log(`bundle: ${kib(raw)} KiB raw, ${kib(gzip)} KiB gzip (budget ${budget.gzip_kib} KiB gzip)`);
if (gzip / 1024 > budget.gzip_kib) {
  console.error(
    `bundle over budget by ${kib(gzip - budget.gzip_kib * 1024)} KiB: look at what grew before raising it`,
  );
  process.exit(1);
}
