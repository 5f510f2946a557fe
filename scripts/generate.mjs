#!/usr/bin/env node
// Everything generated from installed packages at build time (git-ignored): precompiled hash-wasm modules and
// the common-password list.
import './build-wasm.mjs';
import './build-passwords.mjs';
