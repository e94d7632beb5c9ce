import { Injectable } from '@nestjs/common';
import { BadInputError, ConflictError, isDuplicateKeyError, NotFoundError } from '@crawlnest/node';
import type { ProjectRole, UserRole } from './access.policy';
import { toUserView, UserRecord, UserView } from './access.types';
import { CredentialRepository } from './credential.repository';
import { hashPassword, passwordProblem } from './password';
import { ProjectRepository } from './project.repository';
import { UserRepository } from './user.repository';

/** Users and their project memberships. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly projects: ProjectRepository,
    private readonly credentials: CredentialRepository,
  ) {}

  async create(username: string, password: string, role: UserRole): Promise<UserView> {
    const problem = passwordProblem(password);
    if (problem) throw new BadInputError(problem);
    if (await this.users.findByUsername(username)) throw new ConflictError(`username: '${username}' is taken`);
    try {
      return toUserView(await this.users.create({ username, passwordHash: await hashPassword(password), role }));
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`username: '${username}' is taken`);
      throw err;
    }
  }

  async list(): Promise<UserView[]> {
    return (await this.users.list()).map(toUserView);
  }

  async require(id: string): Promise<UserRecord> {
    const u = await this.users.findById(id);
    if (!u) throw new NotFoundError('user', id);
    return u;
  }

  async get(id: string): Promise<UserView> {
    return toUserView(await this.require(id));
  }

  /** Disabling, or a new password, ends the user's sessions at once (tokens stop while disabled). */
  async patch(id: string, p: { role?: UserRole; disabled?: boolean; password?: string }): Promise<UserView> {
    await this.require(id);
    const set: Partial<Pick<UserRecord, 'role' | 'disabled' | 'passwordHash'>> = {};
    if (p.role !== undefined) set.role = p.role;
    if (p.disabled !== undefined) set.disabled = p.disabled;
    if (p.password !== undefined) {
      const problem = passwordProblem(p.password);
      if (problem) throw new BadInputError(problem);
      set.passwordHash = await hashPassword(p.password);
    }
    const u = await this.users.update(id, set);
    if (!u) throw new NotFoundError('user', id);
    if (p.disabled === true || p.password !== undefined) await this.credentials.deleteSessionsOf(id);
    return toUserView(u);
  }

  async setMember(projectId: string, userId: string, role: ProjectRole | null): Promise<UserView> {
    if (!(await this.projects.findById(projectId))) throw new NotFoundError('project', projectId);
    await this.require(userId);
    const u = await this.users.setMembership(userId, projectId, role);
    if (!u) throw new NotFoundError('user', userId);
    return toUserView(u);
  }
}
