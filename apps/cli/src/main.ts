import { Command, CommanderError } from 'commander';
import { deployCommand } from './commands/deploy.command';
import { gitCommand } from './commands/git.command';
import { loginCommand } from './commands/login.command';
import { nodesCommand } from './commands/nodes.command';
import { projectsCommand } from './commands/projects.command';
import { tokensCommand } from './commands/tokens.command';
import { usersCommand } from './commands/users.command';
import { notifyCommand } from './commands/notify.command';
import { resultsCommand } from './commands/results.command';
import { runCommand } from './commands/run.command';
import { schedulesCommand } from './commands/schedules.command';
import { spidersCommand } from './commands/spiders.command';
import { logsCommand, tasksCommand } from './commands/tasks.command';
import { versionsCommand } from './commands/versions.command';
import { CliError, EXIT } from './errors';

/** Exit code for whatever an action threw: usage 2, API or other failures 1. */
function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
  if (e instanceof CliError) return e.exitCode;
  return EXIT.failed;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('crawlnest')
    .description('Crawlnest from the command line: deploy spiders, run and follow tasks, export results (docs/cli.md)')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // Thrown instead of exiting, so usage errors map to exit 2 here, in one place.
    .exitOverride();
  for (const c of [loginCommand(), spidersCommand(), versionsCommand(), deployCommand(), runCommand(), tasksCommand(), logsCommand(), resultsCommand(), nodesCommand(), schedulesCommand(), gitCommand(), notifyCommand(), usersCommand(), projectsCommand(), tokensCommand()]) {
    program.addCommand(c);
  }
  // addCommand does not copy settings: every subcommand throws instead of exiting too.
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    const code = exitCodeOf(e);
    // commander already printed its own usage errors and help.
    if (!(e instanceof CommanderError)) process.stderr.write(`crawlnest: ${(e as Error).message}\n`);
    return code;
  }
}

main(process.argv).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`crawlnest: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(EXIT.failed);
  },
);
