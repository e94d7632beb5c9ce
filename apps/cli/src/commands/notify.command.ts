import { Command } from 'commander';
import { HttpClient } from '../api/http-client';
import { resolveSpider } from '../api/resolve';
import { resolveConnection } from '../config/profile';
import { connect } from '../context';
import { CliError } from '../errors';
import { note, printFields, printJson, printTable } from '../output/print';
import { collect, integer } from '../parse-args';

type Channel = { id: string; name: string; type: string; projectId: string | null; config: Record<string, unknown>; hasSecret: boolean; hasPassword: boolean };
type RuleEvent = { type: string; min?: number; belowMedianPercent?: number; ofLastRuns?: number; count?: number; pattern?: string; seconds?: number };
type Rule = { id: string; name: string; projectId: string | null; spiderIds: string[]; events: RuleEvent[]; channelIds: string[]; enabled: boolean; throttle: { windowSeconds: number } | null };
type Delivery = { id: string; eventType: string; channelId: string; status: string; attempts: number; responseCode: number | null; lastError: string | null; latencyMs: number | null; createdAt: string; summary: string };
type TestResult = { ok: boolean; responseCode: number | null; error: string | null; latencyMs: number; deliveryId: string };

const BASE = '/api/notifications';
const http = () => new HttpClient(resolveConnection());

/**
 * `--event` values: a name, with its condition after a colon:
 * task.error · task.results_below:min=10 · task.results_below:median=50,runs=5 · task.log_errors_above:count=3,pattern=ERROR · task.running_longer:seconds=600
 */
export function parseEvent(text: string): RuleEvent {
  const [type, cond] = text.split(/:(.*)/s, 2);
  const e: RuleEvent = { type };
  for (const part of cond ? cond.split(',') : []) {
    const [k, v] = part.split('=', 2);
    if (v === undefined) throw new CliError(`--event ${text}: expected key=value after ':'`, 2);
    if (k === 'pattern') e.pattern = v;
    else if (k === 'min') e.min = integer(v);
    else if (k === 'median') e.belowMedianPercent = Number(v);
    else if (k === 'runs') e.ofLastRuns = integer(v);
    else if (k === 'count') e.count = integer(v);
    else if (k === 'seconds') e.seconds = integer(v);
    else throw new CliError(`--event ${text}: unknown condition ${k} (min, median, runs, count, pattern, seconds)`, 2);
  }
  return e;
}

const eventText = (e: RuleEvent) => {
  const c = Object.entries(e).filter(([k]) => k !== 'type');
  return c.length ? `${e.type}:${c.map(([k, v]) => `${k}=${v}`).join(',')}` : e.type;
};

function channelsCommand(): Command {
  const cmd = new Command('channels').description('webhook, chat (slack/discord/teams/mattermost) and email channels');
  cmd
    .command('ls')
    .option('--json', 'print the API objects')
    .action(async (o: { json?: boolean }) => {
      const list = await http().json<Channel[]>('GET', `${BASE}/channels`);
      if (o.json) return printJson(list);
      printTable(['id', 'name', 'type', 'target', 'secret'], list.map((c) => [c.id, c.name, c.type, String(c.config.url ?? (c.config.to as string[] | undefined)?.join(',') ?? ''), c.hasSecret || c.hasPassword ? 'set' : '']));
    });
  cmd
    .command('add <name>')
    .description('add a channel')
    .requiredOption('--type <type>', 'webhook | slack | email')
    .option('--url <url>', 'webhook / slack: the URL')
    .option('--format <format>', 'slack: slack | discord | teams | mattermost')
    .option('--secret <secret>', 'webhook: signing secret (or CRAWLNEST_NOTIFY_SECRET)')
    .option('--smtp-host <host>', 'email: SMTP host')
    .option('--smtp-port <port>', 'email: SMTP port', integer)
    .option('--security <mode>', 'email: tls | starttls | none')
    .option('--user <user>', 'email: SMTP user (password from CRAWLNEST_SMTP_PASSWORD)')
    .option('--from <address>', 'email: sender')
    .option('--to <address>', 'email: recipient (repeatable)', collect)
    .option('--project <id>', 'project (default: global)')
    .option('--json', 'print the API object')
    .action(async (name: string, o: Record<string, string | number | string[] | boolean | undefined>) => {
      const config = {
        url: o.url,
        format: o.format,
        host: o.smtpHost,
        port: o.smtpPort,
        security: o.security,
        username: o.user,
        from: o.from,
        to: o.to,
      };
      // Secrets from the environment keep them out of shell history and process lists.
      const secret = (o.secret as string | undefined) ?? process.env.CRAWLNEST_NOTIFY_SECRET;
      const password = process.env.CRAWLNEST_SMTP_PASSWORD;
      const body = {
        name,
        type: o.type,
        projectId: o.project,
        config: Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)),
        ...(secret || password ? { secrets: { ...(secret ? { secret } : {}), ...(password ? { password } : {}) } } : {}),
      };
      const c = await http().json<Channel>('POST', `${BASE}/channels`, { body });
      if (o.json) printJson(c);
      else note(`channel ${c.id}: ${c.name} (${c.type})`);
    });
  cmd
    .command('test <channel>')
    .description('send a test message now')
    .option('--json', 'print the API object')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await http().json<TestResult>('POST', `${BASE}/channels/${id}/test`);
      if (o.json) return printJson(r);
      printFields(r);
      if (!r.ok) process.exitCode = 1;
    });
  cmd
    .command('rm <channel>')
    .action(async (id: string) => {
      await http().json('DELETE', `${BASE}/channels/${id}`);
      note(`deleted channel ${id}`);
    });
  return cmd;
}

function rulesCommand(): Command {
  const cmd = new Command('rules').description('which events of which spiders go to which channels');
  cmd
    .command('ls')
    .option('--spider <spider>', 'rules covering this spider (name or id)')
    .option('--json', 'print the API objects')
    .action(async (o: { spider?: string; json?: boolean }) => {
      const spiderId = o.spider ? (await resolveSpider(connect(), o.spider)).id : undefined;
      const list = await http().json<Rule[]>('GET', `${BASE}/rules`, { query: { spiderId } });
      if (o.json) return printJson(list);
      printTable(
        ['id', 'name', 'enabled', 'spiders', 'events', 'channels', 'throttle'],
        list.map((r) => [r.id, r.name, r.enabled ? 'yes' : 'no', r.spiderIds.length ? r.spiderIds.join(',') : 'all', r.events.map(eventText).join(' '), r.channelIds.join(','), r.throttle ? `${r.throttle.windowSeconds}s` : '']),
      );
    });
  cmd
    .command('add <name>')
    .description('add a rule')
    .requiredOption('--event <event>', 'event, with its condition: task.error, task.results_below:min=10, task.running_longer:seconds=600 … (repeatable)', collect)
    .requiredOption('--channel <id>', 'channel id (repeatable)', collect)
    .option('--spider <spider>', 'only this spider, name or id (repeatable; default: all)', collect)
    .option('--throttle <seconds>', 'at most one message per window: a digest', integer)
    .option('--project <id>', 'project (default: global)')
    .option('--disabled', 'create it disabled')
    .option('--json', 'print the API object')
    .action(async (name: string, o: { event: string[]; channel: string[]; spider?: string[]; throttle?: number; project?: string; disabled?: boolean; json?: boolean }) => {
      const api = connect();
      const spiderIds = o.spider ? await Promise.all(o.spider.map(async (s) => (await resolveSpider(api, s)).id)) : [];
      const body = {
        name,
        events: o.event.map(parseEvent),
        channelIds: o.channel,
        spiderIds,
        projectId: o.project,
        enabled: !o.disabled,
        ...(o.throttle ? { throttle: { windowSeconds: o.throttle } } : {}),
      };
      const r = await http().json<Rule>('POST', `${BASE}/rules`, { body });
      if (o.json) printJson(r);
      else note(`rule ${r.id}: ${r.name}, ${r.events.map(eventText).join(' ')}`);
    });
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    cmd.command(`${verb} <rule>`).action(async (id: string) => {
      await http().json('PATCH', `${BASE}/rules/${id}`, { body: { enabled } });
      note(`rule ${id} ${verb}d`);
    });
  }
  cmd.command('rm <rule>').action(async (id: string) => {
    await http().json('DELETE', `${BASE}/rules/${id}`);
    note(`deleted rule ${id}`);
  });
  return cmd;
}

function deliveriesCommand(): Command {
  const cmd = new Command('deliveries').description('what was sent, to where, with what outcome');
  cmd
    .command('ls')
    .option('--rule <id>', 'of this rule')
    .option('--channel <id>', 'to this channel')
    .option('--status <status>', 'pending | sent | failed')
    .option('--after <time>', 'created after this ISO-8601 time')
    .option('--limit <n>', 'at most this many (default 100)', integer)
    .option('--json', 'print the API objects')
    .action(async (o: { rule?: string; channel?: string; status?: string; after?: string; limit?: number; json?: boolean }) => {
      const list = await http().json<Delivery[]>('GET', `${BASE}/deliveries`, { query: { ruleId: o.rule, channelId: o.channel, status: o.status, after: o.after, limit: o.limit } });
      if (o.json) return printJson(list);
      printTable(
        ['created', 'event', 'status', 'attempts', 'code', 'ms', 'summary / error', 'id'],
        list.map((d) => [d.createdAt, d.eventType, d.status, d.attempts, d.responseCode, d.latencyMs, d.lastError ?? d.summary, d.id]),
      );
    });
  cmd
    .command('retry <delivery>')
    .description('send a delivery again (same delivery id)')
    .action(async (id: string) => {
      await http().json('POST', `${BASE}/deliveries/${encodeURIComponent(id)}/retry`);
      note(`delivery ${id} queued again`);
    });
  return cmd;
}

export function notifyCommand(): Command {
  const cmd = new Command('notify').description('notifications: channels, rules and deliveries (docs/notifications.md)');
  cmd.addCommand(channelsCommand());
  cmd.addCommand(rulesCommand());
  cmd.addCommand(deliveriesCommand());
  return cmd;
}
