import { Command, Option } from 'commander';
import { resolveNode, resolveSpider } from '../api/resolve';
import { TASK_STATUSES, type Task, type TaskStatus } from '../api/types';
import { connect } from '../context';
import { EXIT } from '../errors';
import { humanMs, note, printFields, printJson, printTable, taskDurationText } from '../output/print';
import { integer } from '../parse-args';
import { exitCodeFor, followTask, newFollowControl, onInterruptAskToCancel } from './follow-task';

/** `names` maps spider and node ids to names where known; ids are shown otherwise. */
export function taskRows(tasks: Task[], names: Map<string, string> = new Map()): void {
  const name = (id: string | null): string => (id ? (names.get(id) ?? id) : '');
  printTable(
    ['id', 'status', 'spider', 'node', 'attempt', 'exit', 'created', 'duration', 'why'],
    tasks.map((t) => [t.id, t.status, name(t.spiderId), t.nodeName ?? name(t.nodeId), t.attempt, t.exitCode, t.createdAt, taskDurationText(t), t.error ?? t.pendingReason ?? '']),
  );
}

/** `tasks show`: the API object, with its node named and its figures in words beside the raw ones. */
export function taskFields(t: Task): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    out[k] = v;
    if (k === 'nodeId' && t.nodeName) out.node = t.nodeName;
    if (k === 'runMs' && t.durationMs !== null && t.durationMs !== undefined) {
      out.duration = `${humanMs(t.durationMs)} from assignment${t.status === 'running' || t.status === 'assigned' ? ', running' : ''}; prepare ${humanMs(t.prepareMs) || '-'}, run ${humanMs(t.runMs) || '-'}`;
    }
  }
  return out;
}

export function tasksCommand(): Command {
  const cmd = new Command('tasks').description('list, inspect, cancel and restart tasks');
  cmd
    .command('ls')
    .description('list tasks, newest first')
    .addOption(new Option('--status <status>', 'only tasks in this status').choices(TASK_STATUSES))
    .option('--spider <spider>', 'spider name or id')
    .option('--node <node>', 'node name or id')
    .option('--page <n>', 'page number (from 1)', integer)
    .option('--size <n>', 'page size', integer)
    .option('--json', 'print the API object {items, total}')
    .action(async (o: { status?: TaskStatus; spider?: string; node?: string; page?: number; size?: number; json?: boolean }) => {
      const api = connect();
      const spiderId = o.spider ? (await resolveSpider(api, o.spider)).id : undefined;
      const nodeId = o.node ? (await resolveNode(api, o.node)).id : undefined;
      const page = await api.listTasks({ status: o.status, spiderId, nodeId, page: o.page, size: o.size });
      if (o.json) return printJson(page);
      const [spiders, nodes] = await Promise.all([api.listSpiders(), api.listNodes()]);
      taskRows(page.items, new Map([...spiders, ...nodes].map((x) => [x.id, x.name])));
      note(`${page.items.length} of ${page.total} tasks`);
    });
  cmd
    .command('show <task>')
    .description("a task's status, node, exit code and error (why it waits, when pending)")
    .option('--json', 'print the API object')
    .action(async (id: string, o: { json?: boolean }) => {
      const t = await connect().getTask(id);
      if (o.json) printJson(t);
      else printFields(taskFields(t));
    });
  cmd
    .command('cancel <task>')
    .description('cancel a pending, assigned or running task (its process group is stopped)')
    .option('--json', 'print the API object')
    .action(async (id: string, o: { json?: boolean }) => {
      const t = await connect().cancelTask(id);
      if (o.json) printJson(t);
      else note(`task ${t.id}: ${t.status}`);
    });
  cmd
    .command('restart <task>')
    .description('start a new task with the same spec')
    .option('--json', 'print the API object {tasks}')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await connect().restartTask(id);
      if (o.json) printJson(r);
      else taskRows(r.tasks);
    });
  return cmd;
}

export function logsCommand(): Command {
  return new Command('logs')
    .argument('<task>', 'task id')
    .description("print a task's log (stderr lines on stderr); -f follows it until the task ends")
    .option('-f, --follow', 'keep printing new lines until the task ends; exit code from its status')
    .option('--json', 'print the stored lines as the API returns them (no follow)')
    .action(async (id: string, o: { follow?: boolean; json?: boolean }) => {
      const api = connect();
      if (o.json) {
        const lines = [];
        for (let after = 0; ; ) {
          const page = await api.logs(id, after);
          lines.push(...page.lines);
          if (page.lines.length === 0) break;
          after = page.nextAfter;
        }
        return printJson(lines);
      }
      if (!o.follow) {
        for (let after = 0; ; ) {
          const page = await api.logs(id, after);
          for (const l of page.lines) (l.stream === 'stderr' ? process.stderr : process.stdout).write(l.text + '\n');
          if (page.lines.length === 0) return;
          after = page.nextAfter;
        }
      }
      const ctl = newFollowControl();
      const detach = onInterruptAskToCancel(api, [id], ctl);
      try {
        const end = await followTask(api, id, ctl);
        process.exitCode = end ? exitCodeFor(end.status) : EXIT.cancelled;
      } finally {
        detach();
      }
    });
}
