import { Command, Option } from 'commander';
import type { CreateTaskBody } from '../api/crawlnest-api';
import { TASK_MODES, type TaskMode } from '../api/types';
import { resolveNode, resolveSpider } from '../api/resolve';
import { connect } from '../context';
import { EXIT } from '../errors';
import { note, printJson } from '../output/print';
import { collect, integer, keyValues } from '../parse-args';
import { exitCodeFor, followTask, newFollowControl, onInterruptAskToCancel } from './follow-task';
import { taskRows } from './tasks.command';

type RunOptions = {
  cmd?: string;
  param?: string;
  mode?: TaskMode;
  node?: string[];
  label?: string[];
  env?: string[];
  priority?: number;
  timeout?: number;
  retries?: number;
  follow?: boolean;
  json?: boolean;
};

export function runCommand(): Command {
  return new Command('run')
    .argument('<spider>', 'spider name or id')
    .description('start a task of a spider; with --follow, stream its log and exit 0 finished, 1 error/abnormal, 130 cancelled')
    .option('--cmd <cmd>', "command instead of the spider's")
    .option('--param <param>', 'arguments appended to the command')
    .addOption(new Option('--mode <mode>', 'where to run (selected-nodes with --node)').choices(TASK_MODES))
    .option('--node <node>', 'node name or id (repeatable; implies selected-nodes)', collect)
    .option('--label <k=v>', 'run only on nodes with this label (repeatable)', collect)
    .option('--env <K=V>', 'environment variable for the task (repeatable)', collect)
    .option('--priority <n>', '1..10, higher first (default 5)', integer)
    .option('--timeout <seconds>', 'stop the task after this long', integer)
    .option('--retries <n>', 'attempts after an abnormal end (a hand-back by a stopping worker uses none)', integer)
    .option('-f, --follow', 'stream the log until the task ends; exit code from its status')
    .option('--json', 'print the created tasks as the API returns them')
    .action(async (ref: string, o: RunOptions) => {
      const api = connect();
      const spider = await resolveSpider(api, ref);
      const body: CreateTaskBody = {
        spiderId: spider.id,
        mode: o.mode ?? (o.node?.length ? 'selected-nodes' : undefined),
        cmd: o.cmd,
        param: o.param,
        labels: keyValues(o.label, '--label'),
        env: keyValues(o.env, '--env'),
        priority: o.priority,
        timeoutSec: o.timeout,
        maxRetries: o.retries,
      };
      if (o.node?.length) {
        const nodes = await api.listNodes();
        body.nodeIds = await Promise.all(o.node.map(async (n) => (await resolveNode(api, n, nodes)).id));
      }
      const { tasks } = await api.createTasks(body);
      if (o.json) printJson({ tasks });
      else if (!o.follow) {
        // Names where they exist, as `tasks ls` prints them (the node is known once assigned).
        const names = new Map<string, string>([[spider.id, spider.name], ...(await api.listNodes()).map((n): [string, string] => [n.id, n.name])]);
        taskRows(tasks, names);
      }
      if (!o.follow) return;
      const ctl = newFollowControl();
      const detach = onInterruptAskToCancel(api, tasks.map((t) => t.id), ctl);
      let code: number = EXIT.ok;
      try {
        for (const t of tasks) {
          note(`following task ${t.id} of ${spider.name} (Ctrl-C asks whether to cancel)`);
          const end = await followTask(api, t.id, ctl);
          if (!end) return void (process.exitCode = EXIT.cancelled);
          const exit = end.exitCode !== null && end.exitCode !== undefined ? ` (exit code ${end.exitCode})` : '';
          // The error often just restates the exit code; show it when it says more.
          const why = end.error && end.error !== `exit code ${end.exitCode}` ? `: ${end.error}` : '';
          note(`task ${end.id} ${end.status}${exit}${why}`);
          code = Math.max(code, exitCodeFor(end.status));
        }
      } finally {
        detach();
      }
      process.exitCode = code;
    });
}
