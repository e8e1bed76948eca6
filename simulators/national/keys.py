"""The simulated national system's own signing key, and the province key it trusts.

The national side signs its calls to the province (``/api/v1/national/`` of the hub) with
an SM2 key. The simulator's is a demo key, published here on purpose: the simulator hands
its public half out as ``HUB_NATIONAL_PUBLIC_KEY`` in ``NationalSimulator.environment``, the
key ``mappings/national_push/push.yaml`` pins, so that the demo and the tests work out of
the box while no deployment trusts it unless told to; a province sets the real system's key.

The province's key is the other way round: the simulator is told its public half
(``province_public_key``), or, for the demo and conformance runs, makes a fresh pair and
hands the private half out in ``NationalSimulator.environment`` as
``HUB_NATIONAL_SIGNING_KEY``, as it hands out the demo API key.
"""

from __future__ import annotations

from hub.national.signing import Algorithm, Signer, private_key

DEMO_NATIONAL_KEY_ID = "national"
DEMO_NATIONAL_PRIVATE_KEY = "82BEC304D08A39E1771C2D327EADFA5AA9091E747DAC702D9EBA54ACCBAACF42"
DEMO_NATIONAL_PUBLIC_KEY = (
    "0C353C376550E66BAF81B633C05C2C329453B5021A800BA040AD899EAA544445"
    "EB99D88490C8AFB230FF023DC87269F34664A986E2C6E9DA26D692E987CC9394"
)
PROVINCE_KEY_ID = "hub-340000"


def national_signer() -> Signer:
    """The demo national key, signing the national system's calls to the province."""
    return private_key(
        Algorithm.SM2_SM3, DEMO_NATIONAL_KEY_ID, DEMO_NATIONAL_PRIVATE_KEY, setting="simulator"
    )
