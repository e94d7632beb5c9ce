import { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { CreateSpiderDto, FileModeQueryDto, PatchSpiderDto } from './dto/spider.dto';
import { CreateScheduleDto, PatchScheduleDto } from './dto/schedule.dto';
import { CreateTaskDto, ListTasksQueryDto, LogsQueryDto } from './dto/task.dto';
import { ListNodesQueryDto, PatchNodeDto } from './dto/node.dto';
import { RestValidationPipe } from './rest-validation.pipe';

const pipe = new RestValidationPipe();
const ID = '0123456789abcdef01234567';
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });
const query = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype });

async function rejection(value: unknown, meta: ArgumentMetadata): Promise<string> {
  try {
    await pipe.transform(value, meta);
  } catch (err) {
    if (err instanceof BadRequestException) return (err.getResponse() as { message: string }).message;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe('RestValidationPipe', () => {
  it.each([
    ['a missing required field', {}, body(CreateSpiderDto), 'name: required'],
    ['a number for a string', { name: 123, cmd: 'x' }, body(CreateSpiderDto), 'name: must be a string'],
    ['an unknown field', { name: 'x', cmd: 'y', extra: 1 }, body(CreateSpiderDto), 'extra: unknown field'],
    ['an empty name', { name: '' }, body(PatchSpiderDto), 'name: expected 1..200 characters'],
    ['a null where null is not allowed', { name: null }, body(PatchSpiderDto), 'name:'],
    ['a bad spider id', { spiderId: 'nope' }, body(CreateTaskDto), 'spiderId: expected a 24-hex id'],
    ['a priority out of range', { spiderId: ID, priority: 11 }, body(CreateTaskDto), 'priority: expected 1..10'],
    ['a priority given as a string', { spiderId: ID, priority: '5' }, body(CreateTaskDto), 'priority: expected an integer'],
    ['a fractional priority', { spiderId: ID, priority: 2.5 }, body(CreateTaskDto), 'priority: expected an integer'],
    ['an unknown mode', { spiderId: ID, mode: 'sometimes' }, body(CreateTaskDto), 'mode: expected one of random, all-nodes, selected-nodes'],
    ['nodeIds as a string', { spiderId: ID, nodeIds: 'x' }, body(CreateTaskDto), 'nodeIds: expected an array of ids'],
    ['a bad id in nodeIds', { spiderId: ID, nodeIds: [ID, 'x'] }, body(CreateTaskDto), 'nodeIds: expected a 24-hex id'],
    ['too many nodeIds', { spiderId: ID, nodeIds: Array(1001).fill(ID) }, body(CreateTaskDto), 'nodeIds: at most 1000 ids'],
    ['labels as an array', { spiderId: ID, labels: [1] }, body(CreateTaskDto), 'labels: expected an object of string values'],
    ['labels as pairs', { spiderId: ID, labels: [{ key: 'a', value: 'b' }] }, body(CreateTaskDto), 'labels: expected an object'],
    ['a non-string label value', { spiderId: ID, labels: { a: 1 } }, body(CreateTaskDto), 'labels: a: expected a string'],
    ['too many env entries', { spiderId: ID, env: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])) }, body(CreateTaskDto), 'env: at most 100 entries'],
    ['a too long env value', { spiderId: ID, env: { K: 'x'.repeat(4097) } }, body(CreateTaskDto), 'env: K: at most 4096 characters'],
    ['maxRunners 0', { maxRunners: 0 }, body(PatchNodeDto), 'maxRunners: expected 1..1024'],
    ['enabled as a string', { enabled: 'true' }, body(PatchNodeDto), 'enabled: expected a boolean'],
    ['a schedule without cron', { spiderId: ID }, body(CreateScheduleDto), 'cron: required'],
    ['a schedule priority of 0', { priority: 0 }, body(PatchScheduleDto), 'priority: expected 1..10'],
    ['a __proto__ key (as JSON.parse leaves it)', JSON.parse('{"__proto__":{"x":1},"name":"n","cmd":"c"}'), body(CreateSpiderDto), '__proto__: unknown field'],
    ['a nested __proto__ key', JSON.parse('{"spiderId":"0123456789abcdef01234567","env":{"__proto__":{"x":"1"}}}'), body(CreateTaskDto), 'env.__proto__: unknown field'],
    ['an array body', [], body(PatchSpiderDto), 'body: expected a JSON object'],
    ['a string body', 'x', body(CreateSpiderDto), 'body: expected a JSON object'],
    ['a null body', null, body(CreateSpiderDto), 'body: expected a JSON object'],
    ['a query size too large', { size: '100000' }, query(ListTasksQueryDto), 'size: expected <= 1000'],
    ['a query page that is no number', { page: 'abc' }, query(ListTasksQueryDto), 'page: expected an integer'],
    ['an unknown status', { status: 'weird' }, query(ListTasksQueryDto), 'status: expected one of'],
    ['a repeated query parameter', { status: ['running', 'error'] }, query(ListTasksQueryDto), 'status:'],
    ['an unknown query parameter', { foo: '1' }, query(LogsQueryDto), 'foo: unknown field'],
    ['a label selector without colon', { label: 'zone' }, query(ListNodesQueryDto), 'label: expected k:v'],
    ['a mode that is not octal', { mode: '999' }, query(FileModeQueryDto), 'mode: expected an octal mode like 755'],
  ])('refuses %s', async (_what, value, meta, message) => {
    expect(await rejection(value, meta)).toContain(message);
  });

  it('names every rejected field in one message', async () => {
    expect(await rejection({ name: 5, cmd: '', x: 1 }, body(CreateSpiderDto))).toBe('x: unknown field; name: must be a string; cmd: expected 1..4096 characters');
  });

  it('applies the defaults of a task and converts its maps to pairs', async () => {
    const dto = (await pipe.transform({ spiderId: ID, env: { 'a.b': 'c' } }, body(CreateTaskDto))) as CreateTaskDto;
    expect({ ...dto }).toEqual({ spiderId: ID, mode: 'random', nodeIds: [], labels: [], env: [{ key: 'a.b', value: 'c' }], priority: 5, timeoutSec: 0, maxRetries: 0 });
  });

  it('applies the defaults of a schedule and keeps null param and cmd', async () => {
    const dto = (await pipe.transform({ spiderId: ID, cron: '* * * * *', param: null, cmd: null }, body(CreateScheduleDto))) as CreateScheduleDto;
    expect({ ...dto }).toEqual({ spiderId: ID, cron: '* * * * *', mode: 'random', nodeIds: [], labels: [], param: null, cmd: null, priority: 5, enabled: true });
  });

  it('leaves absent patch fields absent', async () => {
    expect({ ...((await pipe.transform({ enabled: false }, body(PatchNodeDto))) as object) }).toEqual({ enabled: false });
  });

  it('converts query numbers and applies query defaults', async () => {
    expect({ ...((await pipe.transform({ page: '2' }, query(ListTasksQueryDto))) as object) }).toEqual({ page: 2, size: 20 });
  });

  it('treats a missing body as an empty object', async () => {
    expect(await rejection(undefined, body(CreateSpiderDto))).toContain('name: required');
  });

  it('passes gRPC payloads through untouched', async () => {
    const payload = { anything: 1 };
    expect(await pipe.transform(payload, { type: 'custom', metatype: CreateSpiderDto })).toBe(payload);
  });
});
