import type { Readable } from 'node:stream';
import { HttpClient } from './http-client';
import type {
  CreatedToken, CreateScheduleBody, CreateTaskBody, FileEntry, LoginResult, LogPage, Me, Node, NodePatch, PersonalToken, Project, ProjectInput, ProjectRole, Schedule, Spider,
  SpiderInput, SpiderPatch, SpiderVersion, Stats, Task, TaskPage, TaskStatus, TasksCreated, TokenInput, UploadLimits, UploadResult, User, UserInput, UserPatch, VersionDiff, VersionRef,
} from './types';

/** The request bodies, named as before the types were generated (callers import them from here). */
export type { CreateScheduleBody, CreateTaskBody } from './types';

/** Typed calls of the REST API (docs/api.md); no formatting here. */
export class CrawlnestApi {
  constructor(readonly http: HttpClient) {}

  stats(): Promise<Stats> {
    return this.http.json('GET', '/api/stats');
  }

  listSpiders(): Promise<Spider[]> {
    return this.http.json('GET', '/api/spiders');
  }
  getSpider(id: string): Promise<Spider> {
    return this.http.json('GET', `/api/spiders/${id}`);
  }
  createSpider(body: SpiderInput): Promise<Spider> {
    return this.http.json('POST', '/api/spiders', { body });
  }
  updateSpider(id: string, body: SpiderPatch): Promise<Spider> {
    return this.http.json('PATCH', `/api/spiders/${id}`, { body });
  }
  deleteSpider(id: string): Promise<void> {
    return this.http.json('DELETE', `/api/spiders/${id}`);
  }
  /** `unwrap: false`: the archive's paths are kept as sent (deploy packs the folder the user named). */
  uploadArchive(id: string, tgz: Readable, opts: { unwrap?: boolean } = {}): Promise<UploadResult> {
    const query = opts.unwrap === false ? '?unwrap=false' : '';
    return this.http.upload('PUT', `/api/spiders/${id}/files${query}`, tgz, 'application/gzip');
  }
  uploadLimits(): Promise<UploadLimits> {
    return this.http.json('GET', '/api/limits');
  }

  listVersions(id: string): Promise<SpiderVersion[]> {
    return this.http.json('GET', `/api/spiders/${id}/versions`);
  }
  versionFiles(id: string, version: number): Promise<FileEntry[]> {
    return this.http.json('GET', `/api/spiders/${id}/versions/${version}/files`);
  }
  /** One file of a version as a streamed response. */
  versionFile(id: string, version: number, path: string): Promise<Response> {
    return this.http.stream(`/api/spiders/${id}/versions/${version}/files/${path.split('/').map(encodeURIComponent).join('/')}`);
  }
  diffVersions(id: string, a: number, b: number): Promise<VersionDiff> {
    return this.http.json('GET', `/api/spiders/${id}/versions/${a}/diff/${b}`);
  }
  restoreVersion(id: string, version: number): Promise<VersionRef> {
    return this.http.json('POST', `/api/spiders/${id}/versions/${version}/restore`);
  }

  createTasks(body: CreateTaskBody): Promise<TasksCreated> {
    return this.http.json('POST', '/api/tasks', { body });
  }
  listTasks(q: { status?: TaskStatus; spiderId?: string; nodeId?: string; page?: number; size?: number }): Promise<TaskPage> {
    return this.http.json('GET', '/api/tasks', { query: q });
  }
  getTask(id: string): Promise<Task> {
    return this.http.json('GET', `/api/tasks/${id}`);
  }
  cancelTask(id: string): Promise<Task> {
    return this.http.json('POST', `/api/tasks/${id}/cancel`);
  }
  restartTask(id: string): Promise<TasksCreated> {
    return this.http.json('POST', `/api/tasks/${id}/restart`);
  }
  logs(id: string, after: number, limit = 1000): Promise<LogPage> {
    return this.http.json('GET', `/api/tasks/${id}/logs`, { query: { after, limit } });
  }

  /** The export as a streamed response (GET /api/spiders/:id/results/export). */
  exportResults(spiderId: string, q: { format: string; taskId?: string; bom?: '1' }): Promise<Response> {
    return this.http.stream(`/api/spiders/${spiderId}/results/export`, q);
  }

  listNodes(): Promise<Node[]> {
    return this.http.json('GET', '/api/nodes');
  }
  updateNode(id: string, body: NodePatch): Promise<Node> {
    return this.http.json('PATCH', `/api/nodes/${id}`, { body });
  }

  listSchedules(): Promise<Schedule[]> {
    return this.http.json('GET', '/api/schedules');
  }
  createSchedule(body: CreateScheduleBody): Promise<Schedule> {
    return this.http.json('POST', '/api/schedules', { body });
  }
  deleteSchedule(id: string): Promise<void> {
    return this.http.json('DELETE', `/api/schedules/${id}`);
  }

  login(username: string, password: string): Promise<LoginResult> {
    return this.http.json('POST', '/api/auth/login', { body: { username, password } });
  }
  logout(): Promise<void> {
    return this.http.json('POST', '/api/auth/logout');
  }
  me(): Promise<Me> {
    return this.http.json('GET', '/api/me');
  }

  listUsers(): Promise<User[]> {
    return this.http.json('GET', '/api/users');
  }
  createUser(body: UserInput): Promise<User> {
    return this.http.json('POST', '/api/users', { body });
  }
  updateUser(id: string, body: UserPatch): Promise<User> {
    return this.http.json('PATCH', `/api/users/${id}`, { body });
  }

  listProjects(): Promise<Project[]> {
    return this.http.json('GET', '/api/projects');
  }
  createProject(body: ProjectInput): Promise<Project> {
    return this.http.json('POST', '/api/projects', { body });
  }
  setMember(projectId: string, userId: string, role: ProjectRole): Promise<User> {
    return this.http.json('PUT', `/api/projects/${projectId}/members/${userId}`, { body: { role } });
  }
  removeMember(projectId: string, userId: string): Promise<void> {
    return this.http.json('DELETE', `/api/projects/${projectId}/members/${userId}`);
  }

  listTokens(): Promise<PersonalToken[]> {
    return this.http.json('GET', '/api/tokens');
  }
  createToken(body: TokenInput): Promise<CreatedToken> {
    return this.http.json('POST', '/api/tokens', { body });
  }
  revokeToken(id: string): Promise<void> {
    return this.http.json('DELETE', `/api/tokens/${id}`);
  }
}
