import { GregorError } from '@gregor/client';
import { buildProgram } from './program';

// Output piped into `head` and the like: stop quietly once the reader is gone.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const message = err instanceof GregorError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`gregor: ${message}\n`);
    process.exitCode = 1;
  });
