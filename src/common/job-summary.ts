/**
 * What the Temporal UI shows of a compute job (the summary line and the Markdown details of its
 * workflow), from its input alone. Workflow-safe: the client's start helpers, the Nexus handler and
 * the Nexus caller helpers in workflows all use it.
 */
import type { AnyRunComputeJobInput, JobRef } from './types';

/** The parts of a compute job its input names, whether it submits a job or attaches to one. */
export function jobParts(input: AnyRunComputeJobInput): {
  orgId: string;
  topic: string;
  task: string;
  preview: boolean;
  job?: JobRef;
} {
  if ('job' in input) {
    const { job } = input;
    return { orgId: job.orgId, topic: job.topic, task: job.task, preview: job.preview, job };
  }
  return { orgId: input.orgId, topic: input.topic, task: input.task, preview: input.preview ?? false };
}

/** The one-line summary the Temporal UI shows for a compute job: `Evo compute geostatistics/kriging`. */
export function computeJobSummary(input: AnyRunComputeJobInput): string {
  const { topic, task } = jobParts(input);
  return `Evo compute ${topic}/${task}`;
}

/** The Markdown details the Temporal UI shows for a compute job: org, topic, task, preview, job. */
export function computeJobDetails(input: AnyRunComputeJobInput): string {
  const { orgId, topic, task, preview, job } = jobParts(input);
  const lines = [
    `**Evo compute job** \`${topic}/${task}\``,
    '',
    `- Org: \`${orgId}\``,
    `- Topic: \`${topic}\``,
    `- Task: \`${task}\``,
    `- Preview: ${preview ? 'yes' : 'no'}`,
  ];
  if (job) lines.push(`- Job: \`${job.jobId}\` (attached)`, `- Status URL: ${job.url}`);
  return lines.join('\n');
}
