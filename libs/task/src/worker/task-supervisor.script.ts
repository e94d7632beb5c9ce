/**
 * The per-task supervisor: a tiny node program the worker starts (detached, so it leads a new
 * process group) for each run. It starts the task's shell in its own group and kills that
 * group when its stdin, a pipe from the worker, closes: a worker that dies by SIGKILL (or an
 * OOM kill) takes its task process trees with it within the grace below, on its own machine,
 * instead of leaving them running while the master re-runs the task elsewhere. Linux's
 * PR_SET_PDEATHSIG would do the same, but node cannot set it.
 *
 * Protocol (fds as the worker spawns it):
 * - fd 0: first line `{"command","cwd","env","lostGraceMs"}` (JSON); end of file = the worker is gone;
 * - fd 3: JSON lines to the worker: `{"exit":{"code","signal"}}` when the shell exits;
 * - fd 4, fd 5: the task's stdout and stderr (handed to the shell; the supervisor keeps no copy,
 *   so the worker sees end of file when the task's processes close them, as without it);
 * - fd 1, fd 2: the supervisor's own, never given to the task.
 * It ignores SIGTERM/SIGINT/SIGHUP sent to the group (cancel, timeout, drain reach the task;
 * the supervisor stays to report), and dies with the group's SIGKILL.
 *
 * Kept as plain JavaScript in a string, run with `node -e`: it needs no file beside the
 * worker's bundle, whatever the build layout.
 */
export const TASK_SUPERVISOR_JS = String.raw`'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const send = (o) => { try { fs.writeSync(3, JSON.stringify(o) + '\n'); } catch (e) { /* the worker is gone */ } };
const group = (sig) => { try { process.kill(-process.pid, sig); } catch (e) { /* the group is gone */ } };
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {});
let spec = null;
let buf = '';
let lost = false;
let reported = false;
const exited = (code, signal, error) => {
  if (reported) return;
  reported = true;
  send(error ? { exit: { code, signal }, error } : { exit: { code, signal } });
};
const closeOutputs = () => { for (const fd of [4, 5]) { try { fs.closeSync(fd); } catch (e) { /* closed already */ } } };
const lifelineLost = () => {
  if (lost) return;
  lost = true;
  group('SIGTERM');
  setTimeout(() => group('SIGKILL'), spec ? spec.lostGraceMs : 0);
};
process.on('uncaughtException', (e) => {
  exited(127, null, 'task supervisor: ' + String((e && e.stack) || e));
  closeOutputs();
  group('SIGKILL');
});
process.stdin.on('data', (d) => {
  if (spec) return;
  buf += d;
  const nl = buf.indexOf('\n');
  if (nl < 0) return;
  spec = JSON.parse(buf.slice(0, nl));
  let child;
  try {
    child = spawn('/bin/sh', ['-c', spec.command], { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 4, 5] });
  } catch (e) {
    exited(127, null, String(e));
    return;
  } finally {
    closeOutputs();
  }
  child.once('error', (e) => exited(127, null, String(e)));
  child.once('exit', (code, signal) => exited(code, signal));
});
process.stdin.on('end', lifelineLost);
process.stdin.on('close', lifelineLost);
process.stdin.on('error', lifelineLost);
`;
