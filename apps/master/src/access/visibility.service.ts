import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { visibleProjects } from './access.policy';
import { callerOf } from './request-access';
import { ResourceResolver } from './resource-resolver';

/**
 * The list-filter hooks controllers call so lists and counts hold only what the caller may
 * see. `null` means "everything" (admins and the root token): callers skip the filter.
 */
@Injectable()
export class VisibilityService {
  constructor(private readonly resolver: ResourceResolver) {}

  projectIds(req: Request): ReadonlySet<string> | null {
    return visibleProjects(callerOf(req));
  }

  /** Keeps the items of projects the caller is in. */
  filterByProject<T extends { projectId: string }>(req: Request, items: T[]): T[] {
    const visible = this.projectIds(req);
    return visible ? items.filter((i) => visible.has(i.projectId)) : items;
  }

  /** Ids of the spiders the caller may see, or null for all. */
  async spiderIds(req: Request): Promise<Set<string> | null> {
    const visible = this.projectIds(req);
    return visible ? this.resolver.spiderIdsIn(visible) : null;
  }

  /** Keeps the items (tasks, schedules) whose spider the caller may see. */
  async filterBySpider<T extends { spiderId: string }>(req: Request, items: T[]): Promise<T[]> {
    const ids = await this.spiderIds(req);
    return ids ? items.filter((i) => ids.has(i.spiderId)) : items;
  }
}
