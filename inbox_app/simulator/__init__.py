"""The vendors' SMS APIs (LiveVox, Zoho Voice, Voximplant, Zoom Contact Center) as one
ASGI app over a seeded world.

Written from the vendor documents in shared/vendor-docs, never from our providers, so a
misreading in one shows up against the other. Used for the demo mode, tests and benchmarks:

    sim = Simulator(SimConfig(seed=1))
    sim.app                      # ASGI app; mounts /livevox, /zoho, /zoho-accounts,
                                 # /voximplant, /zoom, /zoom-oauth, /_sim
    with serve_in_thread(sim) as running:
        running.livevox_url      # real loopback HTTP

`sim.world` is the truth to compare a client's cache with (see world.py); `sim.faults`
switches fault injection at runtime (see faults.py).
"""

from .config import SIZES, FaultConfig, SimConfig, parse_fault_spec
from .server import RunningServer, serve_in_thread
from .simulator import Simulator

__all__ = [
    "SIZES",
    "FaultConfig",
    "RunningServer",
    "SimConfig",
    "Simulator",
    "parse_fault_spec",
    "serve_in_thread",
]
