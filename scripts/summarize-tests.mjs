#!/usr/bin/env node
// Adds up the closing lines of every vitest and Playwright run in a log into one line:
// "Tests: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
const total = { passed: 0, failed: 0, skipped: 0 };
const add = (line) => {
  for (const [, n, kind] of line.matchAll(/(\d+) (passed|failed|skipped)/g)) total[kind] += Number(n);
};
for (const line of text.split('\n')) {
  if (/^\s*(\S+:test: )?\s*Tests\s+\d/.test(line)) add(line); // vitest: "Tests  3 failed | 40 passed (43)"
  else if (/^\s*(\S+:test: )?\s*\d+ (passed|failed|skipped)( \(|$)/.test(line)) add(line); // Playwright: "  8 passed (47.0s)"
}
console.log(`Tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
