#!/usr/bin/env node
// Committed (not built) and executable, so `npx gregor` works right after `npm ci`; the command itself is built by `npm run build`.
require('../dist/main.js');
