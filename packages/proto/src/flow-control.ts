/**
 * The HTTP/2 receive window, per stream and per connection, that both ends of
 * every Gregor connection advertise. HTTP/2's default of 64 KiB lets a sender
 * put only 64 KiB on the wire before the receiver's event loop reads it and
 * answers with WINDOW_UPDATE, so a 256 KiB produce batch or a 1 MiB fetch
 * answer crosses in several round trips. 4 MiB covers a producer's five
 * in-flight batches. Measured with 256 KiB batches on loopback: produce 56 to
 * 88 MB/s, consume 107 to 178 MB/s.
 */
export const FLOW_CONTROL_WINDOW_BYTES = 4 * 1024 * 1024;

/** grpc-js channel options that raise a client channel's receive window. */
export const CLIENT_FLOW_CONTROL_OPTIONS = { 'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES } as const;
