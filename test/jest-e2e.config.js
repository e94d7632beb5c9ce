/**
 * e2e suites: real FerretDB (one per run, started by globalSetup), real masters and
 * workers as processes from dist/ (build first: `npm test` does). Same transform and
 * module mapping as the unit config.
 */
const unit = require('../jest.config.js');

module.exports = {
  ...unit,
  roots: ['<rootDir>/test'],
  testRegex: '\\.e2e-spec\\.ts$',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120_000,
  // No forceExit: the handle that kept a run alive after every result was in was a master
  // whose start failed (its process, and the pipes to it, held by nobody). Starts now stop
  // what they spawned when they fail, and every test file stops whatever it left running.
  setupFilesAfterEnv: [...(unit.setupFilesAfterEnv ?? []), '<rootDir>/test/support/stop-leftovers.ts'],
  // Not forceExit either: this ends the process only after the 'exit' event (loop empty), to
  // skip a Node teardown that once spun forever (see the file).
  reporters: ['default', '<rootDir>/test/support/exit-after-results.reporter.js'],
};
