import { SetMetadata } from '@nestjs/common';
import type { GlobalNeed, ProjectAction } from './access.policy';

export const ACCESS_RULE = 'crawlnest:access';

export type ResourceKind = 'project' | 'spider' | 'task' | 'schedule' | 'channel' | 'rule' | 'delivery';

/**
 * Where a route finds the id of the resource it touches, and what that id is.
 * `whenMissing`: `skip` (an optional field, e.g. a PATCH not moving anything), `admin`
 * (without it the route is admin-only, e.g. the whole audit log), `single-project` (the
 * caller's only project, e.g. a spider created without projectId).
 */
export type ResourceRef = {
  kind: ResourceKind;
  from: 'param' | 'body' | 'query';
  key: string;
  whenMissing?: 'skip' | 'admin' | 'single-project';
  /** An explicit null (e.g. `projectId: null`: a global notification channel) needs the admin role. */
  whenNull?: 'admin';
};

export type AccessRule = { need: GlobalNeed } | { need: ProjectAction; refs: ResourceRef[] };

/**
 * The access rule of a route: `@Access('signed-in')`, `@Access('admin')`, or a project
 * action on the resources named, e.g. `@Access('run', param('task'))`. A route without a
 * rule is refused to everyone but the root token (fail closed).
 */
export function Access(need: GlobalNeed): MethodDecorator & ClassDecorator;
export function Access(need: ProjectAction, ...refs: ResourceRef[]): MethodDecorator & ClassDecorator;
export function Access(need: GlobalNeed | ProjectAction, ...refs: ResourceRef[]): MethodDecorator & ClassDecorator {
  return SetMetadata(ACCESS_RULE, (need === 'signed-in' || need === 'admin' ? { need } : { need, refs }) as AccessRule);
}

/** `:id` (or another path parameter) is a `kind` id. */
export const param = (kind: ResourceKind, key = 'id'): ResourceRef => ({ kind, from: 'param', key });
/** A body field holds a `kind` id (or an array of them: each is checked). */
export const body = (kind: ResourceKind, key: string, whenMissing?: ResourceRef['whenMissing'], whenNull?: ResourceRef['whenNull']): ResourceRef => ({ kind, from: 'body', key, whenMissing, whenNull });
/** A query parameter holds a `kind` id. */
export const query = (kind: ResourceKind, key: string, whenMissing?: ResourceRef['whenMissing']): ResourceRef => ({ kind, from: 'query', key, whenMissing });
