"""Runs the Python parents of compute_parents.py against the package's worker (test/python-caller.test.ts).

Reads {"address", "paths": {"child": {"namespace", "target"}, "nexus": {...}}, "scenarios": [{"name",
"path", "workflowId", "job"}]} as JSON on stdin. Each path's parent runs in its namespace on a Python
worker of its own: "child" is ComputeJobAsChild (target: the package worker's task queue, in the
worker's namespace), "nexus" is ComputeJobOverNexus (target: the endpoint, from another namespace).
Every scenario runs at once, each as one parent workflow; prints one JSON object: for each
scenario what the parent returned, or the type and message of the error it ended with as this
client sees it, and the seconds it took. The test cancels or terminates some parents meanwhile.
"""

import asyncio
import json
import os
import sys
import time
import uuid
from contextlib import AsyncExitStack

from compute_parents import ComputeJobAsChild, ComputeJobOverNexus
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Worker

PARENTS = {"child": ComputeJobAsChild, "nexus": ComputeJobOverNexus}


async def run_scenario(client: Client, task_queue: str, target: str, scenario: dict) -> dict:
    started = time.monotonic()
    try:
        outcome = await client.execute_workflow(
            PARENTS[scenario["path"]].run,
            args=[scenario["job"], target],
            id=scenario["workflowId"],
            task_queue=task_queue,
        )
        report = {"outcome": outcome}
    except WorkflowFailureError as err:
        report = {"error": type(err.cause).__name__, "message": str(err.cause)}
    report["seconds"] = time.monotonic() - started
    return report


async def main() -> None:
    setup = json.load(sys.stdin)
    task_queue = f"python-callers-{uuid.uuid4()}"
    async with AsyncExitStack() as workers:
        clients = {}
        for path, where in setup["paths"].items():
            clients[path] = await Client.connect(setup["address"], namespace=where["namespace"])
            worker = Worker(clients[path], task_queue=task_queue, workflows=[PARENTS[path]])
            await workers.enter_async_context(worker)
        reports = await asyncio.gather(
            *(
                run_scenario(clients[s["path"]], task_queue, setup["paths"][s["path"]]["target"], s)
                for s in setup["scenarios"]
            )
        )
    print(json.dumps({scenario["name"]: report for scenario, report in zip(setup["scenarios"], reports)}))


asyncio.run(main())
# The report is out; leave without interpreter teardown. The client's Rust threads can outlive the
# interpreter's finalization and abort the process there (about one run in five here; sdk-python
# issue 300), which would lose a report that is complete.
sys.stdout.flush()
os._exit(0)
