import { GregorError } from '@gregor/client';
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const message = err instanceof GregorError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`gregor: ${message}\n`);
    process.exitCode = 1;
  });
