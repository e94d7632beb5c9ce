export * from './env-worker.options';
export * from './env-worker.module';
export * from './environment.service';
export * from './runtimes.probe';
