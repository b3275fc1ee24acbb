"""``geo dispersion``: the OND-86 / MRR-2017 maximum concentration of one stack."""

from __future__ import annotations

import json
import math

import click

from geo.commands.options import verbosity_options


@click.command(name="dispersion")
@click.option("--height", "-H", type=float, required=True, help="Stack height H (m).")
@click.option("--diameter", "-D", type=float, required=True, help="Stack mouth diameter D (m).")
@click.option("--velocity", type=float, required=True, help="Gas exit velocity w0 (m/s).")
@click.option(
    "--gas-temp", type=float, default=None, help="Gas temperature (°C); omit with --cold."
)
@click.option(
    "--air-temp",
    type=float,
    required=True,
    help="Air temperature (°C): mean maximum of the hottest month (coldest month for heating-only boilers).",
)
@click.option(
    "--rate", "-M", type=float, default=1.0, show_default=True, help="Emission rate M (g/s)."
)
@click.option(
    "--method",
    type=click.Choice(["ond86", "mrr2017"]),
    default="ond86",
    show_default=True,
    help="OND-86, or the MRR-2017 variant (differs in s1 beyond x = 8 xm).",
)
@click.option(
    "--A",
    "A",
    type=float,
    default=200.0,
    show_default=True,
    help="Stratification coefficient A (200 for Kazakhstan).",
)
@click.option(
    "--F",
    "F",
    type=float,
    default=1.0,
    show_default=True,
    help="Settling coefficient F (1 gases; 2-3 dust).",
)
@click.option(
    "--eta", type=float, default=1.0, show_default=True, help="Terrain coefficient η (1 = flat)."
)
@click.option(
    "--cold", is_flag=True, help="Treat the source as cold (ΔT = 0), e.g. a gas at air temperature."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout instead of a table.")
@verbosity_options
def dispersion(  # noqa: PLR0913 - a click command takes one argument per option
    height: float,
    diameter: float,
    velocity: float,
    gas_temp: float | None,
    air_temp: float,
    rate: float,
    method: str,
    A: float,
    F: float,
    eta: float,
    cold: bool,
    as_json: bool,
) -> None:
    """Maximum ground-level concentration of one stack (OND-86 / MRR-2017).

    Prints cm (mg/m³), the distance xm (m) where it occurs, the dangerous wind
    speed um (m/s) and the intermediates V1, f, vm, v'm, fe, m, n, d and the
    regime (hot, cold, low_wind_hot, low_wind_cold). The control example of
    OND-86 gives cm ≈ 0.19 mg/m³ at xm ≈ 430 m.

    \b
    Example:
      geo dispersion --height 35 --diameter 1.4 --velocity 7 --gas-temp 125 --air-temp 25 --rate 12 --json
      geo dispersion --height 35 --diameter 1.4 --velocity 7 --gas-temp 125 --air-temp 25 --rate 2.6 --F 3 --method mrr2017
    """
    import numpy as np

    from geo.errors import InputError
    from geo.models.dispersion import max_concentration

    options = {
        "--height": height, "--diameter": diameter, "--velocity": velocity,
        "--gas-temp": gas_temp, "--air-temp": air_temp, "--rate": rate, "--A": A, "--F": F,
        "--eta": eta,
    }  # fmt: skip
    for option, value in options.items():
        if value is not None and not math.isfinite(value):
            msg = f"{option}: {value} is not a finite number; give a measured value"
            raise InputError(msg)
    if gas_temp is None and not cold:
        msg = "--gas-temp is missing; give the gas temperature in °C, or --cold for a source at air temperature"
        raise InputError(msg)
    tg = air_temp if gas_temp is None else gas_temp
    try:
        with np.errstate(all="ignore"):  # a non-finite result is refused below, in one line
            res = max_concentration(
                height, diameter, velocity, tg, air_temp, rate=rate, A=A, F=F, eta=eta,
                method=method, cold=cold, source_id="stack",
            )  # fmt: skip
    except InputError as exc:
        # name the command-line option rather than the layer field
        text = str(exc).removeprefix("source stack: ")
        for field, option in (
            ("height_m", "--height"),
            ("diameter_m", "--diameter"),
            ("velocity_m_s", "--velocity"),
            ("gas_temp_c", "--gas-temp"),
            ("rate_g_s", "--rate"),
            ("emission rate", "--rate"),
        ):
            text = text.replace(field, option)
        text = text.replace("(a gas at air temperature", "or pass --cold (a gas at air temperature")
        raise InputError(text) from None
    rec = res.record(0)
    bad = [k for k, v in rec.items() if isinstance(v, float) and not math.isfinite(v)]
    if bad:
        msg = (
            f"the method gives no finite {', '.join(bad)} for these inputs (height {height:g} m, "
            f"diameter {diameter:g} m, rate {rate:g} g/s); check the values: they are out of its range"
        )
        raise InputError(msg)
    inputs = {
        "height_m": height,
        "diameter_m": diameter,
        "velocity_m_s": velocity,
        "gas_temp_c": tg,
        "air_temp_c": air_temp,
        "rate_g_s": rate,
        "A": A,
        "F": F,
        "eta": eta,
        "cold": cold,
    }
    if as_json:
        click.echo(
            json.dumps({**rec, "inputs": inputs}, ensure_ascii=False, indent=2, allow_nan=False)
        )
        return
    rows = [
        ("method", rec["method"], ""),
        ("regime", rec["regime"], ""),
        ("V1", f"{rec['v1_m3_s']:.4g}", "m³/s"),
        ("ΔT", f"{rec['dt_c']:.4g}", "°C"),
        ("f", f"{rec['f']:.4g}", ""),
        ("vm", f"{rec['vm_m_s']:.4g}", "m/s"),
        ("v'm", f"{rec['vm_prime_m_s']:.4g}", "m/s"),
        ("fe", f"{rec['fe']:.4g}", ""),
        ("m", f"{rec['m']:.4g}", ""),
        ("n", f"{rec['n']:.4g}", ""),
        ("d", f"{rec['d']:.4g}", ""),
        ("cm", f"{rec['cm_mg_m3']:.4g}", "mg/m³"),
        ("xm", f"{rec['xm_m']:.4g}", "m"),
        ("um", f"{rec['um_m_s']:.4g}", "m/s"),
    ]
    for name, value, unit in rows:
        click.echo(f"{name:<8}{value:>14} {unit}".rstrip())
