import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { clientChannelOptions } from './channel-options';
import { protoLoaderOptions, protoPaths } from './proto-files';

type ServiceCtor = grpc.ServiceClientConstructor;

let loaded: grpc.GrpcObject | undefined;

/** Loads the protos once per process with the same options the server uses. */
function packages(): grpc.GrpcObject {
  loaded ??= grpc.loadPackageDefinition(protoLoader.loadSync(protoPaths(), protoLoaderOptions()));
  return loaded;
}

function service(path: string): ServiceCtor {
  let node: unknown = packages();
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'function') throw new Error(`gRPC service ${path} not found in protos`);
  return node as ServiceCtor;
}

export type GrpcClients = {
  address: string;
  node: grpc.Client;
  task: grpc.Client;
  sync: grpc.Client;
  results: grpc.Client;
  close(): void;
};

/**
 * Raw grpc-js clients for one master address (TOOLCHAIN.md: deadlines and waitForReady need
 * the raw client). They share one channel so a dead link is noticed once for all three.
 */
export function createGrpcClients(
  address: string,
  credentials = grpc.credentials.createInsecure(),
  extraOptions: grpc.ChannelOptions = {},
): GrpcClients {
  const NodeService = service('crawlnest.node.v1.NodeService');
  const node = new NodeService(address, credentials, { ...clientChannelOptions(), ...extraOptions });
  const channelOverride = node.getChannel();
  const TaskService = service('crawlnest.task.v1.TaskService');
  const SyncService = service('crawlnest.sync.v1.SyncService');
  const task = new TaskService(address, credentials, { channelOverride } as grpc.ClientOptions);
  const sync = new SyncService(address, credentials, { channelOverride } as grpc.ClientOptions);
  const ResultService = service('crawlnest.results.v1.ResultService');
  const results = new ResultService(address, credentials, { channelOverride } as grpc.ClientOptions);
  return {
    address,
    node,
    task,
    sync,
    results,
    close() {
      node.close();
    },
  };
}

/** Promise wrapper for a unary call on a raw client, with a deadline. */
export function unaryCall<Req, Res>(
  client: grpc.Client,
  method: string,
  request: Req,
  metadata: grpc.Metadata,
  timeoutMs: number,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, Function>)[method];
    if (typeof fn !== 'function') return reject(new Error(`no gRPC method ${method}`));
    fn.call(
      client,
      request,
      metadata,
      { deadline: new Date(Date.now() + timeoutMs) },
      (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)),
    );
  });
}
