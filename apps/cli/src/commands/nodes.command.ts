import { Command } from 'commander';
import { resolveNode } from '../api/resolve';
import type { Node } from '../api/types';
import { connect } from '../context';
import { UsageError } from '../errors';
import { labelsText, note, printJson, printTable } from '../output/print';

function nodeRows(nodes: Node[]): void {
  printTable(
    ['id', 'name', 'status', 'enabled', 'running', 'max', 'labels', 'ip', 'version'],
    nodes.map((n) => [n.id, n.name, n.status, n.enabled ? 'yes' : 'no', n.status === 'online' ? n.runningTasks : '-', n.maxRunners, labelsText(n.labels), n.ip, n.version]),
  );
}

/** `k=v` sets a label, `k-` removes it (as kubectl label does). */
export function applyLabelEdits(labels: Record<string, string>, edits: string[]): Record<string, string> {
  const out = { ...labels };
  for (const e of edits) {
    if (e.endsWith('-') && !e.includes('=')) delete out[e.slice(0, -1)];
    else {
      const i = e.indexOf('=');
      if (i <= 0) throw new UsageError(`label edits are KEY=VALUE or KEY-, got '${e}'`);
      out[e.slice(0, i)] = e.slice(i + 1);
    }
  }
  return out;
}

export function nodesCommand(): Command {
  const cmd = new Command('nodes').description('list nodes, enable or disable them, edit their labels');
  cmd
    .command('ls')
    .description('list nodes')
    .option('--json', 'print the API objects')
    .action(async (o: { json?: boolean }) => {
      const nodes = await connect().listNodes();
      if (o.json) printJson(nodes);
      else nodeRows(nodes);
    });
  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    cmd
      .command(`${name} <node>`)
      .description(enabled ? 'let the node take new tasks' : 'give the node no new tasks (running ones go on)')
      .option('--json', 'print the API object')
      .action(async (ref: string, o: { json?: boolean }) => {
        const api = connect();
        const n = await api.updateNode((await resolveNode(api, ref)).id, { enabled });
        if (o.json) printJson(n);
        else note(`node ${n.name} (${n.id}) ${enabled ? 'enabled' : 'disabled'}`);
      });
  }
  cmd
    .command('label <node> <edits...>')
    .description('set labels (k=v) or remove them (k-)')
    .option('--json', 'print the API object')
    .action(async (ref: string, edits: string[], o: { json?: boolean }) => {
      const api = connect();
      const node = await resolveNode(api, ref);
      const n = await api.updateNode(node.id, { labels: applyLabelEdits(node.labels, edits) });
      if (o.json) printJson(n);
      else note(`node ${n.name} labels: ${labelsText(n.labels) || '(none)'}`);
    });
  return cmd;
}
