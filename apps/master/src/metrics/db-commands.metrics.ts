import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent } from 'mongodb';
import { Connection } from 'mongoose';
import { Counter, Metric } from 'prom-client';

/**
 * Database round trips of this replica, by command, from the driver's command monitoring
 * (`monitorCommands` on the connection): what benchmarks divide by the tasks they ran.
 */
@Injectable()
export class DbCommandMetrics implements OnModuleInit {
  private readonly commands = new Counter({
    name: 'crawlnest_db_commands_total',
    help: 'Database commands (round trips) this replica sent, by command name',
    labelNames: ['command', 'collection'],
    registers: [],
  });
  private readonly seconds = new Counter({
    name: 'crawlnest_db_command_seconds_total',
    help: 'Time this replica waited on database commands, by command name and collection: where the database time goes',
    labelNames: ['command', 'collection'],
    registers: [],
  });
  /** requestId → labels of a command in flight (its reply event names no collection). */
  private readonly started = new Map<number, { command: string; collection: string }>();
  private readonly onCommand = (e: CommandStartedEvent) => {
    const labels = { command: e.commandName, collection: collectionOf(e) };
    this.commands.inc(labels);
    this.started.set(e.requestId, labels);
  };
  private readonly onDone = (e: CommandSucceededEvent | CommandFailedEvent) => {
    const labels = this.started.get(e.requestId);
    if (!labels) return;
    this.started.delete(e.requestId);
    this.seconds.inc(labels, e.duration / 1000);
  };

  constructor(@InjectConnection() private readonly connection: Connection) {}

  onModuleInit(): void {
    const client = this.connection.getClient();
    client.on('commandStarted', this.onCommand);
    client.on('commandSucceeded', this.onDone);
    client.on('commandFailed', this.onDone);
  }

  metrics(): Metric[] {
    return [this.commands, this.seconds];
  }
}

/**
 * The collection a command names (find, insert, update, delete, getMore…), with an hour bucket
 * folded into `*` (`task_archive_2026113003` → `task_archive_*`) so the label stays bounded.
 */
export function collectionOf(e: Pick<CommandStartedEvent, 'commandName' | 'command'>): string {
  const raw = e.commandName === 'getMore' ? e.command.collection : e.command[e.commandName];
  if (typeof raw !== 'string') return '';
  return raw.replace(/_\d{6,}.*$/, '_*');
}
