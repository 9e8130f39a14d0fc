import { type Command, Option } from 'commander';
import { detectors } from '../../../detectors/index.ts';
import { formatTable } from '../../output/format-table.ts';

/** Describes where a detector looks, e.g. `sts:AssumeRoleWithWebIdentity` or `iam:* (writes)`. */
function describeNeeds(detector: (typeof detectors)[number]): string {
  return detector.needs
    .map((need) => {
      const service = need.source === '*' ? '*' : need.source.replace('.amazonaws.com', '');
      const names = need.names ? need.names.join('|') : '*';
      const filters = [
        need.readOnly ? '' : 'writes',
        need.deniedOnly ? 'denied' : '',
        need.notByAwsService ? 'not by AWS services' : '',
      ].filter(Boolean);
      return `${service}:${names}${filters.length > 0 ? ` (${filters.join(', ')})` : ''}`;
    })
    .join(', ');
}

/** The README's detector catalogue, generated so it cannot drift from the registry (a test checks). */
export function detectorCatalogue(): string {
  const rows = detectors.map(
    (d) => `| \`${d.id}\` | ${d.severity} | ${d.description.replaceAll('|', '\\|')} | ${describeNeeds(d)} |`,
  );
  return ['| detector | severity | what it finds | CloudTrail events |', '|---|---|---|---|', ...rows].join(
    '\n',
  );
}

export function registerDetectors(program: Command): void {
  program
    .command('detectors')
    .description('list the detectors, their default severity and the events they need')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'markdown'])
        .default('table'),
    )
    .action((options: { format: string }) => {
      if (options.format === 'markdown') {
        process.stdout.write(`${detectorCatalogue()}\n`);
        return;
      }
      if (options.format === 'json') {
        const list = detectors.map(({ id, title, description, severity, runbook, needs }) => ({
          id,
          title,
          description,
          severity,
          runbook,
          needs,
        }));
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      const rows = detectors.map((d) => [d.id, d.severity, d.title, describeNeeds(d)]);
      process.stdout.write(
        `${formatTable(rows, { headers: ['ID', 'SEVERITY', 'TITLE', 'EVENTS'], maxWidths: [28, 8, 60, 100] })}\n`,
      );
    });
}
