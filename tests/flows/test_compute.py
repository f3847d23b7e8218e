"""The power / accelerator / FLOP / energy / capex model against hand-derived numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from marketpower.errors import InvalidInputError
from marketpower.flows import compute as m
from marketpower.store import Store

HW_COLUMNS = [
    "id",
    "model",
    "designer_id",
    "year",
    "status",
    "chip_tdp_w",
    "system_power_w",
    "system_power_w_low",
    "system_power_w_high",
    "system_power_basis",
    "system_power_source_id",
    "bf16_dense_flops",
    "fp8_dense_flops",
    "hbm_gb",
    "price_usd",
    "price_usd_low",
    "price_usd_high",
    "price_source_id",
    "source_id",
    "note",
]
NA = float("nan")


def hw_row(
    id_: str,
    tdp: float,
    power: float = NA,
    low: float = NA,
    high: float = NA,
    bf16: float = NA,
    fp8: float = NA,
    price: float = NA,
    price_low: float = NA,
    price_high: float = NA,
) -> dict[str, object]:
    basis = "derived" if not (math.isnan(power) and math.isnan(low) and math.isnan(high)) else None
    return dict(
        zip(
            HW_COLUMNS,
            [
                id_,
                id_.upper(),
                "x",
                2024,
                "shipping",
                tdp,
                power,
                low,
                high,
                basis,
                None,
                bf16,
                fp8,
                80,
                price,
                price_low,
                price_high,
                None,
                "src-" + id_,
                "",
            ],
            strict=True,
        )
    )


@pytest.fixture
def hardware() -> pd.DataFrame:
    return pd.DataFrame(
        [
            # DGX H100: 10,200 W / 8 GPUs = 1,275 W all-in; TDP 700 W  -> ratio 1.8214...
            hw_row("nvidia-h100", 700, power=1275, bf16=989.4e12, fp8=1978.9e12, price=33600),
            # GB200 NVL72: 120,000 W / 72 = 1,666.67 W, range 120-132 kW; TDP 1,200 W
            hw_row(
                "nvidia-gb200",
                1200,
                power=120_000 / 72,
                low=120_000 / 72,
                high=132_000 / 72,
                bf16=2.5e15,
                fp8=5e15,
                price_low=30_000,
                price_high=40_000,
            ),
            # TDP only: all-in power from the overhead factor
            hw_row("amd-mi300x", 750, bf16=1.3074e15),
            # FP8 only, announced
            hw_row("nvidia-rubin", NA, power=190_000 / 72, fp8=1.2e18 / 72),
            # no power figure at all
            hw_row("google-tpu-v6e", NA, bf16=918e12),
        ]
    )


@pytest.fixture
def params() -> m.ModelParams:
    rows = [
        ("pue", "PUE", "ratio", 1.1, 1.2, 1.58),
        ("load_factor", "load", "fraction", 0.6, 0.75, 0.9),
        ("utilisation", "MFU", "fraction", 0.38, 0.4, 0.43),
        ("capex_per_mw", "capex", "USD/MW", 5e7, 5e7, 1e8),
        ("us_electricity_twh", "US", "TWh/year", 3861.342, 4322.0, None),
        ("us_datacenter_twh", "US DC", "TWh/year", None, 176.0, None),
    ]
    frame = pd.DataFrame(rows, columns=["id", "name", "unit", "low", "central", "high"])
    frame["source_id"] = "src-" + frame["id"]
    return m.ModelParams.from_frame(frame)


def test_ten_gigawatts_of_gb200_at_pue_1_25_by_hand(hardware: pd.DataFrame, params: m.ModelParams) -> None:
    acc = m.accelerator(hardware, "gb200")
    chain = m.power_to_compute(10_000, acc, params.with_value("pue", m.Range.exact(1.25)))
    # 10,000 MW / 1.25 = 8,000 MW of IT; 8,000e6 W / (120,000 W / 72) = 4.8 million GPUs
    assert chain["it_power_mw"].central == pytest.approx(8_000.0, rel=1e-15)
    assert chain["accelerators"].central == pytest.approx(4_800_000.0, rel=1e-12)
    # high all-in power (132 kW / 72) gives the low count: 8,000e6 × 72 / 132,000
    assert chain["accelerators"].low == pytest.approx(8_000e6 * 72 / 132_000, rel=1e-12)
    assert chain["accelerators"].high == pytest.approx(4_800_000.0, rel=1e-12)
    assert chain["peak_flops"].central == pytest.approx(4.8e6 * 2.5e15, rel=1e-12)
    assert chain["effective_flops"].central == pytest.approx(4.8e6 * 2.5e15 * 0.4, rel=1e-12)
    assert chain["h100e"].central == pytest.approx(4.8e6 * 2.5e15 / 989.4e12, rel=1e-12)
    # energy: 10,000 MW × 0.75 × 8,760 h = 65.7 TWh; share of 4,322 TWh; 5e7 USD/MW × 10,000 MW
    assert chain["annual_energy_twh"].central == pytest.approx(65.7, rel=1e-12)
    assert chain["annual_energy_twh"].low == pytest.approx(10_000 * 0.6 * 8760 / 1e6, rel=1e-12)
    assert chain["share_of_us_electricity"].central == pytest.approx(65.7 / 4322, rel=1e-12)
    assert chain["share_of_us_electricity"].high == pytest.approx(10_000 * 0.9 * 8760 / 1e6 / 3861.342, rel=1e-12)
    assert chain["ratio_to_us_datacenters_2023"].central == pytest.approx(65.7 / 176, rel=1e-12)
    assert (chain["capex_usd"].central, chain["capex_usd"].high) == pytest.approx((5e11, 1e12))
    # price range 30-40k with no central: central is the midpoint, 35,000 × 4.8 million
    assert chain["accelerator_cost_usd"].central == pytest.approx(35_000 * 4.8e6, rel=1e-12)


def test_pue_range_gives_count_range_for_h100(hardware: pd.DataFrame, params: m.ModelParams) -> None:
    chain = m.power_to_compute(10_000, m.accelerator(hardware, "nvidia-h100"), params)
    units = chain["accelerators"]
    assert units.central == pytest.approx(10_000e6 / 1.2 / 1275, rel=1e-12)  # 6,535,948
    assert units.low == pytest.approx(10_000e6 / 1.58 / 1275, rel=1e-12)  # high PUE -> fewer GPUs
    assert units.high == pytest.approx(10_000e6 / 1.1 / 1275, rel=1e-12)


def test_every_bound_is_reproducible_from_the_printed_steps(hardware: pd.DataFrame, params: m.ModelParams) -> None:
    chain = m.power_to_compute(2_500, m.accelerator(hardware, "gb200"), params)
    it, system, units = chain["it_power_mw"], chain["system_power_w"], chain["accelerators"]
    assert units.low == pytest.approx(it.low * 1e6 / system.high, rel=1e-12)
    assert units.high == pytest.approx(it.high * 1e6 / system.low, rel=1e-12)
    for step in chain.steps:
        assert step.value.low <= step.value.central <= step.value.high
        assert step.formula and step.unit and step.source


@pytest.mark.parametrize("accelerator_id", ["nvidia-h100", "gb200", "amd-mi300x", "nvidia-rubin"])
@pytest.mark.parametrize("power_mw", [0.001, 37.5, 1_000.0, 10_000.0, 123_456.789])
def test_round_trip_power_accelerators_power(
    hardware: pd.DataFrame, params: m.ModelParams, accelerator_id: str, power_mw: float
) -> None:
    acc = m.accelerator(hardware, accelerator_id)
    units = m.power_to_compute(power_mw, acc, params)["accelerators"].central
    back = m.accelerators_to_compute(units, acc, params)
    assert back["facility_power_mw"].central == pytest.approx(power_mw, rel=1e-14)
    again = m.power_to_compute(back["facility_power_mw"].central, acc, params)["accelerators"].central
    assert again == pytest.approx(units, rel=1e-14)


def test_accelerators_to_power_by_hand(hardware: pd.DataFrame, params: m.ModelParams) -> None:
    # 4.5 million GB200 × 1,666.67 W = 7,500 MW of IT; × PUE 1.2 = 9,000 MW of facility power
    chain = m.accelerators_to_compute(4.5e6, m.accelerator(hardware, "gb200"), params)
    assert chain["it_power_mw"].central == pytest.approx(7_500.0, rel=1e-12)
    assert chain["facility_power_mw"].central == pytest.approx(9_000.0, rel=1e-12)
    assert chain["facility_power_mw"].high == pytest.approx(4.5e6 * 132_000 / 72 / 1e6 * 1.58, rel=1e-12)
    assert chain["capex_usd"].central == pytest.approx(9_000 * 5e7, rel=1e-12)


def test_overhead_factor_for_accelerators_without_system_figure(hardware: pd.DataFrame, params: m.ModelParams) -> None:
    factor = m.system_overhead_factor(hardware)
    ratios = sorted([1275 / 700, (120_000 / 72) / 1200])
    assert (factor.value.low, factor.value.high) == pytest.approx(tuple(ratios), rel=1e-12)
    assert factor.value.central == pytest.approx(sum(ratios) / 2, rel=1e-12)  # median of two
    acc = m.accelerator(hardware, "amd-mi300x")
    assert acc.system_power_w.value.central == pytest.approx(750 * sum(ratios) / 2, rel=1e-12)
    assert "derived" in acc.system_power_w.source


def test_fp8_only_accelerator_uses_fp8_and_h100_fp8(hardware: pd.DataFrame, params: m.ModelParams) -> None:
    acc = m.accelerator(hardware, "nvidia-rubin")
    assert acc.precision == "FP8"
    chain = m.accelerators_to_compute(1_000, acc, params)
    assert chain["h100e"].central == pytest.approx(1_000 * (1.2e18 / 72) / 1978.9e12, rel=1e-12)


@pytest.mark.parametrize("power", [0.0, -10.0, float("nan"), float("inf")])
def test_bad_power_is_refused(hardware: pd.DataFrame, params: m.ModelParams, power: float) -> None:
    with pytest.raises(InvalidInputError, match="facility power"):
        m.power_to_compute(power, m.accelerator(hardware, "gb200"), params)


def test_bad_count_unknown_accelerator_pue_below_one(hardware: pd.DataFrame, params: m.ModelParams) -> None:
    acc = m.accelerator(hardware, "gb200")
    with pytest.raises(InvalidInputError, match="accelerators"):
        m.accelerators_to_compute(0, acc, params)
    with pytest.raises(InvalidInputError, match=r"unknown accelerator 'gb999'.*nvidia-gb200"):
        m.accelerator(hardware, "gb999")
    with pytest.raises(InvalidInputError, match=r"pue = 0\.9 is below 1"):
        m.power_to_compute(100, acc, params.with_value("pue", m.Range.exact(0.9)))
    with pytest.raises(InvalidInputError, match="below 1"):
        m.check_pue(0.5)
    with pytest.raises(InvalidInputError, match="no published chip TDP or system power"):
        m.accelerator(hardware, "google-tpu-v6e")


def test_missing_parameter_row_is_named(params: m.ModelParams) -> None:
    frame = pd.DataFrame(
        [{"id": "pue", "name": "PUE", "unit": "ratio", "low": 1.1, "central": 1.2, "high": 1.5, "source_id": "s"}]
    )
    with pytest.raises(InvalidInputError, match="load_factor"):
        m.ModelParams.from_frame(frame)


def test_tornado_ranks_pue_first_for_a_fixed_system_power(hardware: pd.DataFrame, params: m.ModelParams) -> None:
    acc = m.accelerator(hardware, "nvidia-h100")
    table = m.sensitivity(lambda a, p: m.power_to_compute(10_000, a, p), "accelerators", acc, params)
    top = table.iloc[0]
    assert top["assumption"] == "pue"
    assert top["output_at_low"] == pytest.approx(10_000e6 / 1.1 / 1275, rel=1e-12)
    assert top["output_at_high"] == pytest.approx(10_000e6 / 1.58 / 1275, rel=1e-12)
    assert top["swing"] == pytest.approx(10_000e6 / 1275 * (1 / 1.1 - 1 / 1.58), rel=1e-12)
    assert set(table.loc[table["swing"] == 0, "assumption"]) >= {"utilisation", "capex_per_mw", "system_power_w"}
    energy = m.sensitivity(lambda a, p: m.power_to_compute(10_000, a, p), "annual_energy_twh", acc, params)
    assert energy.iloc[0]["assumption"] == "load_factor"


def test_worked_example_table_verdicts(hardware: pd.DataFrame, params: m.ModelParams) -> None:
    table = m.accelerators_for_power_table(hardware, params, 10.0).set_index("accelerator")
    assert "google-tpu-v6e" not in table.index  # no power figure: left out
    # GB200: 10 GW / 1.2 / 1,666.67 W = 5.0 million (central inside 4-5 M)
    assert table.loc["nvidia-gb200", "count_central"] == pytest.approx(5e6, rel=1e-12)
    assert table.loc["nvidia-gb200", "verdict"] == "in range"
    # naive chip-TDP count: 10 GW / 1,200 W = 8.33 million
    assert table.loc["nvidia-gb200", "tdp_only_count"] == pytest.approx(1e10 / 1200, rel=1e-12)
    # H100: 10 GW / 1.2 / 1,275 W = 6.54 M central; 10 GW / 1.58 / 1,275 W = 4.96 M low -> only the range meets 4-5 M
    assert table.loc["nvidia-h100", "count_low"] == pytest.approx(1e10 / 1.58 / 1275, rel=1e-12)
    assert table.loc["nvidia-h100", "verdict"] == "range overlaps"
    # Rubin: 10 GW / 1.2 / 2,638.9 W = 3.16 M central, 3.44 M at PUE 1.1 -> too few
    assert table.loc["nvidia-rubin", "count_high"] == pytest.approx(1e10 / 1.1 / (190_000 / 72), rel=1e-12)
    assert table.loc["nvidia-rubin", "verdict"] == "too few"


def test_bundled_data_ten_gigawatts(repo_root: object) -> None:
    store = Store.open()
    hardware = store.table("hardware")
    assert len(hardware) >= 20
    required = {
        "nvidia-a100",
        "nvidia-h100",
        "nvidia-h200",
        "nvidia-b200",
        "nvidia-gb200",
        "nvidia-gb300",
        "nvidia-rubin",
        "amd-mi300x",
        "amd-mi325x",
        "amd-mi355x",
        "amd-mi450",
        "google-tpu-v5e",
        "google-tpu-v5p",
        "google-tpu-v6e",
        "google-tpu-v7",
        "amazon-trainium2",
        "amazon-trainium3",
    }
    assert required <= set(hardware["id"])
    params = m.ModelParams.from_frame(store.table("parameters"))
    chain = m.power_to_compute(10_000, m.accelerator(hardware, "gb200"), params.with_value("pue", m.Range.exact(1.25)))
    # bundled GB200: NVL72 rack 120 kW / 72 GPUs -> 8,000 MW × 72 / 120,000 W = 4.8 million
    assert chain["accelerators"].central == pytest.approx(4.8e6, rel=1e-9)
    b200 = m.accelerators_to_compute(4.5e6, m.accelerator(hardware, "b200"), params)
    # DGX B200 14.3 kW / 8 = 1,787.5 W; × 4.5e6 = 8,043.75 MW IT; × PUE 1.2 = 9,652.5 MW
    assert b200["facility_power_mw"].central == pytest.approx(9_652.5, rel=1e-12)
