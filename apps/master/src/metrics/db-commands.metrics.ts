import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { CommandStartedEvent } from 'mongodb';
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
    labelNames: ['command'],
    registers: [],
  });
  private readonly onCommand = (e: CommandStartedEvent) => this.commands.inc({ command: e.commandName });

  constructor(@InjectConnection() private readonly connection: Connection) {}

  onModuleInit(): void {
    this.connection.getClient().on('commandStarted', this.onCommand);
  }

  metrics(): Metric[] {
    return [this.commands];
  }
}
