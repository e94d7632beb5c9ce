import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { TASK_CLAIM_MODEL, TASK_LOG_MODEL, TASK_MODEL, TaskClaimSchema, TaskLogSchema, TaskSchema } from '../task.schema';
import { ClaimRepository } from './claim.repository';
import { DispatcherService } from './dispatcher.service';
import { TaskGrpcController } from './task.grpc.controller';
import { TaskLogRepository } from './task-log.repository';
import { TaskReconcileCron } from './task-reconcile.cron';
import { TaskReportService } from './task-report.service';
import { TaskRepository } from './task.repository';
import { TaskService } from './task.service';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';

@Module({})
export class TaskMasterModule {
  static forRoot(options: TaskMasterOptions): DynamicModule {
    return {
      module: TaskMasterModule,
      imports: [
        MongooseModule.forFeature([
          { name: TASK_MODEL, schema: TaskSchema },
          { name: TASK_CLAIM_MODEL, schema: TaskClaimSchema },
          { name: TASK_LOG_MODEL, schema: TaskLogSchema },
        ]),
      ],
      controllers: [TaskGrpcController],
      providers: [
        { provide: TASK_MASTER_OPTIONS, useValue: options },
        TaskRepository,
        ClaimRepository,
        TaskLogRepository,
        DispatcherService,
        TaskReportService,
        TaskService,
        TaskReconcileCron,
      ],
      exports: [TaskService, DispatcherService],
    };
  }
}
