"""Tables of the compute domain: accelerators (``hardware``) and the sourced assumptions of the
power / compute / energy / capital model (``parameters``). Declared with :mod:`marketpower.schema.core`.

Conventions
-----------
* FLOP/s are **dense** (no structured sparsity), per accelerator package.
* ``system_power_w`` is the all-in power of one accelerator in a deployed system: the chip plus its share
  of host CPUs, memory, network, storage and fans, i.e. a published system or rack power divided by the
  number of accelerators in it (``system_power_basis = derived``, the division is written in ``note``).
* Where only a range is published, the central column stays empty and the ``_low``/``_high`` columns hold it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from .core import Field, Table
from .market import ID_PATTERN, source_ref

if TYPE_CHECKING:  # pandas loads when a check runs, not to read the schema's definitions
    import pandas as pd

HARDWARE_STATUSES = ("shipping", "announced")
POWER_BASES = ("reported", "derived")


def _optional_source(name: str, what: str) -> Field:
    return Field(name, "string", f"Source of {what} when it differs from `source_id`.", references="sources.id")


def _ordered(frame: pd.DataFrame, file: str, key: str, columns: tuple[str, str, str]) -> list[Problem]:
    """Problems where low <= central <= high fails (empty cells are skipped)."""
    import pandas as pd
    problems: list[Problem] = []
    if frame.empty or not set(columns) <= set(frame.columns):
        return problems
    low_col, mid_col, high_col = columns
    for index, row in frame.iterrows():
        values = [(c, row[c]) for c in columns if pd.notna(row[c])]
        for (a, va), (b, vb) in itertools.pairwise(values):
            if float(va) > float(vb):
                problems.append(
                    Problem(
                        file,
                        int(str(index)) + 2,
                        b,
                        f"{row[key]}: {a} = {va} is above {b} = {vb}; order must be "
                        f"{low_col} <= {mid_col} <= {high_col}",
                    )
                )
    return problems


def check_hardware(tables: Mapping[str, Any]) -> list[Problem]:
    """Ranges are ordered, and all-in system power is never below the chip's own TDP."""
    import pandas as pd
    frame = tables.get("hardware")
    if frame is None or frame.empty:
        return []
    file = "data/hardware.csv"
    problems = _ordered(frame, file, "id", ("system_power_w_low", "system_power_w", "system_power_w_high"))
    problems += _ordered(frame, file, "id", ("price_usd_low", "price_usd", "price_usd_high"))
    for index, row in frame.iterrows():
        tdp = row.get("chip_tdp_w")
        for col in ("system_power_w_low", "system_power_w", "system_power_w_high"):
            value = row.get(col)
            if pd.notna(tdp) and pd.notna(value) and float(value) < float(tdp):
                problems.append(
                    Problem(
                        file,
                        int(str(index)) + 2,
                        col,
                        f"{row['id']}: all-in {col} = {value} W is below the chip TDP {tdp} W; "
                        "system power includes the chip",
                    )
                )
        has_power = any(pd.notna(row.get(c)) for c in ("system_power_w_low", "system_power_w", "system_power_w_high"))
        if has_power and pd.isna(row.get("system_power_basis")):
            problems.append(
                Problem(
                    file,
                    int(str(index)) + 2,
                    "system_power_basis",
                    f"{row['id']}: say whether the system power is `reported` or `derived`",
                )
            )
    return problems


def check_parameters(tables: Mapping[str, Any]) -> list[Problem]:
    """Each parameter has at least one value and low <= central <= high."""
    import pandas as pd
    frame = tables.get("parameters")
    if frame is None or frame.empty:
        return []
    file = "data/parameters.csv"
    problems = _ordered(frame, file, "id", ("low", "central", "high"))
    for index, row in frame.iterrows():
        if all(pd.isna(row.get(c)) for c in ("low", "central", "high")):
            problems.append(Problem(file, int(str(index)) + 2, "central", f"{row['id']}: no value at all"))
    return problems


HARDWARE = Table(
    name="hardware",
    description=(
        "AI accelerators: designer, year, chip TDP, all-in power per accelerator in a deployed system, "
        "dense BF16/FP8 FLOP/s, HBM capacity and price, each with its source."
    ),
    fields=(
        Field("id", "string", "Stable accelerator id (e.g. `nvidia-h100`).", required=True, pattern=ID_PATTERN),
        Field("model", "string", "Model name as the designer writes it.", required=True),
        Field("designer_id", "string", "Entity that designs the accelerator.", required=True, references="entities.id"),
        Field(
            "year", "integer", "Year of release (or announced availability).", required=True, minimum=2010, maximum=2100
        ),
        Field(
            "status",
            "string",
            "`shipping`, or `announced` (figures are the designer's targets).",
            required=True,
            enum=HARDWARE_STATUSES,
        ),
        Field("chip_tdp_w", "number", "Thermal design power of the accelerator package, watts.", minimum=0),
        Field("system_power_w", "number", "All-in power per accelerator in a deployed system, watts.", minimum=0),
        Field(
            "system_power_w_low", "number", "Low end of the all-in power when a range is published, watts.", minimum=0
        ),
        Field(
            "system_power_w_high", "number", "High end of the all-in power when a range is published, watts.", minimum=0
        ),
        Field(
            "system_power_basis",
            "string",
            "`reported` per accelerator, or `derived` from a system figure.",
            enum=POWER_BASES,
        ),
        _optional_source("system_power_source_id", "the system power"),
        Field("bf16_dense_flops", "number", "Peak dense BF16 (or FP16) tensor FLOP/s.", minimum=0),
        Field("fp8_dense_flops", "number", "Peak dense FP8 tensor FLOP/s.", minimum=0),
        Field("hbm_gb", "number", "High-bandwidth memory per accelerator, GB as published.", minimum=0),
        Field("price_usd", "number", "Price estimate per accelerator, USD.", minimum=0),
        Field("price_usd_low", "number", "Low end of a published price range, USD.", minimum=0),
        Field("price_usd_high", "number", "High end of a published price range, USD.", minimum=0),
        _optional_source("price_source_id", "the price"),
        source_ref(),
        Field("note", "string", "How the figures were read or derived.", multiline=True),
    ),
    primary_key=("id",),
    checks=(check_hardware,),
)

PARAMETERS = Table(
    name="parameters",
    description=(
        "Sourced assumptions of the compute model (PUE, utilisation, load factor, capex per MW, "
        "US electricity consumption, ...) with a low / central / high range."
    ),
    fields=(
        Field("id", "string", "Stable parameter id (e.g. `pue`).", required=True, pattern=ID_PATTERN),
        Field("name", "string", "What the parameter is.", required=True),
        Field("unit", "string", "Unit of the values (`ratio`, `fraction`, `USD/MW`, `TWh/year`, ...).", required=True),
        Field("low", "number", "Low end of the published range."),
        Field("central", "number", "Central value (empty when only a range is published)."),
        Field("high", "number", "High end of the published range."),
        source_ref(),
        _optional_source("low_source_id", "the low value"),
        _optional_source("high_source_id", "the high value"),
        Field("note", "string", "Where each value comes from and how it was read or derived.", multiline=True),
    ),
    primary_key=("id",),
    checks=(check_parameters,),
)

TABLES: tuple[Table, ...] = (HARDWARE, PARAMETERS)
