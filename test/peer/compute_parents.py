"""Python parent workflows that run the package's runComputeJob: as a child workflow by type name, and
as the evo-compute Nexus operation. docs/python.md shows the regions between the --8<-- markers, and
test/python-caller.test.ts checks that its code blocks are these regions, byte for byte, and runs
them (test/peer/python_caller.py).

The input and result dicts are those of schemas/run-compute-job/input.json and result.json.
"""

# --8<-- [start:report]
from temporalio.exceptions import ApplicationError


def failure_report(failure: ApplicationError) -> dict:
    """What a parent keeps of runComputeJob's failure (see the README's Failures table)."""
    return {
        "failed": failure.type,  # "JobFailed", "InvalidInput", "JobTimedOut", ...
        "message": failure.message,
        "non_retryable": failure.non_retryable,  # True: the workflow's failure is final
        # One dict: the job, the problem of a failed job, the fields of bad parameters, ...
        "details": failure.details[0] if failure.details else {},
    }
# --8<-- [end:report]


# --8<-- [start:child]
from temporalio import workflow
from temporalio.exceptions import ApplicationError, ChildWorkflowError
from temporalio.workflow import ChildWorkflowCancellationType, ParentClosePolicy


@workflow.defn
class ComputeJobAsChild:
    @workflow.run
    async def run(self, job: dict, task_queue: str) -> dict:
        try:
            return await workflow.execute_child_workflow(
                "runComputeJob",  # the package's workflow, by its type name
                job,  # {"orgId", "topic", "task", "parameters", "timeout", ...}
                id=f"evo-compute/{job['topic']}/{job['task']}/{workflow.info().workflow_id}",
                task_queue=task_queue,  # the package's worker: "evo-compute" by default
                result_type=dict,  # {"job": {...}, "results": {...}}
                # Not Python's default TERMINATE: a parent that ends must let the child cancel the remote job.
                parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
                # A cancelled parent waits until the remote job is cancelled.
                cancellation_type=ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
            )
        except ChildWorkflowError as err:
            if isinstance(err.cause, ApplicationError):  # the child's own failure
                return failure_report(err.cause)
            raise  # a cancellation (cause CancelledError): this parent ends cancelled
# --8<-- [end:child]


# --8<-- [start:nexus]
import nexusrpc
from temporalio import workflow
from temporalio.exceptions import ApplicationError, NexusOperationError


@workflow.defn
class ComputeJobOverNexus:
    @workflow.run
    async def run(self, job: dict, endpoint: str) -> dict:
        compute = workflow.create_nexus_client(service="evo-compute", endpoint=endpoint)
        try:
            return await compute.execute_operation("runComputeJob", job, output_type=dict)
        except NexusOperationError as err:
            failure = err.cause
            if isinstance(failure, nexusrpc.HandlerError):  # a start the service refused (BAD_REQUEST)
                failure = failure.__cause__
            if isinstance(failure, ApplicationError):  # the job's failure, or why the start was refused
                return failure_report(failure)
            raise  # a cancellation (cause CancelledError): this parent ends cancelled
# --8<-- [end:nexus]
