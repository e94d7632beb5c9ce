import { Command, Option } from 'commander';
import { resolveNode, resolveSpider } from '../api/resolve';
import type { CreateScheduleBody } from '../api/crawlnest-api';
import { TASK_MODES, type TaskMode } from '../api/types';
import { connect } from '../context';
import { labelsText, note, printJson, printTable } from '../output/print';
import { collect, keyValues } from '../parse-args';

export function schedulesCommand(): Command {
  const cmd = new Command('schedules').description('list, create and remove cron schedules');
  cmd
    .command('ls')
    .description('list schedules')
    .option('--json', 'print the API objects')
    .action(async (o: { json?: boolean }) => {
      const api = connect();
      const list = await api.listSchedules();
      if (o.json) return printJson(list);
      const names = new Map((await api.listSpiders()).map((x) => [x.id, x.name]));
      printTable(
        ['id', 'spider', 'cron', 'mode', 'enabled', 'next run', 'last run'],
        list.map((s) => [s.id, names.get(s.spiderId) ?? s.spiderId, s.cron, s.mode, s.enabled ? 'yes' : 'no', s.nextRunAt, s.lastRunAt]),
      );
    });
  cmd
    .command('create <spider>')
    .description('run a spider on a cron expression')
    .requiredOption('--cron <expr>', 'cron expression, e.g. "*/5 * * * *" (seconds field optional)')
    .option('--param <param>', 'arguments appended to the command')
    .addOption(new Option('--mode <mode>', 'where its tasks run').choices(TASK_MODES))
    .option('--node <node>', 'node name or id (repeatable; implies selected-nodes)', collect)
    .option('--label <k=v>', 'node label selector (repeatable)', collect)
    .option('--disabled', 'create it paused')
    .option('--json', 'print the API object')
    .action(async (ref: string, o: { cron: string; param?: string; mode?: TaskMode; node?: string[]; label?: string[]; disabled?: boolean; json?: boolean }) => {
      const api = connect();
      const spider = await resolveSpider(api, ref);
      const body: CreateScheduleBody = {
        spiderId: spider.id,
        cron: o.cron,
        param: o.param,
        mode: o.mode ?? (o.node?.length ? 'selected-nodes' : undefined),
        labels: keyValues(o.label, '--label'),
        enabled: o.disabled ? false : undefined,
      };
      if (o.node?.length) {
        const nodes = await api.listNodes();
        body.nodeIds = await Promise.all(o.node.map(async (n) => (await resolveNode(api, n, nodes)).id));
      }
      const s = await api.createSchedule(body);
      if (o.json) printJson(s);
      else note(`schedule ${s.id}: ${spider.name} at '${s.cron}'${labelsText(body.labels) ? ` on ${labelsText(body.labels)}` : ''}, next run ${s.nextRunAt ?? '-'}`);
    });
  cmd
    .command('rm <schedule>')
    .description('delete a schedule')
    .action(async (id: string) => {
      await connect().deleteSchedule(id);
      note(`deleted schedule ${id}`);
    });
  return cmd;
}
