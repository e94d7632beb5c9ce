/** Unit tests: `*.spec.ts` beside the code in apps/ and libs/. */
module.exports = {
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  // apps/web: the dashboard's pure logic (formatting, cron preview, log buffering); its .tsx views are covered by the browser journeys.
  testRegex: '\\.spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': require('./jest.swc.js') },
  moduleNameMapper: {
    '^@crawlnest/(node|task|sync|results|notify)$': '<rootDir>/libs/$1/src',
    '^@crawlnest/(node|task|sync|results|notify)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  testEnvironment: 'node',
};
