import { Command } from 'commander';
import { OutputOptions, formatTable, outputOf, printJsonLines, withOutput } from '../options';
import { groupDeleteCommand } from './group-delete';
import { groupDescribeCommand } from './group-describe';
import { groupResetOffsetsCommand } from './group-reset-offsets';
import { withAdmin } from './with-admin';

export function groupCommand(): Command {
  const group = new Command('group').description('consumer groups: members, committed offsets and lag');

  withOutput(group.command('list'))
    .description('groups with live members or committed offsets')
    .action(async (opts: OutputOptions, cmd: Command) => {
      const groups = await withAdmin(cmd, (admin) => admin.listGroups());
      if (outputOf(opts) === 'json') printJsonLines(groups);
      else process.stdout.write(formatTable(['GROUP', 'STATE', 'PROTOCOL TYPE'], groups.map((g) => [g.group, g.state, g.protocolType])));
    });

  return group.addCommand(groupDescribeCommand()).addCommand(groupResetOffsetsCommand()).addCommand(groupDeleteCommand());
}
