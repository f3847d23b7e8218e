"""What-if assumptions of the application layer: the dates and figures a question is asked *about*, not data.
Each names where it comes from; front ends and the report read them only from here."""

from __future__ import annotations

#: ChatGPT's public release, the start of the "who wins" comparison (market value gained since then).
#: Source: OpenAI, "Introducing ChatGPT", https://openai.com/index/chatgpt/, 2022-11-30.
CHATGPT_RELEASE = "2022-11-30"

#: The seed newsletter's worked example: 10 GW of data centres "soit 4 à 5 millions de GPU" (examples/seed-claims.yaml,
#: claim ``gpus-for-10-gw``); 10 GW is the capacity of Nvidia and OpenAI's letter of intent (source id
#: ``deals-ndtvprofit-nvidia-openai-2025``: NDTV Profit (Bloomberg), "Nvidia to invest $100 billion in OpenAI for
#: data centers", 2025-09-22).
WORKED_EXAMPLE_GW = 10.0
WORKED_EXAMPLE_TARGET = (4e6, 5e6)

#: Deals the seed newsletter names: Nvidia's letter of intent with OpenAI (up to $100B, 10 GW; source id
#: ``deals-ndtvprofit-nvidia-openai-2025``) and the Stargate joint venture announced at the White House (the
#: "$500 billion" national project; source ids ``deals-livemint-stargate-2025`` and
#: ``deals-bsmedia-stargate-stakes-2025``).
SEED_DEALS = (
    "nvidia-openai-loi-2025",
    "softbank-stargate-2025",
    "openai-stargate-2025",
    "oracle-stargate-2025",
    "mgx-stargate-2025",
)
