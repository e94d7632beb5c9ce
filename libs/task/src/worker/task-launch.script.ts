/**
 * The task's lifeline watcher, in `/bin/sh`. The worker spawns `/bin/sh -c TASK_LAUNCH_SH`
 * detached (so it leads a new process group) with:
 * - `$1` the task's command, `$2` the grace in seconds between SIGTERM and SIGKILL once the worker is gone;
 * - fd 0: /dev/null, fd 1 / fd 2: the task's stdout and stderr, fd 3: a pipe from the worker
 *   (the lifeline; not fd 0: node closes a child's stdin as soon as the child exits, and the
 *   task's shell may exit long before its processes do, e.g. during a kill grace).
 *
 * It starts a watcher in the background, in the same group, then `exec`s the task's shell:
 * the group leader IS the task's shell, so the worker sees its exit code or signal directly,
 * and the task starts at the cost of a shell, not of a node process (a node supervisor per
 * task cost ~100 ms of CPU each, which took create→running from ~130 ms to ~1 s on 2 cores).
 *
 * The watcher holds the lifeline and nothing else: it ignores SIGTERM/SIGINT/SIGHUP (a cancel,
 * a timeout or a drain signals the group and must reach the task only), and when the pipe
 * reaches end of file (the worker died: SIGKILL, OOM kill, crash; the kernel closes its end)
 * it sends the group SIGTERM, then SIGKILL after the grace. When the task ends normally the
 * worker SIGKILLs the group, which ends the watcher with whatever the task left behind.
 *
 * The watcher ignores those signals from its first instruction on: the launcher ignores them
 * before it forks (a cancel right after the start must not kill the watcher first) and
 * restores them before it execs the task's shell, which so gets them as usual. A SIGTERM in
 * that microsecond window is lost, and the worker's SIGKILL after the grace ends the task.
 *
 * The task gets neither the lifeline nor the watcher's copies of its outputs, so the worker
 * sees end of file when the task's processes close them.
 */
export const TASK_LAUNCH_SH = `trap '' TERM INT HUP
(
  while read -r _; do :; done <&3
  kill -TERM 0
  PATH=/usr/bin:/bin sleep "$2"
  kill -KILL 0
) </dev/null >/dev/null 2>&1 &
trap - TERM INT HUP
exec /bin/sh -c "$1" 3<&-
`;
