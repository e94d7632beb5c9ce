import { gzipSync } from 'node:zlib';
import { multipart, tarGz, zipWithNames } from './malformed-archives';
import type { RawRequest } from './malformed-http';

/** Valid things that exist in the suite's database, so bad requests also hit real ids. */
export type Fixtures = {
  token: string;
  spiderId: string;
  /** A file of that spider. */
  filePath: string;
  /** A directory of that spider (it holds a file). */
  dirPath: string;
  scheduleId: string;
  /** A finished task (cancel is a 409, its logs are readable). */
  taskId: string;
  /** The online node of the live worker (delete is a 409). */
  nodeId: string;
};

/** mulberry32: small, seeded, the same sequence on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KB = 1024;
const MB = 1024 * KB;
const JSON_TYPE = 'application/json';
/** A 24-hex id that names nothing. */
const MISSING_ID = '0123456789abcdef01234567';

/** Ids that are not 24 lowercase hex characters, as they appear in a URL path. */
const BAD_IDS = [
  'abc',
  '123',
  'zzzzzzzzzzzzzzzzzzzzzzzz', // 24 chars, not hex
  '0123456789abcdef012345678', // 25 hex
  '0123456789abcdef0123456', // 23 hex
  '0123456789ABCDEF01234567', // upper case
  '%00',
  'null',
  '-1',
  '%2e%2e',
  '%ff%fe', // not UTF-8 once decoded
  '0123456789abcdef0123456%20',
  'a'.repeat(2000),
  '{"$gt":""}',
  encodeURIComponent('{"$ne":null}'),
];

/** Spider file paths that must be refused (sent raw: no client normalises them). */
const BAD_FILE_PATHS = [
  '..',
  '../x',
  '../../etc/passwd',
  'a/../../b',
  'a/./b',
  '.',
  '%2e%2e/x',
  'a/%2e%2e/%2e%2e/x',
  '%2e%2e%2f%2e%2e%2fx', // encoded slashes
  '%2E%2E/x',
  '/etc/passwd', // the URL then holds `files//etc/passwd`
  '%2fetc%2fpasswd',
  'a%00b',
  '%00',
  'a%5cb', // backslash
  '..%5c..%5cx',
  'C:%5cx',
  'C:/x',
  'a//b',
  'x'.repeat(1025),
  `${'d/'.repeat(600)}f`,
  '%ff',
];

type Json = unknown;
type FieldCases = Record<string, Json[]>;

/** Wrong types and out-of-range values, per field; each is merged into a valid body. */
const STRING_WRONG: Json[] = [42, true, null, [], {}, 1.5];
const big = (n: number) => 'x'.repeat(n);

const SPIDER_FIELDS: FieldCases = {
  name: [...STRING_WRONG, '', big(201), big(100 * KB)],
  cmd: [...STRING_WRONG, '', big(4097), big(100 * KB)],
  param: [...STRING_WRONG, big(4097)],
  description: [...STRING_WRONG, big(10_001), big(100 * KB)],
  resultsCollection: [...STRING_WRONG, '', 'tasks', 'results_', 'results_a.b', 'results_$x', `results_${'a'.repeat(93)}`, 'system.results_x'],
  dedup: ['url', 42, true, [], ['url'], {}, { keys: [] , mode: 'ignore' }, { keys: ['url'], mode: 'merge' }, { keys: 'url', mode: 'ignore' }, { keys: [42], mode: 'ignore' }, { keys: [''], mode: 'ignore' }, { keys: ['url'] }],
  keepVersions: [0, -1, 1.5, '10', 100_001, true, [], {}],
};

const MAP_WRONG: Json[] = ['k=v', 42, true, null, ['k:v'], { k: 1 }, { k: null }, { k: { nested: 'v' } }, { k: ['v'] }, { [big(201)]: 'v' }, { k: big(4097) }, manyEntries(101)];

function manyEntries(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
}

const INT_WRONG: Json[] = ['5', null, true, [], {}, 2.5, -1];

function taskFields(nodeId: string): FieldCases {
  return {
    spiderId: [42, null, true, [], {}, '', 'abc', MISSING_ID, 'zzzzzzzzzzzzzzzzzzzzzzzz', big(100 * KB)],
    mode: ['bogus', 'RANDOM', '', 42, null, ['random'], {}],
    nodeIds: ['abc', nodeId, 42, null, {}, [42], ['abc'], [null], [MISSING_ID.toUpperCase()], Array.from({ length: 1001 }, () => nodeId)],
    labels: MAP_WRONG,
    env: MAP_WRONG,
    cmd: [...STRING_WRONG, '', big(4097)],
    param: [...STRING_WRONG, big(4097)],
    priority: [...INT_WRONG, 0, 11, 1000, -0.5, 1e21],
    timeoutSec: [...INT_WRONG, 30 * 24 * 3600 + 1, 1e21],
    maxRetries: [...INT_WRONG, 101, 2 ** 53 + 2],
  };
}

function scheduleFields(nodeId: string): FieldCases {
  return {
    cron: [...BAD_CRONS, 42, null, true, [], {}],
    mode: ['bogus', 'ALL-NODES', '', 7, null],
    nodeIds: ['abc', nodeId, 42, null, {}, [42], ['abc'], [null]],
    labels: MAP_WRONG.slice(0, 8),
    param: [42, true, [], {}, big(4097)],
    cmd: [42, true, [], {}, '', big(4097)],
    priority: [...INT_WRONG, 0, 11],
    enabled: ['true', 'false', 1, 0, null, [], {}],
    timezone: ['Mars/Olympus', 'Europe/Berlinn', '', '+01:00', 42, null, big(101)],
    catchUp: ['all', 'LATEST', '', 1, null],
  };
}

/** Well-formed, but no date matches: a schedule that can never run. */
const NEVER_FIRES = ['0 0 30 2 *', '0 0 31 4 *', '0 0 0 31 11 *'];

const BAD_CRONS: string[] = [
  ...NEVER_FIRES,
  '',
  ' ',
  '* * *',
  '* * * *',
  '* * * * * * *',
  '60 * * * *',
  '* 24 * * *',
  '* * 32 * *',
  '* * 0 * *',
  '* * * 13 *',
  '* * * 0 *',
  '* * * * 8',
  '-1 * * * *',
  '5-1 * * * *',
  '*/0 * * * *',
  '1,,2 * * * *',
  'a b c d e',
  '* * * * MON-FOO',
  '* * * JANX *',
  'every minute',
  '61 * * * * *',
  `0 0 1 1 * ${'*'.repeat(200)}`,
  '0\u0000 0 1 1 *',
];

const AUTH_VARIANTS = (token: string): [string, Record<string, string>][] => [
  ['no token', {}],
  ['wrong token', { authorization: 'Bearer not-the-token-0123456789abcdef' }],
  ['token plus a char', { authorization: `Bearer ${token}x` }],
  ['token prefix', { authorization: `Bearer ${token.slice(0, -1)}` }],
  ['Basic scheme', { authorization: `Basic ${Buffer.from(`admin:${token}`).toString('base64')}` }],
  ['no scheme', { authorization: token }],
  ['empty bearer', { authorization: 'Bearer ' }],
  ['token in another header', { 'x-api-token': token }],
  ['Token scheme', { authorization: `Token ${token}` }],
];

/**
 * A few hundred requests, each bad in exactly one way named by its `kind`, over every
 * route of API.md. Deterministic for a seed: the same set on every run.
 */
export async function malformedRequests(f: Fixtures, seed = 20240601): Promise<RawRequest[]> {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[], n: number): T[] => {
    const pool = [...xs];
    const out: T[] = [];
    while (out.length < n && pool.length) out.push(pool.splice(Math.floor(rnd() * pool.length), 1)[0]);
    return out;
  };
  const auth = { authorization: `Bearer ${f.token}` };
  const out: RawRequest[] = [];
  const json = (kind: string, method: string, path: string, body: Json, headers: Record<string, string> = {}) =>
    out.push({ kind, method, path, body: JSON.stringify(body), headers: { ...auth, 'content-type': JSON_TYPE, ...headers } });
  const raw = (kind: string, method: string, path: string, body?: Buffer | string, contentType?: string, headers: Record<string, string> = auth) =>
    out.push({ kind, method, path, body, headers: contentType ? { ...headers, 'content-type': contentType } : { ...headers } });

  /** Each bad value of each field, merged into a body that is valid without it. */
  const fieldCases = (route: string, method: string, path: string, valid: Record<string, Json>, fields: FieldCases, perField = 4) => {
    for (const [field, values] of Object.entries(fields)) {
      for (const v of pick(values, perField)) json(`${route}: bad ${field}`, method, path, { ...valid, [field]: v });
    }
  };

  /** Bodies no JSON route accepts: not JSON, not an object, too big, or not sent as JSON. */
  const bodyShapeCases = (route: string, method: string, path: string, valid: Record<string, Json>) => {
    const text = JSON.stringify(valid);
    for (const b of pick(['{', '{"name":', "{'name':'x'}", '{"a":1,}', 'undefined', '{"priority": NaN}', '\u0000', text.slice(0, -1)], 3)) {
      raw(`${route}: malformed JSON`, method, path, b, JSON_TYPE);
    }
    for (const b of pick(['[]', '[{}]', '"str"', 'null', '42', 'true', JSON.stringify([valid])], 3)) raw(`${route}: non-object JSON`, method, path, b, JSON_TYPE);
    raw(`${route}: 2 MB JSON`, method, path, JSON.stringify({ ...valid, description: big(2 * MB) }), JSON_TYPE);
    raw(`${route}: valid JSON as text/plain`, method, path, text, 'text/plain');
    raw(`${route}: valid JSON as form-urlencoded`, method, path, text, 'application/x-www-form-urlencoded');
    raw(`${route}: valid JSON, no content type`, method, path, text);
    raw(`${route}: valid JSON as application/xml`, method, path, text, 'application/xml');
    raw(`${route}: JSON in a charset JSON may not use`, method, path, text, 'application/json; charset=iso-8859-1');
    raw(`${route}: JSON declared shorter than sent`, method, path, text, JSON_TYPE, { ...auth, 'content-length': String(text.length - 3) });
  };

  const unknownFieldCases = (route: string, method: string, path: string, valid: Record<string, Json>, extras: Record<string, Json>[]) => {
    for (const e of extras) json(`${route}: unknown field ${Object.keys(e)[0]}`, method, path, { ...valid, ...e });
    raw(`${route}: unknown field __proto__`, method, path, JSON.stringify(valid).replace(/^\{/, '{"__proto__":{"polluted":true},'), JSON_TYPE);
  };

  const idRoutes = (route: string, methods: [string, string, Json?][]) => {
    for (const [method, template, body] of methods) {
      for (const id of pick(BAD_IDS, 3)) {
        const path = template.replace(':id', id);
        if (body === undefined) raw(`${route}: bad id`, method, path);
        else json(`${route}: bad id`, method, path, body);
      }
    }
  };

  // ---- spiders ----
  const spider = { name: 'fuzz-new', cmd: 'true' };
  fieldCases('POST /api/spiders', 'POST', '/api/spiders', spider, SPIDER_FIELDS, 5);
  for (const b of [{}, { name: 'x' }, { cmd: 'true' }, { param: 'p', description: 'd' }]) json('POST /api/spiders: missing field', 'POST', '/api/spiders', b);
  unknownFieldCases('POST /api/spiders', 'POST', '/api/spiders', spider, [{ extra: 1 }, { id: MISSING_ID }, { _id: MISSING_ID }, { version: 7 }, { createdAt: '2020-01-01T00:00:00Z' }, { fileCount: 3 }]);
  bodyShapeCases('POST /api/spiders', 'POST', '/api/spiders', spider);

  const spiderPath = `/api/spiders/${f.spiderId}`;
  const spiderPatch = { description: 'patched by a bad request' };
  for (const [field, values] of Object.entries(SPIDER_FIELDS)) {
    for (const v of pick(values, 4)) json(`PATCH /api/spiders/:id: bad ${field}`, 'PATCH', spiderPath, { ...spiderPatch, [field]: v });
  }
  unknownFieldCases('PATCH /api/spiders/:id', 'PATCH', spiderPath, spiderPatch, [{ extra: 1 }, { id: MISSING_ID }, { version: 99 }, { fileCount: 0 }, { updatedAt: '2020-01-01T00:00:00Z' }]);
  bodyShapeCases('PATCH /api/spiders/:id', 'PATCH', spiderPath, spiderPatch);
  json('PATCH /api/spiders/:id: missing id', 'PATCH', `/api/spiders/${MISSING_ID}`, spiderPatch);
  raw('DELETE /api/spiders/:id: missing id', 'DELETE', `/api/spiders/${MISSING_ID}`);
  raw('GET /api/spiders/:id: missing id', 'GET', `/api/spiders/${MISSING_ID}`);
  idRoutes('spiders', [
    ['GET', '/api/spiders/:id'],
    ['PATCH', '/api/spiders/:id', spiderPatch],
    ['DELETE', '/api/spiders/:id'],
  ]);

  // ---- spider files ----
  const filesPath = `${spiderPath}/files`;
  const good = multipart([{ filename: 'ok.txt', content: 'ok' }]);
  raw('PUT files: JSON body', 'PUT', filesPath, JSON.stringify({ files: { 'a.txt': 'x' } }), JSON_TYPE);
  raw('PUT files: text/plain body', 'PUT', filesPath, 'hello', 'text/plain');
  raw('PUT files: no content type', 'PUT', filesPath, good.body);
  raw('PUT files: octet-stream', 'PUT', filesPath, good.body, 'application/octet-stream');
  raw('PUT files: multipart without boundary', 'PUT', filesPath, good.body, 'multipart/form-data');
  raw('PUT files: multipart, wrong boundary', 'PUT', filesPath, good.body, 'multipart/form-data; boundary=nottheboundary');
  raw('PUT files: multipart, truncated', 'PUT', filesPath, good.body.subarray(0, good.body.length - 30), good.type);
  raw('PUT files: multipart, garbage', 'PUT', filesPath, Buffer.from('this is not multipart at all'), good.type);
  raw('PUT files: multipart, empty body', 'PUT', filesPath, Buffer.alloc(0), good.type);
  for (const name of ['../evil.txt', '../../etc/cron.d/x', '/etc/passwd', 'a/../../b', 'a\\..\\b', 'C:\\x', 'a//b', './a', 'x'.repeat(1025)]) {
    const m = multipart([{ filename: 'fine.txt', content: 'fine' }, { filename: name, content: 'bad' }]);
    raw(`PUT files: multipart bad file name`, 'PUT', filesPath, m.body, m.type);
  }
  const dup = multipart([{ filename: 'a.txt', content: '1' }, { filename: 'a.txt', content: '2' }]);
  raw('PUT files: multipart duplicate path', 'PUT', filesPath, dup.body, dup.type);
  const fileDir = multipart([{ filename: 'a', content: '1' }, { filename: 'a/b', content: '2' }]);
  raw('PUT files: multipart file and dir', 'PUT', filesPath, fileDir.body, fileDir.type);
  const huge = multipart([{ filename: 'big.bin', content: Buffer.alloc(2 * MB, 7) }]);
  raw('PUT files: multipart 2 MB file', 'PUT', filesPath, huge.body, huge.type);
  raw('PUT files: multipart, missing spider', 'PUT', `/api/spiders/${MISSING_ID}/files`, good.body, good.type);

  const zipOk = await zipWithNames([{ name: 'fine.txt', content: 'fine' }]);
  raw('PUT files: zip, corrupt', 'PUT', filesPath, Buffer.from('PK\u0003\u0004 definitely not a zip'), 'application/zip');
  raw('PUT files: zip, empty', 'PUT', filesPath, Buffer.alloc(0), 'application/zip');
  raw('PUT files: zip, truncated', 'PUT', filesPath, zipOk.subarray(0, Math.floor(zipOk.length / 2)), 'application/zip');
  raw('PUT files: zip, random bytes', 'PUT', filesPath, Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rnd() * 256))), 'application/x-zip-compressed');
  const flipped = Buffer.from(zipOk);
  flipped[flipped.length - 6] ^= 0xff; // the end record's central directory offset
  raw('PUT files: zip, bad central directory', 'PUT', filesPath, flipped, 'application/zip');
  for (const name of ['../x.txt', '../../etc/passwd', '/etc/passwdx', 'a/../../x', 'a\\b', 'C:/x.txt', 'a//b.txt', './/x']) {
    raw('PUT files: zip entry escapes', 'PUT', filesPath, await zipWithNames([{ name: 'fine.txt', content: 'fine' }, { name, content: 'bad' }]), 'application/zip');
  }
  raw('PUT files: zip symlink entry', 'PUT', filesPath, await zipWithNames([{ name: 'link', content: '/etc/passwd', mode: 0o120777 }]), 'application/zip');
  raw('PUT files: zip duplicate entry', 'PUT', filesPath, await zipWithNames([{ name: 'same', content: '1' }, { name: 'same', content: '2' }]), 'application/zip');
  raw('PUT files: zip as gzip', 'PUT', filesPath, zipOk, 'application/gzip');

  const tgzOk = await tarGz([{ name: 'fine.txt', content: 'fine' }]);
  raw('PUT files: gzip, corrupt', 'PUT', filesPath, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 'application/gzip');
  raw('PUT files: gzip, empty', 'PUT', filesPath, Buffer.alloc(0), 'application/gzip');
  raw('PUT files: gzip, truncated', 'PUT', filesPath, tgzOk.subarray(0, Math.floor(tgzOk.length / 2)), 'application/x-gzip');
  raw('PUT files: gzip of non-tar', 'PUT', filesPath, gzipSync(Buffer.from('not a tar file, just text '.repeat(40))), 'application/gzip');
  raw('PUT files: tar.gz as zip', 'PUT', filesPath, tgzOk, 'application/zip');
  for (const e of [
    { name: '../x.txt', content: 'x' },
    { name: '/etc/passwdx', content: 'x' },
    { name: 'a/../../x', content: 'x' },
    { name: 'a\\b', content: 'x' },
    { name: 'link', type: 'symlink' as const, linkname: '/etc/passwd' },
    { name: 'hard', type: 'link' as const, linkname: 'fine.txt' },
    { name: 'up', type: 'symlink' as const, linkname: '../../x' },
  ]) {
    raw('PUT files: tar.gz entry escapes', 'PUT', filesPath, await tarGz([{ name: 'fine.txt', content: 'fine' }, e]), 'application/gzip');
  }

  // raw single files
  for (const p of BAD_FILE_PATHS) {
    raw('PUT file: bad path', 'PUT', `${filesPath}/${p}`, 'content', 'application/octet-stream');
  }
  for (const p of pick(BAD_FILE_PATHS, 8)) raw('GET file: bad path', 'GET', `${filesPath}/${p}`);
  for (const p of pick(BAD_FILE_PATHS, 8)) raw('DELETE file: bad path', 'DELETE', `${filesPath}/${p}`);
  for (const mode of ['999', 'abc', '-1', '0x1ff', '8', '77777', '7.5', '', '755&mode=644']) {
    raw('PUT file: bad mode', 'PUT', `${filesPath}/${f.filePath}?mode=${mode}`, 'content', 'application/octet-stream');
  }
  raw('PUT file: 2 MB body', 'PUT', `${filesPath}/big.bin`, Buffer.alloc(2 * MB, 1), 'application/octet-stream');
  raw('PUT file: missing spider', 'PUT', `/api/spiders/${MISSING_ID}/files/x.txt`, 'content', 'application/octet-stream');
  raw('PUT file: path under a file', 'PUT', `${filesPath}/${f.filePath}/below.txt`, 'content', 'application/octet-stream');
  raw('PUT file: file over a directory', 'PUT', `${filesPath}/${f.dirPath}`, 'content', 'application/octet-stream');
  raw('GET file: missing path', 'GET', `${filesPath}/no/such/file.txt`);
  raw('GET file: missing spider', 'GET', `/api/spiders/${MISSING_ID}/files/${f.filePath}`);
  raw('DELETE file: missing path', 'DELETE', `${filesPath}/no/such/file.txt`);
  raw('DELETE file: missing spider', 'DELETE', `/api/spiders/${MISSING_ID}/files/${f.filePath}`);
  raw('GET files: missing spider', 'GET', `/api/spiders/${MISSING_ID}/files`);
  idRoutes('spider files', [
    ['GET', '/api/spiders/:id/files'],
    ['GET', '/api/spiders/:id/versions'],
    ['GET', `/api/spiders/:id/files/${f.filePath}`],
    ['DELETE', `/api/spiders/:id/files/${f.filePath}`],
  ]);
  for (const id of pick(BAD_IDS, 4)) raw('PUT files: bad id', 'PUT', `/api/spiders/${id}/files`, good.body, good.type);
  for (const id of pick(BAD_IDS, 4)) raw('PUT file: bad id', 'PUT', `/api/spiders/${id}/files/x.txt`, 'c', 'application/octet-stream');

  // ---- tasks ----
  const task = { spiderId: f.spiderId };
  fieldCases('POST /api/tasks', 'POST', '/api/tasks', task, taskFields(f.nodeId));
  json('POST /api/tasks: selected-nodes without nodeIds', 'POST', '/api/tasks', { ...task, mode: 'selected-nodes' });
  json('POST /api/tasks: selected-nodes, empty nodeIds', 'POST', '/api/tasks', { ...task, mode: 'selected-nodes', nodeIds: [] });
  json('POST /api/tasks: selected-nodes, unknown node', 'POST', '/api/tasks', { ...task, mode: 'selected-nodes', nodeIds: [MISSING_ID] });
  json('POST /api/tasks: selected-nodes, one unknown node', 'POST', '/api/tasks', { ...task, mode: 'selected-nodes', nodeIds: [f.nodeId, MISSING_ID] });
  json('POST /api/tasks: all-nodes, no node matches', 'POST', '/api/tasks', { ...task, mode: 'all-nodes', labels: { 'no-such-label': 'x' } });
  for (const b of [{}, { mode: 'random' }, { cmd: 'true', param: 'x' }]) json('POST /api/tasks: missing spiderId', 'POST', '/api/tasks', b);
  unknownFieldCases('POST /api/tasks', 'POST', '/api/tasks', task, [{ extra: 1 }, { status: 'finished' }, { nodeId: f.nodeId }, { attempt: 3 }, { scheduleId: f.scheduleId }, { parentId: f.taskId }, { id: MISSING_ID }]);
  bodyShapeCases('POST /api/tasks', 'POST', '/api/tasks', task);

  const listQueries = [
    'status=bogus', 'status=FINISHED', 'status=', 'status=finished&status=error', 'spiderId=abc', 'spiderId=zzzzzzzzzzzzzzzzzzzzzzzz', 'nodeId=abc',
    'page=0', 'page=-1', 'page=1.5', 'page=abc', 'page=', 'page=1e9', 'page=1&page=2', 'page=NaN', 'page=Infinity',
    'size=0', 'size=1001', 'size=-5', 'size=abc', 'size=2.5', 'size=99999999999999999999',
  ];
  for (const q of listQueries) raw('GET /api/tasks: bad query', 'GET', `/api/tasks?${q}`);
  const logQueries = ['after=-1', 'after=abc', 'after=1.5', 'after=1e400', 'limit=0', 'limit=10001', 'limit=-5', 'limit=abc', 'limit=', 'after=1&after=2'];
  for (const q of logQueries) raw('GET logs: bad query', 'GET', `/api/tasks/${f.taskId}/logs?${q}`);
  for (const q of pick(logQueries, 4)) raw('GET logs/stream: bad query', 'GET', `/api/tasks/${f.taskId}/logs/stream?${q}`);
  raw('GET /api/tasks/:id: missing id', 'GET', `/api/tasks/${MISSING_ID}`);
  raw('GET logs: missing id', 'GET', `/api/tasks/${MISSING_ID}/logs`);
  raw('GET logs/stream: missing id', 'GET', `/api/tasks/${MISSING_ID}/logs/stream`);
  raw('POST cancel: finished task', 'POST', `/api/tasks/${f.taskId}/cancel`);
  raw('POST cancel: missing id', 'POST', `/api/tasks/${MISSING_ID}/cancel`);
  raw('POST restart: missing id', 'POST', `/api/tasks/${MISSING_ID}/restart`);
  raw('POST restart: a schedule id', 'POST', `/api/tasks/${f.scheduleId}/restart`);
  raw('POST cancel: a spider id', 'POST', `/api/tasks/${f.spiderId}/cancel`);
  idRoutes('tasks', [
    ['GET', '/api/tasks/:id'],
    ['POST', '/api/tasks/:id/cancel'],
    ['POST', '/api/tasks/:id/restart'],
    ['GET', '/api/tasks/:id/logs'],
    ['GET', '/api/tasks/:id/logs/stream'],
  ]);

  // ---- schedules ----
  const schedule = { spiderId: f.spiderId, cron: '0 0 1 1 *', enabled: false };
  // Every bad cron once on create (the patch cases below draw from them again).
  const { cron: badCrons, ...otherScheduleFields } = scheduleFields(f.nodeId);
  for (const cron of badCrons) json('POST /api/schedules: bad cron', 'POST', '/api/schedules', { ...schedule, cron });
  fieldCases('POST /api/schedules', 'POST', '/api/schedules', schedule, { ...otherScheduleFields, spiderId: [42, null, '', 'abc', MISSING_ID, [f.spiderId]] });
  for (const cron of NEVER_FIRES) json('POST /api/schedules: enabled, cron never fires', 'POST', '/api/schedules', { ...schedule, cron, enabled: true });
  json('POST /api/schedules: selected-nodes, no nodeIds', 'POST', '/api/schedules', { ...schedule, mode: 'selected-nodes' });
  for (const b of [{}, { spiderId: f.spiderId }, { cron: '0 0 1 1 *' }, { enabled: false }]) json('POST /api/schedules: missing field', 'POST', '/api/schedules', b);
  unknownFieldCases('POST /api/schedules', 'POST', '/api/schedules', schedule, [{ extra: 1 }, { lastRunAt: '2020-01-01T00:00:00Z' }, { nextRunAt: '2020-01-01T00:00:00Z' }, { id: MISSING_ID }, { nextRunTimes: [] }]);
  bodyShapeCases('POST /api/schedules', 'POST', '/api/schedules', schedule);

  const schedPath = `/api/schedules/${f.scheduleId}`;
  const schedPatch = { param: 'patched by a bad request' };
  for (const [field, values] of Object.entries(scheduleFields(f.nodeId))) {
    for (const v of pick(values, field === 'cron' ? 6 : 3)) json(`PATCH /api/schedules/:id: bad ${field}`, 'PATCH', schedPath, { ...schedPatch, [field]: v });
  }
  for (const cron of NEVER_FIRES) {
    json('PATCH /api/schedules/:id: cron never fires', 'PATCH', schedPath, { cron });
    json('PATCH /api/schedules/:id: enabled, cron never fires', 'PATCH', schedPath, { cron, enabled: true });
  }
  json('PATCH /api/schedules/:id: selected-nodes, no nodeIds', 'PATCH', schedPath, { mode: 'selected-nodes', nodeIds: [] });
  unknownFieldCases('PATCH /api/schedules/:id', 'PATCH', schedPath, schedPatch, [{ extra: 1 }, { lastRunAt: '2020-01-01T00:00:00Z' }, { id: MISSING_ID }, { createdAt: '2020-01-01T00:00:00Z' }]);
  bodyShapeCases('PATCH /api/schedules/:id', 'PATCH', schedPath, schedPatch);
  json('PATCH /api/schedules/:id: missing id', 'PATCH', `/api/schedules/${MISSING_ID}`, schedPatch);
  raw('DELETE /api/schedules/:id: missing id', 'DELETE', `/api/schedules/${MISSING_ID}`);
  raw('GET /api/schedules/:id: missing id', 'GET', `/api/schedules/${MISSING_ID}`);
  idRoutes('schedules', [
    ['GET', '/api/schedules/:id'],
    ['PATCH', '/api/schedules/:id', schedPatch],
    ['DELETE', '/api/schedules/:id'],
  ]);

  // ---- nodes ----
  const nodePath = `/api/nodes/${f.nodeId}`;
  const nodePatch = { enabled: true };
  fieldCases('PATCH /api/nodes/:id', 'PATCH', nodePath, nodePatch, {
    labels: MAP_WRONG,
    maxRunners: [...INT_WRONG, 0, 1025, 1e21],
    enabled: ['true', 'false', 1, 0, null, [], {}],
  });
  unknownFieldCases('PATCH /api/nodes/:id', 'PATCH', nodePath, nodePatch, [{ extra: 1 }, { status: 'offline' }, { name: 'renamed' }, { key: 'k' }, { runningTasks: 5 }]);
  bodyShapeCases('PATCH /api/nodes/:id', 'PATCH', nodePath, nodePatch);
  raw('DELETE /api/nodes/:id: online node', 'DELETE', nodePath);
  json('PATCH /api/nodes/:id: missing id', 'PATCH', `/api/nodes/${MISSING_ID}`, nodePatch);
  raw('DELETE /api/nodes/:id: missing id', 'DELETE', `/api/nodes/${MISSING_ID}`);
  raw('GET /api/nodes/:id: missing id', 'GET', `/api/nodes/${MISSING_ID}`);
  for (const q of ['status=bogus', 'status=ONLINE', 'status=', 'status=online&status=offline', 'label=nocolon', 'label=', 'label=:v', 'label=a:b&label=c:d']) {
    raw('GET /api/nodes: bad query', 'GET', `/api/nodes?${q}`);
  }
  idRoutes('nodes', [
    ['GET', '/api/nodes/:id'],
    ['PATCH', '/api/nodes/:id', nodePatch],
    ['DELETE', '/api/nodes/:id'],
  ]);

  // ---- results ----
  const resultsPath = `${spiderPath}/results`;
  for (const q of ['page=0', 'page=x', 'size=0', 'size=1001', 'size=1.5', 'taskId=xyz', `taskId=${MISSING_ID.slice(1)}`, 'field=$where&value=1', 'field=', `field=${big(201)}&value=1`, 'field=a']) {
    raw('GET spider results: bad query', 'GET', `${resultsPath}?${q}`);
  }
  for (const q of ['page=-1', 'size=abc', 'size=100000']) raw('GET task results: bad query', 'GET', `/api/tasks/${f.taskId}/results?${q}`);
  for (const q of ['format=xml', 'format=', 'format=CSV', 'bom=2', 'bom=yes', 'taskId=nope']) raw('GET results export: bad query', 'GET', `${resultsPath}/export?${q}`);
  for (const q of ['taskId=nope', `taskId=${big(30)}`]) raw('DELETE results: bad query', 'DELETE', `${resultsPath}?${q}`);
  raw('GET results: missing spider', 'GET', `/api/spiders/${MISSING_ID}/results`);
  raw('GET results fields: missing spider', 'GET', `/api/spiders/${MISSING_ID}/results/fields`);
  raw('GET results export: missing spider', 'GET', `/api/spiders/${MISSING_ID}/results/export`);
  raw('DELETE results: missing spider', 'DELETE', `/api/spiders/${MISSING_ID}/results`);
  idRoutes('results', [
    ['GET', '/api/spiders/:id/results'],
    ['GET', '/api/spiders/:id/results/fields'],
    ['GET', '/api/spiders/:id/results/export'],
    ['DELETE', '/api/spiders/:id/results'],
    ['GET', '/api/tasks/:id/results'],
  ]);

  // ---- no route, wrong method ----
  for (const [method, path] of [
    ['POST', '/api/health'], ['DELETE', '/api/stats'], ['POST', '/api/nodes'], ['PUT', nodePath], ['PUT', spiderPath], ['DELETE', `/api/tasks/${f.taskId}`],
    ['PATCH', `/api/tasks/${f.taskId}`], ['PUT', schedPath], ['POST', schedPath], ['GET', '/api/nope'], ['GET', '/api/tasks/x/y/z'], ['POST', `/api/tasks/${f.taskId}/bogus`],
  ] as const) {
    raw('no such route', method, path, method === 'GET' || method === 'DELETE' ? undefined : '{}', method === 'GET' || method === 'DELETE' ? undefined : JSON_TYPE);
  }

  // ---- authentication: every route but /api/health, with a request that is valid otherwise ----
  const routes: [string, string, Json?][] = [
    ['GET', '/api/stats'],
    ['GET', '/api/nodes'],
    ['GET', nodePath],
    ['PATCH', nodePath, { enabled: false, maxRunners: 1 }],
    ['DELETE', nodePath],
    ['GET', '/api/spiders'],
    ['POST', '/api/spiders', spider],
    ['GET', spiderPath],
    ['PATCH', spiderPath, { name: 'renamed without a token' }],
    ['DELETE', spiderPath],
    ['GET', filesPath],
    ['GET', `${filesPath}/${f.filePath}`],
    ['DELETE', `${filesPath}/${f.filePath}`],
    ['GET', '/api/tasks'],
    ['POST', '/api/tasks', task],
    ['GET', `/api/tasks/${f.taskId}`],
    ['POST', `/api/tasks/${f.taskId}/restart`],
    ['POST', `/api/tasks/${f.taskId}/cancel`],
    ['GET', `/api/tasks/${f.taskId}/logs`],
    ['GET', `/api/tasks/${f.taskId}/logs/stream`],
    ['GET', `/api/tasks/${f.taskId}/results`],
    ['GET', `${spiderPath}/results`],
    ['GET', `${spiderPath}/results/fields`],
    ['GET', `${spiderPath}/results/export`],
    ['DELETE', `${spiderPath}/results`],
    ['GET', '/api/schedules'],
    ['POST', '/api/schedules', schedule],
    ['GET', schedPath],
    ['PATCH', schedPath, { enabled: true, cron: '* * * * * *' }],
    ['DELETE', schedPath],
  ];
  const variants = AUTH_VARIANTS(f.token);
  for (const [method, path, body] of routes) {
    for (const [name, headers] of [variants[0], ...pick(variants.slice(1), 2)]) {
      if (body === undefined) raw(`auth: ${name}`, method, path, undefined, undefined, headers);
      else raw(`auth: ${name}`, method, path, JSON.stringify(body), JSON_TYPE, headers);
    }
  }
  for (const [name, headers] of variants) {
    raw(`auth: ${name}`, 'PUT', filesPath, good.body, good.type, headers);
    raw(`auth: ${name}`, 'PUT', `${filesPath}/new-file.txt`, 'content', 'application/octet-stream', headers);
  }
  raw('auth: token in the query', 'GET', `/api/spiders?token=${f.token}`, undefined, undefined, {});
  raw('auth: token in the query', 'POST', `/api/spiders?access_token=${f.token}`, JSON.stringify(spider), JSON_TYPE, {});

  return out;
}
