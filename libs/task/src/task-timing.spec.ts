import { taskTiming, TimedTask } from './task-timing';

const T0 = Date.parse('2026-12-06T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

describe('taskTiming', () => {
  const cases: [string, TimedTask, number, ReturnType<typeof taskTiming>][] = [
    ['pending: nothing to time', { status: 'pending', assignedAt: null, startedAt: null, finishedAt: null }, T0 + 5000, { durationMs: null, prepareMs: null, runMs: null }],
    ['assigned, building its environment: counts up to now, all of it preparation', { status: 'assigned', assignedAt: at(0), startedAt: null, finishedAt: null }, T0 + 4500, { durationMs: 4500, prepareMs: 4500, runMs: null }],
    ['running: counts up to now, the build apart', { status: 'running', assignedAt: at(0), startedAt: at(20_000), finishedAt: null }, T0 + 24_500, { durationMs: 24_500, prepareMs: 20_000, runMs: 4500 }],
    ['finished after a 20 s build and a 1 s run: 21 s', { status: 'finished', assignedAt: at(0), startedAt: at(20_000), finishedAt: at(21_000) }, T0 + 99_000, { durationMs: 21_000, prepareMs: 20_000, runMs: 1000 }],
    ['environment build failed: never started, all preparation', { status: 'error', assignedAt: at(0), startedAt: null, finishedAt: at(3000) }, T0 + 9000, { durationMs: 3000, prepareMs: 3000, runMs: null }],
    ['cancelled while pending: nothing ran', { status: 'cancelled', assignedAt: null, startedAt: null, finishedAt: at(3000) }, T0 + 9000, { durationMs: null, prepareMs: null, runMs: null }],
    ['stored before assignments were recorded: from its start', { status: 'finished', assignedAt: null, startedAt: at(1000), finishedAt: at(4000) }, T0 + 9000, { durationMs: 3000, prepareMs: null, runMs: 3000 }],
    ['ISO strings as the API carries them', { status: 'finished', assignedAt: at(0).toISOString(), startedAt: at(500).toISOString(), finishedAt: at(800).toISOString() }, T0, { durationMs: 800, prepareMs: 500, runMs: 300 }],
    ['a clock step backwards never gives a negative figure', { status: 'running', assignedAt: at(1000), startedAt: at(2000), finishedAt: null }, T0, { durationMs: 0, prepareMs: 1000, runMs: 0 }],
  ];
  it.each(cases)('%s', (_name, task, now, want) => {
    expect(taskTiming(task, now)).toEqual(want);
  });
});
