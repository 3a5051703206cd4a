"""Runs the official Python SDK's own task runners against the emulator (test/python-peer.test.ts).

Reads {"baseUrl", "orgId", "token", "objects": {name: url}} as JSON on stdin, runs KrigingRunner
(preview), IDWRunner and ConditionalTurningBandsRunner as a Python user would write them, and
prints one JSON line: what each runner returned, parsed by the SDK, and the progress it reported.
Any response the SDK does not accept raises, and the script exits non-zero.
"""

import asyncio
import json
import sys
import uuid

from evo.aio import AioTransport
from evo.common import APIConnector, StaticContext
from evo.common.interfaces import IFeedback
from evo.compute.tasks import Ellipsoid, EllipsoidRanges, Filter, FilterCondition, Rotation, SearchNeighborhood
from evo.compute.tasks import Source, Target
from evo.compute.tasks.common import CreateAttribute
from evo.compute.tasks.geostatistics.conditional_turning_bands import (
    BlockDiscretization,
    ConditionalTurningBandsParameters,
    ConditionalTurningBandsRunner,
)
from evo.compute.tasks.geostatistics.idw import IDWParameters, IDWRunner
from evo.compute.tasks.geostatistics.kriging import KrigingDiagnostics, KrigingParameters, KrigingRunner
from evo.oauth import AccessTokenAuthorizer


class Progress(IFeedback):
    def __init__(self) -> None:
        self.readings: list[list] = []

    def progress(self, progress: float, message: str | None = None) -> None:
        self.readings.append([progress, message])


def neighborhood(max_samples: int) -> SearchNeighborhood:
    return SearchNeighborhood(
        ellipsoid=Ellipsoid(
            ranges=EllipsoidRanges(major=200.0, semi_major=150.0, minor=100.0),
            rotation=Rotation(dip_azimuth=45.0, dip=0.0, pitch=0.0),
        ),
        max_samples=max_samples,
    )


async def main() -> None:
    setup = json.load(sys.stdin)
    objects = setup["objects"]
    transport = AioTransport(user_agent="evo-compute-temporal peer test")
    connector = APIConnector(setup["baseUrl"], transport, AccessTokenAuthorizer(setup["token"]))
    context = StaticContext(connector=connector, org_id=uuid.UUID(setup["orgId"]))
    grade = 'locations.attributes[?name=="grade"]'

    kriging = KrigingParameters(
        source=Source(object=objects["points"], attribute=grade),
        target=Target(object=objects["grid"], attribute=CreateAttribute(name="kriged_grade")),
        variogram=objects["variogram"],
        search=neighborhood(20),
        target_filter=Filter(where=FilterCondition(attribute="domain", operator="in", values=["LMS1", "LMS2"])),
        diagnostics=KrigingDiagnostics(kriging_variance=True, num_samples="samples_used"),
    )
    idw = IDWParameters(
        source=Source(object=objects["points"], attribute=grade),
        target=Target(object=objects["grid"], attribute=CreateAttribute(name="idw_grade")),
        neighborhood=neighborhood(12),
        power=2.0,
        source_filter=Filter(
            where=FilterCondition(attribute="grade", operator="greater_than_or_equal_to", threshold=0.5)
        ),
    )
    simulation = ConditionalTurningBandsParameters(
        source=objects["points"],
        source_attribute=grade,
        target=objects["grid"],
        distribution=objects["distribution"],
        variogram_model=objects["variogram"],
        neighborhood=neighborhood(40),
        block_discretization=BlockDiscretization(nx=2, ny=2, nz=1),
        realizations=10,
    )

    out = {}
    async with connector:
        fb = Progress()
        result = await KrigingRunner(context, kriging, preview=True, polling_interval_seconds=0.1, fb=fb)
        out["kriging"] = {
            "message": result.message,
            "target_name": result.target_name,
            "target_reference": result.target_reference,
            "attribute_name": result.attribute_name,
            "schema": str(result.schema),
            "progress": fb.readings,
        }
        fb = Progress()
        result = await IDWRunner(context, idw, polling_interval_seconds=0.1, fb=fb)
        out["idw"] = {
            "target_name": result.target_name,
            "attribute_name": result.attribute_name,
            "progress": fb.readings,
        }
        fb = Progress()
        result = await ConditionalTurningBandsRunner(context, simulation, polling_interval_seconds=0.1, fb=fb)
        out["conditional-turning-bands"] = {
            "target_name": result.target_name,
            "target_reference": result.target_reference,
            "text": str(result),
            "progress": fb.readings,
        }
    print(json.dumps(out))


asyncio.run(main())
