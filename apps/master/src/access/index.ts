export * from './access.decorator';
export * from './access.module';
export * from './access.options';
export * from './visibility.service';
export * from './users.service';
export { randomPassword } from './password';
