import { Caller, decide, Need, ProjectRole, visibleProjects } from './access.policy';

const P = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbbbbbbbbbb';

function member(role?: ProjectRole): Caller {
  return { kind: 'user', id: 'u', username: 'u', role: 'member', projects: new Map(role ? [[P, role]] : []) };
}
const admin: Caller = { kind: 'user', id: 'a', username: 'a', role: 'admin', projects: new Map() };
const root: Caller = { kind: 'root' };

type Row = [string, Caller | null, Need, string | null, 'ok' | 401 | 403 | 404];

const rows: Row[] = [
  ['no credential', null, 'signed-in', null, 401],
  ['no credential on a project route', null, 'read', P, 401],
  ['root does anything', root, 'manage', OTHER, 'ok'],
  ['root is admin', root, 'admin', null, 'ok'],
  ['admin does anything', admin, 'manage', OTHER, 'ok'],
  ['admin on a missing resource (the handler says 404)', admin, 'edit', null, 'ok'],
  ['member signed in', member(), 'signed-in', null, 'ok'],
  ['member is not admin', member('owner'), 'admin', null, 403],
  ['non-member: as if it did not exist', member(), 'read', P, 404],
  ['member of another project', member('owner'), 'read', OTHER, 404],
  ['missing resource', member('owner'), 'read', null, 404],
  ['viewer reads', member('viewer'), 'read', P, 'ok'],
  ['viewer cannot run', member('viewer'), 'run', P, 403],
  ['viewer cannot edit', member('viewer'), 'edit', P, 403],
  ['runner runs', member('runner'), 'run', P, 'ok'],
  ['runner cannot edit', member('runner'), 'edit', P, 403],
  ['editor edits', member('editor'), 'edit', P, 'ok'],
  ['editor runs', member('editor'), 'run', P, 'ok'],
  ['editor cannot manage members', member('editor'), 'manage', P, 403],
  ['owner manages', member('owner'), 'manage', P, 'ok'],
  ['owner reads', member('owner'), 'read', P, 'ok'],
];

describe('access policy', () => {
  it.each(rows)('%s', (_name, caller, need, project, expected) => {
    const d = decide(caller, need, project);
    expect(d.ok ? 'ok' : d.status).toBe(expected);
  });

  it('a 403 names the role needed', () => {
    const d = decide(member('viewer'), 'run', P);
    expect(d).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('runner') });
  });

  it('a 404 says nothing about the project', () => {
    const d = decide(member(), 'read', P);
    expect(d).toEqual({ ok: false, status: 404, message: 'not found' });
  });

  it.each([
    ['root', root, null],
    ['admin', admin, null],
    ['member', member('viewer'), [P]],
    ['member of nothing', member(), []],
  ] as [string, Caller, string[] | null][])('%s lists %j', (_n, caller, expected) => {
    const v = visibleProjects(caller);
    expect(v === null ? null : [...v]).toEqual(expected);
  });
});
