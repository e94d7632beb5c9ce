import { z } from 'zod';
import { labelsFromObject } from '@crawlnest/node';
import { TASK_MODES, TASK_STATUSES } from '@crawlnest/task';

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'expected a 24-hex id');
const shortText = (max: number) => z.string().max(max, `at most ${max} characters`);
const stringMap = z
  .record(shortText(200), shortText(4096))
  .refine((m) => Object.keys(m).length <= 100, 'at most 100 entries')
  .transform(labelsFromObject);
const intFromQuery = (min: number, max: number, dflt: number) =>
  z.coerce.number().int('expected an integer').min(min, `expected >= ${min}`).max(max, `expected <= ${max}`).default(dflt);

export const createSpiderSchema = z.strictObject({
  name: shortText(200).min(1, 'required'),
  cmd: shortText(4096).min(1, 'required'),
  param: shortText(4096).default(''),
  description: shortText(10_000).default(''),
});

export const patchSpiderSchema = z.strictObject({
  name: shortText(200).min(1).optional(),
  cmd: shortText(4096).min(1).optional(),
  param: shortText(4096).optional(),
  description: shortText(10_000).optional(),
});

export const createTaskSchema = z.strictObject({
  spiderId: objectId,
  mode: z.enum(TASK_MODES).default('random'),
  nodeIds: z.array(objectId).max(1000).default([]),
  labels: stringMap.default([]),
  cmd: shortText(4096).min(1).optional(),
  param: shortText(4096).optional(),
  env: stringMap.default([]),
  priority: z.number().int('expected an integer').min(1, 'expected 1..10').max(10, 'expected 1..10').default(5),
  timeoutSec: z.number().int('expected an integer').min(0).max(30 * 24 * 3600).default(0),
  maxRetries: z.number().int('expected an integer').min(0).max(100).default(0),
});

export const listTasksQuery = z.object({
  status: z.enum(TASK_STATUSES).optional(),
  spiderId: objectId.optional(),
  nodeId: objectId.optional(),
  page: intFromQuery(1, 1_000_000, 1),
  size: intFromQuery(1, 1000, 20),
});

export const logsQuery = z.object({
  after: intFromQuery(0, Number.MAX_SAFE_INTEGER, 0),
  limit: intFromQuery(1, 10_000, 1000),
});

export const listNodesQuery = z.object({
  status: z.enum(['online', 'offline']).optional(),
  label: z
    .string()
    .regex(/^[^:]+:.*$/, 'expected k:v')
    .transform((s) => ({ key: s.slice(0, s.indexOf(':')), value: s.slice(s.indexOf(':') + 1) }))
    .optional(),
});

export const patchNodeSchema = z.strictObject({
  labels: stringMap.optional(),
  maxRunners: z.number().int('expected an integer').min(1).max(1024).optional(),
  enabled: z.boolean().optional(),
});

export const fileModeQuery = z.object({
  mode: z
    .string()
    .regex(/^[0-7]{3,4}$/, 'expected an octal mode like 755')
    .transform((s) => parseInt(s, 8) & 0o777)
    .optional(),
});

const scheduleFields = {
  spiderId: objectId,
  cron: z.string().max(200),
  mode: z.enum(TASK_MODES),
  nodeIds: z.array(objectId).max(1000),
  labels: stringMap,
  param: shortText(4096).nullable(),
  cmd: shortText(4096).min(1).nullable(),
  priority: z.number().int('expected an integer').min(1, 'expected 1..10').max(10, 'expected 1..10'),
  enabled: z.boolean(),
};

export const createScheduleSchema = z.strictObject({
  ...scheduleFields,
  mode: scheduleFields.mode.default('random'),
  nodeIds: scheduleFields.nodeIds.default([]),
  labels: scheduleFields.labels.default([]),
  param: scheduleFields.param.optional(),
  cmd: scheduleFields.cmd.optional(),
  priority: scheduleFields.priority.default(5),
  enabled: scheduleFields.enabled.default(true),
});

export const patchScheduleSchema = z.strictObject({
  cron: scheduleFields.cron.optional(),
  mode: scheduleFields.mode.optional(),
  nodeIds: scheduleFields.nodeIds.optional(),
  labels: scheduleFields.labels.optional(),
  param: scheduleFields.param.optional(),
  cmd: scheduleFields.cmd.optional(),
  priority: scheduleFields.priority.optional(),
  enabled: scheduleFields.enabled.optional(),
});
