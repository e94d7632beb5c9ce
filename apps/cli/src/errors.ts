/** Exit codes of the `crawlnest` command (documented in docs/cli.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/** An error the CLI reports as one line on stderr, exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/** A usage mistake the parser cannot see (a malformed `k=v`, an unknown format): exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
