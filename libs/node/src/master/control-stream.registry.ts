import { Injectable, Logger } from '@nestjs/common';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import { MasterMessage, RunningAttempt, WorkerMessage } from '../grpc/messages';
import type { HeartbeatState } from './node.repository';

export type ControlSession = {
  sessionId: string;
  nodeId: string;
  key: string;
  call: ServerDuplexStream<WorkerMessage, MasterMessage>;
  ready: boolean;
  runningTasks: number;
  lastHeartbeatAt: number;
  /** Resource use from the last heartbeat (written in the replica's lease). */
  resources?: HeartbeatState['resources'];
  /** A readiness write to the database is in flight. */
  writing?: Promise<void>;
  /** The newest state waiting for that write to finish. */
  pendingWrite?: HeartbeatState;
  /** Attempts the worker said it was running when it (re)connected. */
  announced: RunningAttempt[];
  /** Attempts the worker runs now, as of its last heartbeat. */
  running: RunningAttempt[];
};

type RegistryEvents = {
  /** The node can take tasks now (stream opened ready, or became ready). */
  ready: [nodeId: string];
  /** A worker (re)announced what it runs; the task lib reconciles that. */
  announced: [nodeId: string, running: RunningAttempt[]];
  closed: [nodeId: string, sessionId: string];
};

/**
 * The control streams open on this replica, one per node. Everything that must reach a
 * worker (assignments, cancels) goes through here; the replica holding a node's stream is
 * the one that dispatches to it.
 */
@Injectable()
export class ControlStreamRegistry {
  private readonly log = new Logger(ControlStreamRegistry.name);
  private readonly sessions = new Map<string, ControlSession>();
  readonly events = new EventEmitter<RegistryEvents>();

  /** Opens a session; an older stream of the same node (a half-dead link) is ended. */
  open(session: ControlSession): void {
    const previous = this.sessions.get(session.nodeId);
    this.sessions.set(session.nodeId, session);
    if (previous) {
      this.log.log({ msg: 'control stream replaced', nodeId: session.nodeId });
      this.endCall(previous);
      this.events.emit('closed', previous.nodeId, previous.sessionId);
    }
    this.events.emit('announced', session.nodeId, session.announced);
    if (session.ready) this.events.emit('ready', session.nodeId);
  }

  /** Removes the session if it is still the current one; returns whether it was. */
  close(session: ControlSession): boolean {
    if (this.sessions.get(session.nodeId) !== session) return false;
    this.sessions.delete(session.nodeId);
    this.endCall(session);
    this.events.emit('closed', session.nodeId, session.sessionId);
    return true;
  }

  get(nodeId: string): ControlSession | undefined {
    return this.sessions.get(nodeId);
  }

  all(): ControlSession[] {
    return [...this.sessions.values()];
  }

  readyNodeIds(): string[] {
    return this.all()
      .filter((s) => s.ready)
      .map((s) => s.nodeId);
  }

  /** False when the node has no open stream here: the caller leaves the task to others. */
  send(nodeId: string, message: MasterMessage): boolean {
    const s = this.sessions.get(nodeId);
    if (!s) return false;
    try {
      s.call.write(message);
      return true;
    } catch (err) {
      this.log.warn({ msg: 'control stream write failed', nodeId, err: String(err) });
      return false;
    }
  }

  closeAll(): void {
    for (const s of this.all()) this.close(s);
  }

  private endCall(s: ControlSession): void {
    try {
      s.call.end();
    } catch (err) {
      this.log.debug({ msg: 'ending stream failed', nodeId: s.nodeId, err: String(err) });
    }
  }
}
