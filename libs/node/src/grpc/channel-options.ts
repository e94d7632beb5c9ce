/** Both limits explicit: file content travels in <= 1 MB chunks, so 8 MB leaves headroom. */
export const MAX_GRPC_MESSAGE_BYTES = 8 * 1024 * 1024;

/** Receive window the worker grants the master (HTTP/2 flow control), per stream and connection. */
export const SYNC_FLOW_CONTROL_WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * Returns a fresh object each call: Nest mutates the channelOptions it is given.
 * Keepalive lets a worker notice a dead link in seconds instead of the TCP timeout.
 */
export function clientChannelOptions(): Record<string, number> {
  return {
    'grpc.max_receive_message_length': MAX_GRPC_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_GRPC_MESSAGE_BYTES,
    'grpc.keepalive_time_ms': 2000,
    'grpc.keepalive_timeout_ms': 2000,
    'grpc.keepalive_permit_without_calls': 1,
    // The worker's link loop backs off itself (capped at 2 s, jittered) and wakes early when the
    // channel gets through; the channel's own short retry is what notices a link coming back.
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 500,
    // HTTP/2 receive window per stream and per connection (the default is 64 KB): file sync
    // streams megabytes, and a 64 KB window costs a window update round trip every 64 KB,
    // which a loaded master answers late. Memory per stream stays bounded by the window.
    'grpc-node.flow_control_window': SYNC_FLOW_CONTROL_WINDOW_BYTES,
  };
}

export function serverChannelOptions(): Record<string, number> {
  return {
    'grpc.max_receive_message_length': MAX_GRPC_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_GRPC_MESSAGE_BYTES,
    'grpc.keepalive_time_ms': 2000,
    'grpc.keepalive_timeout_ms': 2000,
    'grpc.http2.min_ping_interval_without_data_ms': 1000,
    'grpc.keepalive_permit_without_calls': 1,
  };
}
