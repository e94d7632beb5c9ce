import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Caller, callerOf, decide, isAdmin, ProjectAction, ResourceResolver, roleAtLeast } from '../access';
import { ScrapydInputError } from './scrapyd-args';
import { ScrapydRepository } from './scrapyd.repository';

/**
 * The project policy (access.policy.ts) on Scrapyd's API: a Scrapyd project lives in the
 * Crawlnest project of its project spider; a caller acts on it with the role it needs there
 * (read: list and status; run: schedule and cancel; edit: addversion, delversion, delproject).
 * Refusals come back as Scrapyd errors; a project the caller is not in answers "not found".
 */
@Injectable()
export class ScrapydAccess {
  constructor(
    private readonly repo: ScrapydRepository,
    private readonly resolver: ResourceResolver,
  ) {}

  /** The Crawlnest project of a Scrapyd project; null: no such project (yet). */
  async crawlnestProjectOf(project: string): Promise<string | null> {
    const p = await this.repo.project(project);
    return p ? this.resolver.projectOfSpider(p.spiderId) : null;
  }

  /** Throws a Scrapyd error unless the caller may take `action` in the (existing) project. */
  async require(req: Request, project: string, action: ProjectAction): Promise<void> {
    const caller = callerOf(req);
    if (isAdmin(caller)) return;
    const projectId = await this.crawlnestProjectOf(project);
    // An unknown project: the service answers "not found" as it does for admins.
    if (projectId === null) return;
    refuseUnless(caller, action, projectId, project);
  }

  /**
   * Where addversion puts the project: the project it is in for an existing one (the caller
   * needs `edit` there); for a new one, the default project for admins and the root token,
   * else the one project the caller may edit in.
   */
  async deployTarget(req: Request, project: string): Promise<string | undefined> {
    const caller = callerOf(req);
    const existing = await this.crawlnestProjectOf(project);
    if (existing !== null) {
      if (!isAdmin(caller)) refuseUnless(caller, 'edit', existing, project);
      return existing;
    }
    if (isAdmin(caller) || caller.kind === 'root') return undefined;
    const editable = [...caller.projects].filter(([, role]) => roleAtLeast(role, 'editor')).map(([id]) => id);
    if (editable.length !== 1) {
      throw new ScrapydInputError(`project '${project}': a new project needs the editor role in exactly one Crawlnest project (you have it in ${editable.length})`);
    }
    return editable[0];
  }

  /** Scrapyd project names the caller may see; null: all of them. */
  async visibleProjects(req: Request): Promise<Set<string> | null> {
    const caller = callerOf(req);
    if (isAdmin(caller) || caller.kind === 'root') return null;
    const out = new Set<string>();
    for (const name of await this.repo.projectNames()) {
      const projectId = await this.crawlnestProjectOf(name);
      if (projectId !== null && decide(caller, 'read', projectId).ok) out.add(name);
    }
    return out;
  }
}

function refuseUnless(caller: Caller, action: ProjectAction, projectId: string, project: string): void {
  const d = decide(caller, action, projectId);
  if (d.ok) return;
  throw new ScrapydInputError(d.status === 404 ? `project '${project}' not found` : `project '${project}': ${d.message}`);
}
