import { CliError } from '../errors';
import { ApiError } from './http-client';
import type { CrawlnestApi } from './crawlnest-api';
import type { Node, Project, Spider, User } from './types';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** A spider named by its id or its (unique) name. */
export async function resolveSpider(api: CrawlnestApi, ref: string): Promise<Spider> {
  if (OBJECT_ID.test(ref)) {
    try {
      return await api.getSpider(ref);
    } catch (e) {
      // A 24-hex string may also be a name: fall through to the name lookup.
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }
  const byName = (await api.listSpiders()).find((s) => s.name === ref);
  if (!byName) throw new CliError(`no spider named or with id '${ref}' (see \`crawlnest spiders ls\`)`);
  return byName;
}

/** A spider by name, or null when none has that name yet (deploy creates it). */
export async function findSpiderByName(api: CrawlnestApi, name: string): Promise<Spider | null> {
  return (await api.listSpiders()).find((s) => s.name === name) ?? null;
}

/** A node named by its id, name or key. */
export async function resolveNode(api: CrawlnestApi, ref: string, nodes?: Node[]): Promise<Node> {
  const all = nodes ?? (await api.listNodes());
  const hit = all.find((n) => n.id === ref) ?? all.find((n) => n.name === ref) ?? all.find((n) => n.key === ref);
  if (!hit) throw new CliError(`no node named or with id '${ref}' (see \`crawlnest nodes ls\`)`);
  return hit;
}

/** A project named by its id or its (unique) name. */
export async function resolveProject(api: CrawlnestApi, ref: string): Promise<Project> {
  const all = await api.listProjects();
  const hit = all.find((p) => p.id === ref) ?? all.find((p) => p.name === ref);
  if (!hit) throw new CliError(`no project named or with id '${ref}' that you are in (see \`crawlnest projects ls\`)`);
  return hit;
}

/** A user named by id or username. */
export async function resolveUser(api: CrawlnestApi, ref: string): Promise<User> {
  const all = await api.listUsers();
  const hit = all.find((u) => u.id === ref) ?? all.find((u) => u.username === ref);
  if (!hit) throw new CliError(`no user named or with id '${ref}' (see \`crawlnest users ls\`)`);
  return hit;
}
