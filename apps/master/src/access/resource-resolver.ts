import { Injectable } from '@nestjs/common';
import { DEFAULT_PROJECT_ID, SpiderRepository } from '@crawlnest/sync';
import { ScheduleService, TaskService } from '@crawlnest/task';
import { NotFoundError, OBJECT_ID_PATTERN } from '@crawlnest/node';
import { NotifyService } from '@crawlnest/notify';
import type { ResourceKind } from './access.decorator';
import { ProjectRepository } from './project.repository';

/**
 * The project a resource belongs to: a spider's own, and through their spider those of its
 * tasks (and their logs, results, streams), schedules, files and versions. null: no such
 * resource (callers who are not admins then get 404, like for a project they are not in).
 */
@Injectable()
export class ResourceResolver {
  constructor(
    private readonly spiders: SpiderRepository,
    private readonly tasks: TaskService,
    private readonly schedules: ScheduleService,
    private readonly projects: ProjectRepository,
    private readonly notify: NotifyService,
  ) {}

  /** Notification channels, rules and deliveries: their own projectId; a global one (null) is the admins'. */
  async projectOf(kind: ResourceKind, id: string): Promise<string | null> {
    if (kind === 'channel' || kind === 'rule' || kind === 'delivery') return this.notify.projectOf(kind, id);
    if (!OBJECT_ID_PATTERN.test(id)) return null;
    switch (kind) {
      case 'project':
        return (await this.projects.findById(id)) ? id : null;
      case 'spider':
        return this.projectOfSpider(id);
      case 'task':
        return this.viaSpider(() => this.tasks.get(id));
      case 'schedule':
        return this.viaSpider(() => this.schedules.get(id));
      default:
        return null;
    }
  }

  async projectOfSpider(id: string): Promise<string | null> {
    const s = await this.spiders.findById(id);
    return s ? (s.projectId ?? DEFAULT_PROJECT_ID) : null;
  }

  /** Spider ids of the given projects (the spiders collection is small: one scan). */
  async spiderIdsIn(projectIds: ReadonlySet<string>): Promise<Set<string>> {
    const all = await this.spiders.list();
    return new Set(all.filter((s) => projectIds.has(s.projectId ?? DEFAULT_PROJECT_ID)).map((s) => String(s._id)));
  }

  private async viaSpider(load: () => Promise<{ spiderId: string }>): Promise<string | null> {
    try {
      return await this.projectOfSpider((await load()).spiderId);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }
}
