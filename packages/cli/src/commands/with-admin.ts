import { Command } from 'commander';
import { Admin } from '@gregor/client';

/** Runs `body` with an Admin on the broker named by the global --broker option, closing it after. */
export async function withAdmin<T>(command: Command, body: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ address: command.optsWithGlobals().broker as string });
  try {
    return await body(admin);
  } finally {
    admin.close();
  }
}
