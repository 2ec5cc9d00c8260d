import { Command } from 'commander';
import { Admin } from '@gregor/client';
import { brokersOf } from '../options';

/** Runs `body` with an Admin on the brokers named by the global --broker option, closing it after. */
export async function withAdmin<T>(command: Command, body: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ brokers: brokersOf(command) });
  try {
    return await body(admin);
  } finally {
    admin.close();
  }
}
