/**
 * e2e suites: real FerretDB (one per run, started by globalSetup), real masters and
 * workers as processes from dist/ (build first: `npm test` does).
 */
const path = require('node:path');
const root = path.resolve(__dirname, '..');
module.exports = {
  rootDir: root,
  roots: ['<rootDir>/test'],
  testRegex: '\\.e2e-spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': require('../jest.swc.js') },
  moduleNameMapper: {
    '^@crawlnest/(node|task|sync)$': '<rootDir>/libs/$1/src',
    '^@crawlnest/(node|task|sync)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testEnvironment: 'node',
  testTimeout: 120_000,
};
