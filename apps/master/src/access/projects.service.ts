import { Injectable } from '@nestjs/common';
import { ConflictError, isDuplicateKeyError, NotFoundError } from '@crawlnest/node';
import { Caller, isAdmin, ProjectRole, visibleProjects } from './access.policy';
import { ProjectRecord } from './access.types';
import { ProjectRepository } from './project.repository';
import { UserRepository } from './user.repository';

export type ProjectView = {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  role: ProjectRole | null;
  members: { userId: string; username: string; role: ProjectRole }[];
};

@Injectable()
export class ProjectsService {
  constructor(
    private readonly projects: ProjectRepository,
    private readonly users: UserRepository,
  ) {}

  async create(name: string, description: string): Promise<ProjectView> {
    if ((await this.projects.list()).some((p) => p.name === name)) throw new ConflictError(`name: a project named '${name}' exists`);
    try {
      return this.view(await this.projects.create(name, description), { kind: 'root' });
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`name: a project named '${name}' exists`);
      throw err;
    }
  }

  /** The projects the caller is in (all of them for admins). */
  async list(caller: Caller): Promise<ProjectView[]> {
    const visible = visibleProjects(caller);
    const [projects, users] = await Promise.all([this.projects.list(), this.users.list()]);
    return projects.filter((p) => !visible || visible.has(p.id)).map((p) => this.toView(p, caller, users));
  }

  async get(id: string, caller: Caller): Promise<ProjectView> {
    const p = await this.projects.findById(id);
    if (!p) throw new NotFoundError('project', id);
    return this.view(p, caller);
  }

  /** The caller's projects with their role in each (admins: owner of all). */
  async mine(caller: Caller): Promise<{ id: string; name: string; role: ProjectRole }[]> {
    const projects = await this.projects.list();
    if (isAdmin(caller)) return projects.map((p) => ({ id: p.id, name: p.name, role: 'owner' as const }));
    if (caller.kind !== 'user') return [];
    return projects.filter((p) => caller.projects.has(p.id)).map((p) => ({ id: p.id, name: p.name, role: caller.projects.get(p.id) as ProjectRole }));
  }

  private async view(p: ProjectRecord, caller: Caller): Promise<ProjectView> {
    return this.toView(p, caller, await this.users.list());
  }

  private toView(p: ProjectRecord, caller: Caller, users: Awaited<ReturnType<UserRepository['list']>>): ProjectView {
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      createdAt: new Date(p.createdAt).toISOString(),
      role: caller.kind === 'user' ? (caller.projects.get(p.id) ?? null) : null,
      members: users.flatMap((u) => u.memberships.filter((m) => m.projectId === p.id).map((m) => ({ userId: u.id, username: u.username, role: m.role }))),
    };
  }
}
