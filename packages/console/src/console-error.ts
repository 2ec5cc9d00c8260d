import { GregorError } from '@gregor/client';

/** A request the console API refuses, with the HTTP status it answers. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  static badRequest(message: string): ConsoleError {
    return new ConsoleError(400, message);
  }
}

/** The HTTP status and message a failure answers with; null for one the client did not cause. */
export function clientFailure(err: unknown): { status: number; message: string } | null {
  if (err instanceof ConsoleError) return { status: err.status, message: err.message };
  if (err instanceof GregorError) {
    if (err.code === 'NOT_FOUND') return { status: 404, message: err.message };
    if (err.code === 'OUT_OF_RANGE' || err.code === 'INVALID_ARGUMENT') return { status: 400, message: err.message };
    if (err.code === 'UNAVAILABLE') return { status: 503, message: err.message };
  }
  return null;
}
