import type { ChatFormat, NotifyEvent } from './notify.types';
import { eventTitle } from './rule-match';

/** What one message carries: one event, or a throttle window's digest. */
export type Message = { deliveryId: string; kind: 'event' | 'digest' | 'test'; events: NotifyEvent[]; rule?: { id: string; name: string; windowSeconds: number } };

const MAX_LISTED = 20;

export function messageTitle(m: Message): string {
  if (m.kind === 'test') return 'Crawlnest test message';
  if (m.kind === 'event' || m.events.length === 1) return eventTitle(m.events[0]);
  return digestTitle(m.events, m.rule?.windowSeconds ?? 0);
}

/** "37 tasks of shop failed in the last 10 minutes", or a count per kind when they differ. */
export function digestTitle(events: NotifyEvent[], windowSeconds: number): string {
  const window = windowSeconds % 60 === 0 ? `${windowSeconds / 60} minutes` : `${windowSeconds} s`;
  const spiders = [...new Set(events.map((e) => e.task?.spiderName ?? e.schedule?.spiderName ?? e.node?.name ?? '?'))];
  const types = [...new Set(events.map((e) => e.type))];
  const of = spiders.length === 1 ? ` of ${spiders[0]}` : '';
  if (types.length === 1 && types[0] === 'task.error') return `${events.length} tasks${of} failed in the last ${window}`;
  return `${events.length} ${types.length === 1 ? types[0] : 'events'}${of} in the last ${window}`;
}

/** The body POSTed by a `webhook` channel. */
export function webhookBody(m: Message): Record<string, unknown> {
  if (m.kind === 'digest') return { deliveryId: m.deliveryId, type: 'digest', title: messageTitle(m), rule: m.rule, events: m.events };
  return { deliveryId: m.deliveryId, type: m.kind === 'test' ? 'test' : m.events[0].type, title: messageTitle(m), event: m.events[0] ?? null };
}

type Line = { text: string; url?: string; linkText?: string };

function lines(m: Message): Line[] {
  if (m.kind === 'test') return [{ text: 'This channel works.' }];
  return m.events.slice(0, MAX_LISTED).map((e) => {
    const t = e.task;
    const facts = [
      m.events.length > 1 ? eventTitle(e) : null,
      t ? `status ${t.status}` : null,
      t?.nodeName ? `node ${t.nodeName}` : null,
      t?.exitCode !== null && t?.exitCode !== undefined ? `exit ${t.exitCode}` : null,
      t?.durationMs !== null && t?.durationMs !== undefined ? `${Math.round(t.durationMs / 1000)} s` : null,
      t ? `${t.resultCount} items` : null,
      t?.error ? `error: ${t.error}` : null,
      e.schedule?.error ? `error: ${e.schedule.error}` : null,
    ].filter(Boolean);
    return { text: facts.join(' · '), url: e.links.task ?? e.links.node ?? e.links.spider, linkText: t ? `task ${t.id}` : 'open' };
  });
}

function tail(m: Message): string[] {
  return m.events.length === 1 && m.events[0].logTail?.length ? m.events[0].logTail : [];
}

/** The JSON a chat incoming webhook takes, in its dialect. */
export function chatBody(format: ChatFormat, m: Message): Record<string, unknown> {
  const title = messageTitle(m);
  const more = m.events.length > MAX_LISTED ? [`… and ${m.events.length - MAX_LISTED} more`] : [];
  const spider = m.events.length === 1 ? m.events[0].links.spider : undefined;
  if (format === 'slack') {
    const body = lines(m).map((l) => `• ${l.text}${l.url ? ` <${l.url}|${l.linkText}>` : ''}`);
    const log = tail(m).length ? ['```' + tail(m).join('\n').replace(/```/g, "'''") + '```'] : [];
    return { text: [`*${title}*`, ...body, ...more, ...(spider ? [`<${spider}|spider>`] : []), ...log].join('\n') };
  }
  const md = [
    `**${title}**`,
    ...lines(m).map((l) => `- ${l.text}${l.url ? ` [${l.linkText}](${l.url})` : ''}`),
    ...more,
    ...(spider ? [`[spider](${spider})`] : []),
    ...(tail(m).length ? ['```', ...tail(m).map((s) => s.replace(/```/g, "'''")), '```'] : []),
  ].join('\n');
  if (format === 'discord') return { content: md.length > 1990 ? md.slice(0, 1990) + '…' : md };
  if (format === 'teams') return { '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: title, title, text: md };
  return { text: md }; // mattermost
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Subject, plain text and HTML of an email. */
export function emailBody(m: Message): { subject: string; text: string; html: string } {
  const title = messageTitle(m);
  const ls = lines(m);
  const t = tail(m);
  const text = [title, '', ...ls.map((l) => `- ${l.text}${l.url ? `\n  ${l.url}` : ''}`), ...(t.length ? ['', 'Last log lines:', ...t] : []), '', `Delivery ${m.deliveryId}`].join('\n');
  const html = [
    `<h2>${esc(title)}</h2><ul>`,
    ...ls.map((l) => `<li>${esc(l.text)}${l.url ? ` <a href="${esc(l.url)}">${esc(l.linkText ?? 'open')}</a>` : ''}</li>`),
    '</ul>',
    ...(t.length ? [`<pre>${esc(t.join('\n'))}</pre>`] : []),
    `<p style="color:#888">Delivery ${esc(m.deliveryId)}</p>`,
  ].join('');
  return { subject: `[Crawlnest] ${title}`, text, html };
}
