import { clearToken, csrfToken, readToken } from '../auth/token-store';
import { ApiError, messageOf } from './api-error';
import type { AuditEvent, CreatedToken, LoginResult, Me, PersonalToken, Project, ProjectRole, User, UserInput, UserPatch } from './access-types';
import { markReachable } from './reachability';
import type { Channel, ChannelInput, Delivery, DeliveryQuery, Rule, RuleInput, TestOutcome } from './notify-types';
import type {
  Activity, CreateTask, FileList, Health, LogPage, Node, NodeEnvironment, NodeHistory, NodePatch, ResultPage, Schedule, ScheduleInput, SchedulePatch,
  FilesVersion, GitPull, GitSource, Spider, SpiderInput, SpiderPatch, SpiderVersion, Stats, Task, TaskPage, TaskQuery, TasksCreated, TreeUpload, VersionDiff, VersionFile,
} from './types';

/** The one module that talks to the master. Components use the hooks built on it, never fetch. */

type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, q: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/** A bearer token (token sign-in), else the session cookie goes by itself plus the CSRF header. */
function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const token = readToken();
  if (token) return { ...extra, authorization: `Bearer ${token}` };
  const csrf = csrfToken();
  return csrf ? { ...extra, 'x-csrf-token': csrf } : extra;
}

/** fetch, with "no answer at all" told apart from an error answer (it shows the master-unreachable banner). */
async function send(path: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    markReachable(false);
    throw new ApiError(0, 'The master cannot be reached (no answer); retrying');
  }
  // A proxy in front of a stopped master answers 502/503/504.
  markReachable(res.status < 502 || res.status > 504);
  return res;
}

/** Any 401 means the token is wrong or gone: forgetting it brings the sign-in back. */
async function check(res: Response): Promise<Response> {
  if (res.ok) return res;
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // a non-JSON error body (a proxy's page): shown as text
  }
  if (res.status === 401) clearToken();
  throw new ApiError(res.status, messageOf(res.status, body, res.statusText));
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const json = body !== undefined;
  const res = await check(
    await send(path, {
      method,
      headers: authHeaders(json ? { 'content-type': 'application/json' } : {}),
      body: json ? JSON.stringify(body) : undefined,
    }),
  );
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Raw GET with the bearer header (file contents, exports, the log stream). */
export async function rawGet(path: string, signal?: AbortSignal): Promise<Response> {
  return check(await send(path, { headers: authHeaders(), signal }));
}

/** POST of a multipart form (the file changes batch); the browser sets the boundary itself. */
export async function postForm<T>(path: string, form: FormData): Promise<T> {
  const res = await check(await send(path, { method: 'POST', headers: authHeaders(), body: form }));
  return (await res.json()) as T;
}

/** PUT with upload progress: fetch cannot report it, XMLHttpRequest can. */
export function putWithProgress<T>(path: string, body: Blob | FormData, contentType: string | null, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    for (const [k, v] of Object.entries(authHeaders(contentType ? { 'content-type': contentType } : {}))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network error during upload'));
    xhr.onload = () => {
      let parsed: unknown = xhr.responseText;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        // keep the text
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(parsed as T);
        return;
      }
      if (xhr.status === 401) clearToken();
      reject(new ApiError(xhr.status, messageOf(xhr.status, parsed, xhr.statusText)));
    };
    xhr.send(body);
  });
}

const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');

export const api = {
  login: (username: string, password: string) => request<LoginResult>('POST', '/api/auth/login', { username, password }),
  logout: () => request<void>('POST', '/api/auth/logout'),
  me: () => request<Me>('GET', '/api/me'),
  users: () => request<User[]>('GET', '/api/users'),
  createUser: (input: UserInput) => request<User>('POST', '/api/users', input),
  patchUser: (id: string, input: UserPatch) => request<User>('PATCH', `/api/users/${id}`, input),
  projects: () => request<Project[]>('GET', '/api/projects'),
  createProject: (name: string) => request<Project>('POST', '/api/projects', { name }),
  setMember: (projectId: string, userId: string, role: ProjectRole) => request<User>('PUT', `/api/projects/${projectId}/members/${userId}`, { role }),
  removeMember: (projectId: string, userId: string) => request<void>('DELETE', `/api/projects/${projectId}/members/${userId}`),
  tokens: () => request<PersonalToken[]>('GET', '/api/tokens'),
  createToken: (name: string, expiresInDays?: number) => request<CreatedToken>('POST', '/api/tokens', { name, expiresInDays }),
  revokeToken: (id: string) => request<void>('DELETE', `/api/tokens/${id}`),
  audit: (q: { userId?: string; projectId?: string; action?: string }) => request<AuditEvent[]>('GET', withQuery('/api/audit', q)),

  health: () => request<Health>('GET', '/api/health'),
  stats: () => request<Stats>('GET', '/api/stats'),
  activity: (minutes = 60) => request<Activity>('GET', withQuery('/api/stats/activity', { minutes })),

  nodes: () => request<Node[]>('GET', '/api/nodes'),
  node: (id: string) => request<Node>('GET', `/api/nodes/${id}`),
  nodeHistory: (id: string) => request<NodeHistory>('GET', `/api/nodes/${id}/history`),
  patchNode: (id: string, patch: NodePatch) =>
    request<Node>('PATCH', `/api/nodes/${id}`, patch),
  deleteNode: (id: string) => request<void>('DELETE', `/api/nodes/${id}`),
  nodeEnvironments: (id: string) => request<NodeEnvironment[]>('GET', `/api/nodes/${id}/environments`),

  spiders: () => request<Spider[]>('GET', '/api/spiders'),
  spider: (id: string) => request<Spider>('GET', `/api/spiders/${id}`),
  createSpider: (input: SpiderInput) => request<Spider>('POST', '/api/spiders', input),
  patchSpider: (id: string, input: SpiderPatch) => request<Spider>('PATCH', `/api/spiders/${id}`, input),
  deleteSpider: (id: string) => request<void>('DELETE', `/api/spiders/${id}`),
  files: (id: string) => request<FileList>('GET', `/api/spiders/${id}/files`),
  versions: (id: string) => request<SpiderVersion[]>('GET', `/api/spiders/${id}/versions`),
  gitSource: (id: string) => request<GitSource>('GET', `/api/spiders/${id}/git`),
  gitPull: (id: string) => request<GitPull>('POST', `/api/spiders/${id}/git/pull`),
  fileText: async (id: string, path: string) => (await rawGet(`/api/spiders/${id}/files/${enc(path)}`)).text(),
  /** `baseVersion`: the version the text was read at; the master refuses (409) when the file changed since. */
  saveFile: (id: string, path: string, content: string, baseVersion?: number) =>
    putWithProgress<FilesVersion>(withQuery(`/api/spiders/${id}/files/${enc(path)}`, { baseVersion }), new Blob([content]), 'application/octet-stream', () => undefined),
  uploadFiles: (id: string, body: Blob | FormData, contentType: string | null, onProgress: (f: number) => void) =>
    putWithProgress<TreeUpload>(`/api/spiders/${id}/files`, body, contentType, onProgress),
  versionFiles: (id: string, version: number) => request<VersionFile[]>('GET', `/api/spiders/${id}/versions/${version}/files`),
  versionFileText: async (id: string, version: number, path: string) => (await rawGet(`/api/spiders/${id}/versions/${version}/files/${enc(path)}`)).text(),
  diffVersions: (id: string, a: number, b: number) => request<VersionDiff>('GET', `/api/spiders/${id}/versions/${a}/diff/${b}`),
  restoreVersion: (id: string, version: number) => request<FilesVersion>('POST', `/api/spiders/${id}/versions/${version}/restore`),

  tasks: (q: TaskQuery) => request<TaskPage>('GET', withQuery('/api/tasks', q)),
  task: (id: string) => request<Task>('GET', `/api/tasks/${id}`),
  createTasks: (input: CreateTask) => request<TasksCreated>('POST', '/api/tasks', input),
  cancelTask: (id: string) => request<Task>('POST', `/api/tasks/${id}/cancel`),
  restartTask: (id: string) => request<TasksCreated>('POST', `/api/tasks/${id}/restart`),
  logs: (id: string, after: number, limit = 5000) => request<LogPage>('GET', withQuery(`/api/tasks/${id}/logs`, { after, limit })),
  logStream: (id: string, after: number, signal: AbortSignal) => rawGet(withQuery(`/api/tasks/${id}/logs/stream`, { after }), signal),
  taskResults: (id: string, page: number, size: number) => request<ResultPage>('GET', withQuery(`/api/tasks/${id}/results`, { page, size })),

  schedules: () => request<Schedule[]>('GET', '/api/schedules'),
  createSchedule: (input: ScheduleInput) => request<Schedule>('POST', '/api/schedules', input),
  patchSchedule: (id: string, input: SchedulePatch) => request<Schedule>('PATCH', `/api/schedules/${id}`, input),
  deleteSchedule: (id: string) => request<void>('DELETE', `/api/schedules/${id}`),

  results: (spiderId: string, q: { taskId?: string; field?: string; value?: string; cursor?: string; page: number; size: number }) =>
    request<ResultPage>('GET', withQuery(`/api/spiders/${spiderId}/results`, q)),
  resultFields: (spiderId: string) => request<string[]>('GET', `/api/spiders/${spiderId}/results/fields`),
  exportResults: (spiderId: string, format: 'csv' | 'json', taskId?: string, bom = false) =>
    rawGet(withQuery(`/api/spiders/${spiderId}/results/export`, { format, taskId, bom: bom ? 1 : undefined })),

  channels: () => request<Channel[]>('GET', '/api/notifications/channels'),
  createChannel: (input: ChannelInput) => request<Channel>('POST', '/api/notifications/channels', input),
  deleteChannel: (id: string) => request<void>('DELETE', `/api/notifications/channels/${id}`),
  testChannel: (id: string) => request<TestOutcome>('POST', `/api/notifications/channels/${id}/test`),
  rules: (q: { spiderId?: string } = {}) => request<Rule[]>('GET', withQuery('/api/notifications/rules', q)),
  createRule: (input: RuleInput) => request<Rule>('POST', '/api/notifications/rules', input),
  patchRule: (id: string, input: RuleInput) => request<Rule>('PATCH', `/api/notifications/rules/${id}`, input),
  deleteRule: (id: string) => request<void>('DELETE', `/api/notifications/rules/${id}`),
  deliveries: (q: DeliveryQuery) => request<Delivery[]>('GET', withQuery('/api/notifications/deliveries', q)),
  retryDelivery: (id: string) => request<Delivery>('POST', `/api/notifications/deliveries/${encodeURIComponent(id)}/retry`),
};
