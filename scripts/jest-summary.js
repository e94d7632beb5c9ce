#!/usr/bin/env node
// Prints `tests: N passed, M failed` from jest --json result files. A file that is
// missing (jest crashed) or a suite that failed to run counts as a failure, so a broken
// run can never look green. Exits 1 when anything failed.
const fs = require('node:fs');

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`jest results ${file} unreadable: ${err.message}`);
    failed += 1;
    continue;
  }
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  for (const s of r.testResults ?? []) {
    const counted = (s.assertionResults ?? []).length;
    if (s.status === 'failed' && counted === 0) {
      console.error(`suite failed to run: ${s.name}\n${s.message ?? ''}`);
      failed += 1;
    }
  }
  if (r.numTotalTests === 0) {
    console.error(`${file}: jest ran no test`);
    failed += 1;
  }
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
