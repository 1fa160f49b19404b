/**
 * Redrives dead-lettered indexing jobs to the job queue, printing each one's reason.
 *
 *   node scripts/redrive-dlq.ts [--from <dlq-url>] [--to <queue-url>] [--max N] [--dry-run] [--visibility-seconds S]
 *
 * A dry run lists the messages and leaves them invisible for S seconds (default 60), then they are back.
 * The queue URLs default to CODESEARCH_DEAD_LETTER_QUEUE_URL and CODESEARCH_JOB_QUEUE_URL (the stack's outputs);
 * credentials and region come from the usual AWS environment or profile.
 */
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { redriveDeadLetters } from '../src/adapters/aws/redrive.ts';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: process.env.CODESEARCH_DEAD_LETTER_QUEUE_URL },
    to: { type: 'string', default: process.env.CODESEARCH_JOB_QUEUE_URL },
    max: { type: 'string' },
    'visibility-seconds': { type: 'string', default: '60' },
    'dry-run': { type: 'boolean', default: false },
  },
});

if (!values.from || !values.to) {
  console.error('usage: node scripts/redrive-dlq.ts --from <dlq-url> --to <queue-url> [--max N] [--dry-run]');
  process.exit(2);
}

const report = await redriveDeadLetters({
  sqs: new SQSClient({}),
  from: values.from,
  to: values.to,
  max: values.max === undefined ? undefined : Number(values.max),
  dryRun: values['dry-run'],
  visibilitySeconds: Number(values['visibility-seconds']),
  print: (line) => console.log(line),
});
console.log(
  `${values['dry-run'] ? 'would move' : 'moved'} ${values['dry-run'] ? report.seen : report.moved} of ${report.seen} message(s); reasons: ${JSON.stringify(report.reasons)}`,
);
