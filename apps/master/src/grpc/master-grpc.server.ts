import { ServerGrpc } from '@nestjs/microservices';

/**
 * Nest's gRPC transport, with the two handles a graceful stop needs and Nest 11 does not
 * expose: the graceful close alone (NestMicroservice.close() would also close the whole
 * app), and a forced stop for calls still open after the grace.
 */
export class MasterGrpcServer extends ServerGrpc {
  /** Stops taking calls and resolves once in-flight calls have finished (gracefulShutdown). */
  closeGracefully(): Promise<void> {
    return this.close();
  }

  /** Cancels every open call now. */
  forceClose(): void {
    this.grpcClient?.forceShutdown();
  }
}
