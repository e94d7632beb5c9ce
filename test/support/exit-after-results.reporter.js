/**
 * Ends the e2e jest process right after Node's 'exit' event, skipping Node's native teardown.
 *
 * Why: once in CI, after every result was written and the event loop was empty (so no open
 * handle: jest runs without forceExit and still waits for every handle to close), Node 20 spun
 * at 100% CPU for good in its teardown (gdb: uv_run in Environment::CleanupHandles, called from
 * FreeEnvironment after the 'exit' event), and the run never ended. The 'exit' event only comes
 * once the loop is empty, so ending the process there hides no handle; it only skips that
 * teardown. The exit code is jest's own rule (1 when anything failed), computed from the results.
 */
class ExitAfterResultsReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests > 0 || results.numFailedTestSuites > 0 || results.numRuntimeErrorTestSuites > 0;
    process.once('exit', (code) => process.exit(failed ? 1 : code));
  }
}

module.exports = ExitAfterResultsReporter;
