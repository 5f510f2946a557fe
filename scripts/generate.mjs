#!/usr/bin/env node
// Everything generated from installed packages at build time (git-ignored): precompiled hash-wasm modules, the
// common-password list, the SPA client package (dist/) and the demo page's assets (which bundle that client,
// so they come after it: each step is awaited in turn).
await import('./build-wasm.mjs');
await import('./build-passwords.mjs');
await import('./build-client.mjs');
await import('./build-demo.mjs');
