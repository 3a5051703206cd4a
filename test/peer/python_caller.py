"""Runs the Python parents of compute_parents.py against the package's worker (test/python-caller.test.ts).

Reads {"address", "namespace", "computeTaskQueue", "nexusEndpoint", "scenarios": [{"name", "path",
"workflowId", "job"}]} as JSON on stdin; runs a Python worker for the parents on a queue of its own
and every scenario at once, each as one parent workflow ("child": ComputeJobAsChild on
computeTaskQueue, "nexus": ComputeJobOverNexus on nexusEndpoint); prints one JSON object: for each
scenario what the parent returned, or the type and message of the error it ended with as this
client sees it, and the seconds it took. The test cancels or terminates some parents meanwhile.
"""

import asyncio
import json
import sys
import time
import uuid

from compute_parents import ComputeJobAsChild
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Worker

PARENTS = {"child": ComputeJobAsChild}


async def run_scenario(client: Client, task_queue: str, setup: dict, scenario: dict) -> dict:
    parent = PARENTS[scenario["path"]]
    target = setup["computeTaskQueue"] if scenario["path"] == "child" else setup["nexusEndpoint"]
    started = time.monotonic()
    try:
        outcome = await client.execute_workflow(
            parent.run, args=[scenario["job"], target], id=scenario["workflowId"], task_queue=task_queue
        )
        report = {"outcome": outcome}
    except WorkflowFailureError as err:
        report = {"error": type(err.cause).__name__, "message": str(err.cause)}
    report["seconds"] = time.monotonic() - started
    return report


async def main() -> None:
    setup = json.load(sys.stdin)
    client = await Client.connect(setup["address"], namespace=setup["namespace"])
    task_queue = f"python-callers-{uuid.uuid4()}"
    async with Worker(client, task_queue=task_queue, workflows=list(PARENTS.values())):
        reports = await asyncio.gather(
            *(run_scenario(client, task_queue, setup, scenario) for scenario in setup["scenarios"])
        )
    print(json.dumps({scenario["name"]: report for scenario, report in zip(setup["scenarios"], reports)}))


asyncio.run(main())
