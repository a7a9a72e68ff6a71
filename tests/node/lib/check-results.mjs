// Compares the results of one run (JSON lines from reporter.mjs) with known_failures.txt.
// Fails on a failure that is not listed and on a listed check that now passes (so the list shrinks
// as the node is fixed). Usage: node check-results.mjs <results.jsonl> <known_failures.txt> <mode>
import { readFileSync } from 'node:fs';

const [resultsFile, knownFile, mode] = process.argv.slice(2);
const results = readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

// Line format: "[mode] file :: test name | reason"; "[mode] " is optional (memory or lmdb).
const known = new Map();
for (const raw of readFileSync(knownFile, 'utf8').split('\n')) {
  const line = raw.trim();
  if (!line || line.startsWith('#')) continue;
  const match = /^(?:\[(\w+)\]\s+)?(.+?)\s+::\s+(.+?)\s+\|\s+(.+)$/.exec(line);
  if (!match) {
    console.error(`known_failures.txt: cannot read line: ${line}`);
    process.exit(2);
  }
  const [, lineMode, file, name, reason] = match;
  if (lineMode && lineMode !== mode) continue;
  known.set(`${file} :: ${name}`, reason);
}

let passed = 0;
const expectedFailures = [];
const newFailures = [];
const fixed = [];
for (const r of results) {
  const key = `${r.file} :: ${r.name}`;
  if (r.skipped) continue;
  if (r.passed) {
    passed++;
    if (known.has(key)) fixed.push(key);
  } else if (known.has(key)) {
    expectedFailures.push(key);
  } else {
    newFailures.push(`${key}\n      ${(r.error ?? '').replace(/\n/g, '\n      ')}`);
  }
}
const seen = new Set(results.map((r) => `${r.file} :: ${r.name}`));
const missing = [...known.keys()].filter((k) => !seen.has(k));

console.log(`[${mode}] ${results.length} checks: ${passed} passed, ${expectedFailures.length} known failures, ` +
  `${newFailures.length} new failures, ${fixed.length} listed but passing, ${missing.length} listed but not run`);
for (const k of expectedFailures) console.log(`  known failure: ${k}  (${known.get(k)})`);
for (const k of newFailures) console.log(`  NEW FAILURE: ${k}`);
for (const k of fixed) console.log(`  NOW PASSES (remove it from known_failures.txt): ${k}`);
for (const k of missing) console.log(`  LISTED BUT NOT RUN (renamed?): ${k}`);
if (results.length === 0) console.log('  no results: the suite did not run');
process.exit(newFailures.length || fixed.length || missing.length || results.length === 0 ? 1 : 0);
