import type { Me } from '../api/access-types';
import { deniedReason } from './permissions';

const me = (role: 'admin' | 'member', projectRole?: 'viewer' | 'runner' | 'editor' | 'owner'): Me => ({
  id: 'u',
  username: 'u',
  role,
  projects: projectRole ? [{ id: 'p', name: 'p', role: projectRole }] : [],
});

describe('deniedReason', () => {
  it.each([
    [me('admin'), 'manage', null],
    [me('member', 'viewer'), 'run', 'Needs the runner role in this project (you are viewer)'],
    [me('member', 'runner'), 'run', null],
    [me('member', 'runner'), 'edit', 'Needs the editor role in this project (you are runner)'],
    [me('member', 'owner'), 'manage', null],
    [me('member'), 'run', 'Needs the runner role in this project (you are not a member)'],
  ] as const)('%j %s → %s', (m, action, reason) => {
    expect(deniedReason(m, action, 'p')).toBe(reason);
  });
});
